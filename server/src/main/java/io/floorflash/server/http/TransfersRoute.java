package io.floorflash.server.http;

import io.floorflash.server.floor.FloorSnapshot;
import io.floorflash.server.floor.FloorView;
import io.floorflash.server.floor.PhoneView;
import io.floorflash.server.firmware.origin.OriginCache;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /api/transfers}: the floor as compact JSON (the shape is in the README), headed by this server's {@code node}
 * name so a tool reading many nodes knows which answered. Optional fields are left out when
 * empty: {@code name}, {@code file}, {@code served} (the file sent, when a rule or a group chose another than {@code
 * file}), {@code reason}, and {@code unexpected} and {@code upload} (the phone's newest transfer is an upload from it)
 * unless true; {@code groups} (rollout groups, each with its release and counts) only when groups are configured;
 * {@code originFetches} (each fetch from the origin under way: file, bytes so far, startedAt) only while there are.
 */
public final class TransfersRoute implements HttpRoute {
    private final FloorView floor;
    private final String node;
    private final Supplier<List<OriginCache.Fetching>> fetching;

    /** The floor of {@code floor}, on the node named {@code node} ({@code floorflash.node.name}). */
    public TransfersRoute(FloorView floor, String node) {
        this(floor, node, List::of);
    }

    /** @param fetching the fetches from the origin under way ({@code originFetches}, left out when none) */
    public TransfersRoute(FloorView floor, String node, Supplier<List<OriginCache.Fetching>> fetching) {
        this.floor = floor;
        this.node = node;
        this.fetching = fetching;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        String json = render(node, floor.snapshot(), fetching.get());
        HttpResponses.send(ctx, request, HttpResponseStatus.OK, HttpResponses.JSON, ByteBufUtil.writeUtf8(ctx.alloc(), json));
    }

    /** The JSON of {@code snapshot} on {@code node}. */
    static String render(String node, FloorSnapshot snapshot) {
        return render(node, snapshot, List.of());
    }

    /** The JSON of {@code snapshot} on {@code node}, with the fetches from the origin under way. */
    static String render(String node, FloorSnapshot snapshot, List<OriginCache.Fetching> fetches) {
        StringBuilder out = new StringBuilder(256 + snapshot.phones().size() * 140 + snapshot.throughput().size() * 8);
        JsonWriter json = new JsonWriter(out);
        FloorSnapshot.Counters c = snapshot.counters();
        json.beginObject();
        json.name("node").value(node);
        json.name("counters").beginObject()
                .name("phones").value(c.phones())
                .name("waiting").value(c.waiting())
                .name("loading").value(c.loading())
                .name("done").value(c.done())
                .name("failed").value(c.failed())
                .name("unexpected").value(c.unexpected())
                .name("transfers").value(c.transfers())
                .endObject();
        json.name("throughput").beginObject().name("sampleSeconds").value(1).name("bytesPerSecond").beginArray();
        for (long sample : snapshot.throughput()) {
            json.value(sample);
        }
        json.endArray().endObject();
        if (!snapshot.groups().isEmpty()) {
            json.name("groups").beginArray();
            for (FloorSnapshot.GroupView group : snapshot.groups()) {
                json.beginObject().name("name").value(group.name())
                        .name("release").value(group.release())
                        .name("phones").value(group.phones())
                        .name("done").value(group.done())
                        .name("otherRelease").value(group.otherRelease())
                        .name("loading").value(group.loading())
                        .name("failed").value(group.failed())
                        .name("neverCame").value(group.neverCame())
                        .endObject();
            }
            json.endArray();
        }
        if (!fetches.isEmpty()) {
            json.name("originFetches").beginArray();
            for (OriginCache.Fetching fetch : fetches) {
                json.beginObject().name("file").value(fetch.name())
                        .name("state").value("fetching from origin")
                        .name("bytes").value(fetch.bytes())
                        .name("startedAt").value(fetch.startedAt().toString())
                        .endObject();
            }
            json.endArray();
        }
        json.name("phones").beginArray();
        for (PhoneView phone : snapshot.phones()) {
            json.beginObject().name("addr").value(phone.address().getHostAddress());
            if (!phone.name().isEmpty()) {
                json.name("name").value(phone.name());
            }
            json.name("state").value(phone.state().label());
            if (!phone.file().isEmpty()) {
                json.name("file").value(phone.file());
            }
            if (!phone.served().isEmpty() && !phone.served().equals(phone.file())) {
                json.name("served").value(phone.served());
            }
            json.name("bytes").value(phone.bytes())
                    .name("size").value(phone.size())
                    .name("bps").value(phone.bytesPerSecond())
                    .name("retx").value(phone.retransmits())
                    .name("ms").value(phone.elapsedMillis());
            if (!phone.reason().isEmpty()) {
                json.name("reason").value(phone.reason());
            }
            if (!phone.expected()) {
                json.name("unexpected").value(true);
            }
            if (phone.upload()) {
                json.name("upload").value(true);
            }
            json.endObject();
        }
        json.endArray();
        json.endObject();
        return out.toString();
    }
}

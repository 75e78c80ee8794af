package io.floorflash.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.floorflash.server.floor.FloorSnapshot;
import io.floorflash.server.floor.PhoneState;
import io.floorflash.server.floor.PhoneView;
import io.floorflash.server.firmware.origin.OriginCache;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransfersRouteTest {
    @Test
    void rendersTheDocumentedShapeAndLeavesEmptyFieldsOut() throws Exception {
        String hostile = "<img src=x onerror=alert(1)>\"\\\n.bin";
        FloorSnapshot snapshot = new FloorSnapshot(List.of(
                new PhoneView(InetAddress.getByName("10.0.5.17"), "reception", true, PhoneState.LOADING, hostile,
                        "releases/b/x.bin", 400, 1000, 200, 3, 2000, ""),
                new PhoneView(InetAddress.getByName("10.0.5.18"), "", true, PhoneState.WAITING, "", "", 0, 0, 0, 0, 0, ""),
                new PhoneView(InetAddress.getByName("192.168.1.5"), "", false, PhoneState.FAILED, "x.bin", "", 0, 0, 0, 0, 0,
                        "File not found")),
                new FloorSnapshot.Counters(3, 1, 1, 0, 1, 1, 1), List.of(0L, 1_500_000L));

        String json = TransfersRoute.render("edge-1", snapshot);

        assertThat(json).doesNotContain("<", ">").startsWith("{\"node\":\"edge-1\",\"counters\":{\"phones\":3,\"waiting\":1,\"loading\":1,"
                + "\"done\":0,\"failed\":1,\"unexpected\":1,\"transfers\":1},\"throughput\":{\"sampleSeconds\":1,"
                + "\"bytesPerSecond\":[0,1500000]},\"phones\":[");
        JsonNode read = new ObjectMapper().readTree(json);
        JsonNode loading = read.get("phones").get(0);
        assertThat(loading.get("addr").asText()).isEqualTo("10.0.5.17");
        assertThat(loading.get("name").asText()).isEqualTo("reception");
        assertThat(loading.get("state").asText()).isEqualTo("loading");
        assertThat(loading.get("file").asText()).isEqualTo(hostile);
        assertThat(loading.get("served").asText()).isEqualTo("releases/b/x.bin");
        assertThat(loading.get("bytes").asLong()).isEqualTo(400);
        assertThat(loading.get("size").asLong()).isEqualTo(1000);
        assertThat(loading.get("bps").asLong()).isEqualTo(200);
        assertThat(loading.get("retx").asLong()).isEqualTo(3);
        assertThat(loading.get("ms").asLong()).isEqualTo(2000);
        assertThat(loading.has("reason")).isFalse();
        assertThat(loading.has("unexpected")).isFalse();
        JsonNode waiting = read.get("phones").get(1);
        assertThat(waiting.has("name")).isFalse();
        assertThat(waiting.has("file")).isFalse();
        assertThat(waiting.get("state").asText()).isEqualTo("waiting");
        JsonNode failed = read.get("phones").get(2);
        assertThat(failed.get("reason").asText()).isEqualTo("File not found");
        assertThat(failed.get("unexpected").asBoolean()).isTrue();
    }

    @Test
    void showsEachFetchFromTheOriginUnderWay() throws Exception {
        FloorSnapshot snapshot = new FloorSnapshot(List.of(), new FloorSnapshot.Counters(0, 0, 0, 0, 0, 0, 0), List.of());

        JsonNode read = new ObjectMapper().readTree(TransfersRoute.render("edge-1", snapshot, List.of(
                new OriginCache.Fetching("releases/snom320.bin", 123_456, Instant.parse("2026-12-02T03:00:00Z")))));

        JsonNode fetch = read.get("originFetches").get(0);
        assertThat(fetch.get("file").asText()).isEqualTo("releases/snom320.bin");
        assertThat(fetch.get("state").asText()).isEqualTo("fetching from origin");
        assertThat(fetch.get("bytes").asLong()).isEqualTo(123_456);
        assertThat(fetch.get("startedAt").asText()).isEqualTo("2026-12-02T03:00:00Z");
        assertThat(new ObjectMapper().readTree(TransfersRoute.render("edge-1", snapshot)).has("originFetches")).isFalse();
    }
}

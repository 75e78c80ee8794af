package io.floorflash.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.channel.ChannelPipeline;
import java.util.Map;

/**
 * A stand-in for the real router, for tests only: {@link MetricsRoute#PATH} exactly, {@link FirmwareRoute#PREFIX} by
 * prefix, anything else 404. Like the real one, it releases each request after the route returns.
 */
public final class TestRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Map<String, HttpRoute> exact;
    private final Map<String, HttpRoute> prefixes;

    public TestRouter(Map<String, HttpRoute> exact, Map<String, HttpRoute> prefixes) {
        this.exact = Map.copyOf(exact);
        this.prefixes = Map.copyOf(prefixes);
    }

    /** The HTTP pipeline the routes expect: codec, aggregator, chunked writer, router. */
    public static void install(ChannelPipeline pipeline, TestRouter router, boolean chunkedWriter) {
        pipeline.addLast("httpCodec", new HttpServerCodec())
                .addLast("httpAggregator", new HttpObjectAggregator(64 * 1024));
        if (chunkedWriter) {
            pipeline.addLast("chunkedWriter", new ChunkedWriteHandler());
        }
        pipeline.addLast("router", router);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            FullHttpResponse bad = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.BAD_REQUEST,
                    Unpooled.EMPTY_BUFFER);
            bad.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(bad).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        HttpRoute route = exact.get(uri.rawPath());
        if (route == null) {
            route = prefixes.entrySet().stream().filter(e -> uri.rawPath().startsWith(e.getKey())).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }
        if (route == null) {
            RouteAnswers.of(request).text(ctx, HttpResponseStatus.NOT_FOUND, "Not found");
            return;
        }
        route.handle(ctx, request, uri);
    }
}

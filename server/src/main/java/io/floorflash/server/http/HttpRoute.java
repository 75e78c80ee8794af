package io.floorflash.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * One path of the operator HTTP side ({@code /api/transfers}, {@code /metrics}, {@code /firmware/...}). The router
 * picks the route by path and calls it on the HTTP connection's event loop: a route must not block (hand slow work
 * to another executor and write the answer from its callback).
 */
@FunctionalInterface
public interface HttpRoute {
    /**
     * Writes the whole answer to {@code request} on {@code ctx}, honouring keep-alive
     * ({@link io.netty.handler.codec.http.HttpUtil#isKeepAlive}). The router releases {@code request} after this
     * returns: retain anything needed later.
     */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri);
}

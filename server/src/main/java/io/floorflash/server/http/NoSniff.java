package io.floorflash.server.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

/**
 * Puts {@code X-Content-Type-Options: nosniff} on every answer that leaves a connection, whoever wrote it: routes,
 * the router's refusals, the aggregator's 413 and 100 Continue, the header deadline's 408. It sits right after the
 * HTTP codec, so nothing written further in can pass it by.
 */
@Sharable
final class NoSniff extends ChannelOutboundHandlerAdapter {
    static final NoSniff INSTANCE = new NoSniff();
    static final AsciiString NAME = AsciiString.cached("x-content-type-options");
    private static final AsciiString VALUE = AsciiString.cached("nosniff");

    private NoSniff() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            response.headers().set(NAME, VALUE);
        }
        ctx.write(msg, promise);
    }
}

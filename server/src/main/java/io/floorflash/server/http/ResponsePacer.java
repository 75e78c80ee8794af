package io.floorflash.server.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * One request at a time per connection: reads the next request only once the whole answer to the previous one has
 * been written. Answers therefore leave in request order even when a route answers later from a callback (HTTP/1.1
 * pipelining), and a client downloading a large image is not read from until its download is out.
 *
 * <p>Works with auto-read off and a {@link io.netty.handler.flow.FlowControlHandler} in front, which hands on one
 * request per {@code read()} however many arrive in one segment. A {@code read()} ends with the read cycle it joins
 * even when that cycle brought no whole request, so while waiting for one the pacer asks again after each cycle. A
 * route that never answers leaves its connection unread until the idle timeout closes it.
 *
 * <p>State is confined to the connection's event loop.
 */
final class ResponsePacer extends ChannelDuplexHandler {
    /** Between the end of an answer (or the connection's start) and the next request. */
    private boolean awaitingRequest;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
        if (ctx.channel().isActive()) {
            // Added to a connection already up (an EmbeddedChannel, or a pipeline rebuilt): no channelActive will come.
            awaitRequest(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // An accepted connection is active already when its pipeline is built: handlerAdded has asked for the first
        // request. A second read() now would let the flow control hand on two requests at once.
        if (!awaitingRequest) {
            awaitRequest(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        awaitingRequest = false;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (awaitingRequest) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof LastHttpContent) || isInterim(msg)) {
            ctx.write(msg, promise);
            return;
        }
        ChannelPromise written = promise.unvoid();
        ctx.write(msg, written);
        written.addListener((ChannelFuture f) -> {
            if (f.isSuccess() && f.channel().isActive()) {
                awaitRequest(ctx);
            }
        });
    }

    private void awaitRequest(ChannelHandlerContext ctx) {
        awaitingRequest = true;
        ctx.read();
    }

    /** A 1xx answer (100 Continue) is not the end of an exchange. */
    private static boolean isInterim(Object msg) {
        return msg instanceof HttpResponse && ((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
}

package io.floorflash.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Writing whole answers the same way on every route: length, keep-alive, no caching by default. (Every answer also
 * gets {@code X-Content-Type-Options: nosniff} on its way out, from {@link NoSniff} in the pipeline.)
 */
public final class HttpResponses {
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json; charset=utf-8";

    private HttpResponses() {
    }

    /**
     * Sends {@code body} as the whole answer. Takes ownership of {@code body}.
     *
     * @param request the request answered (keep-alive and HEAD are taken from it; its body is not touched)
     */
    public static void send(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status,
                            CharSequence contentType, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        send(ctx, request, response);
    }

    /** Sends {@code text} and a line end as {@code text/plain}. */
    public static void text(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text) {
        send(ctx, request, status, TEXT, ByteBufUtil.writeUtf8(ctx.alloc(), text + "\n"));
    }

    /**
     * Sends {@code response}, filling in what every answer carries unless already set: Content-Length,
     * Cache-Control: no-store, and the connection's fate. Takes ownership of
     * {@code response}. A request without keep-alive, or an answer that says {@code Connection: close}, closes the
     * connection once written. The HTTP codec drops the body of an answer to HEAD and keeps its length.
     */
    public static void send(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
        if (!response.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request)
                && !response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}

package io.floorflash.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * What a route needs to answer a request after the router has released it: the request's version, method and
 * keep-alive, taken when the request arrives, and the one way answers are sent.
 */
record RouteAnswers(HttpVersion version, HttpMethod method, boolean keepAlive) {
    static final String TEXT = "text/plain; charset=utf-8";

    static RouteAnswers of(FullHttpRequest request) {
        return new RouteAnswers(request.protocolVersion(), request.method(), HttpUtil.isKeepAlive(request));
    }

    boolean head() {
        return HttpMethod.HEAD.equals(method);
    }

    /** A response with no body yet, carrying the connection header. */
    HttpResponse headers(HttpResponseStatus status) {
        HttpResponse response = new DefaultHttpResponse(version, status);
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    /** {@code message} and a line end as a plain-text answer; the body is left out for HEAD, its length kept. */
    void text(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
        send(ctx, text(status, message));
    }

    /** The answer {@link #text(ChannelHandlerContext, HttpResponseStatus, String)} sends, for more headers. */
    FullHttpResponse text(HttpResponseStatus status, String message) {
        return full(status, TEXT, Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    }

    /** {@code 405} naming the methods allowed. */
    void methodNotAllowed(ChannelHandlerContext ctx, String allowed) {
        FullHttpResponse response = full(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
                Unpooled.copiedBuffer("Method " + method + " not allowed; use " + allowed + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.ALLOW, allowed);
        send(ctx, response);
    }

    /**
     * A whole answer with {@code content} as its body (left out for HEAD). Takes ownership of {@code content}.
     */
    void body(ChannelHandlerContext ctx, HttpResponseStatus status, CharSequence contentType, ByteBuf content) {
        send(ctx, full(status, contentType, content));
    }

    /** Writes {@code response} and closes the connection after it unless kept alive. Takes ownership of {@code response}. */
    void send(ChannelHandlerContext ctx, FullHttpResponse response) {
        ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private FullHttpResponse full(HttpResponseStatus status, CharSequence contentType, ByteBuf content) {
        int length = content.readableBytes();
        FullHttpResponse response;
        if (head()) {
            content.release();
            response = new DefaultFullHttpResponse(version, status, Unpooled.EMPTY_BUFFER);
        } else {
            response = new DefaultFullHttpResponse(version, status, content);
        }
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }
}

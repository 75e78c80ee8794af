package io.floorflash.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of an HTTP connection: answers malformed requests, then asks the side's {@link HttpGate} (Host
 * header, token), then answers methods other than GET and HEAD and requests with a body itself, and hands the rest to
 * the {@link HttpRoute} of their path (404 when none). Releases every request after its route returns. Closes
 * connections that stay idle.
 */
@Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    /** How long a refused connection still reads (and drops) what the client sends before it is closed. */
    private static final int LINGER_SECONDS = 2;

    private final HttpRoutes routes;
    private final HttpGate gate;

    HttpRouter(HttpRoutes routes, HttpGate gate) {
        this.routes = routes;
        this.gate = gate;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            log.debug("malformed HTTP request from {}: {}", ctx.channel().remoteAddress(), String.valueOf(cause));
            if (cause instanceof TooLongHttpLineException) {
                refuse(ctx, request, HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
            } else if (cause instanceof TooLongHttpHeaderException) {
                refuse(ctx, request, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
            } else {
                refuse(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            }
            return;
        }
        QueryStringDecoder uri;
        try {
            uri = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8);
            // Both decode lazily: a bad escape in either is the client's mistake, found here rather than in a route.
            uri.path();
            uri.parameters();
        } catch (IllegalArgumentException e) {
            refuse(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed URI: " + e.getMessage());
            return;
        }
        if (!gate.admit(ctx, request, uri)) {
            return;
        }
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            FullHttpResponse response = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method " + method + " not allowed (expected: GET or HEAD)");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            HttpResponses.send(ctx, request, response);
            return;
        }
        if (request.content().isReadable() || HttpUtil.isTransferEncodingChunked(request)) {
            HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST, "a request body is not accepted here");
            return;
        }
        HttpRoute route = routes.find(uri.path());
        if (route == null) {
            HttpResponses.text(ctx, request, HttpResponseStatus.NOT_FOUND, "not found");
            return;
        }
        route.handle(ctx, request, uri);
    }

    /**
     * Answers and ends the connection: after a malformed request the rest of the stream cannot be trusted. The output
     * is shut first and what the client still sends is read and dropped for a moment ("lingering close"): closing
     * with unread bytes would make the kernel reset the connection and the client might never see the answer.
     */
    private static void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String why) {
        FullHttpResponse response = textResponse(status, why);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        ctx.writeAndFlush(response).addListener(written -> lingerAndClose(ctx));
    }

    private static void lingerAndClose(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (channel instanceof DuplexChannel && channel.isActive()) {
            ((DuplexChannel) channel).shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
        } else {
            ctx.close();
        }
    }

    private static FullHttpResponse textResponse(HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        response.content().writeCharSequence(text + "\n", StandardCharsets.UTF_8);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.TEXT);
        return response;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset connection or a route's bug: either way this connection is done. Routes are ours, so log those.
        if (cause instanceof java.io.IOException) {
            log.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), String.valueOf(cause));
        } else {
            log.error("HTTP route failed on {}", ctx.channel().remoteAddress(), cause);
            if (ctx.channel().isActive()) {
                FullHttpResponse response = textResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                HttpUtil.setContentLength(response, response.content().readableBytes());
                ctx.writeAndFlush(response).addListener(written -> lingerAndClose(ctx));
                return;
            }
        }
        ctx.close();
    }
}

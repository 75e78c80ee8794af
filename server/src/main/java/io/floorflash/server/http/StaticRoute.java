package io.floorflash.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * One file of the floor page, read from the classpath once at start-up (never from disk on an event loop) and sent
 * from memory. HTML goes out with a Content-Security-Policy that allows scripts, styles and fetches from this server
 * only: no inline script, no other origin.
 */
public final class StaticRoute implements HttpRoute {
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final byte[] content;
    private final String contentType;

    private StaticRoute(byte[] content, String contentType) {
        this.content = content;
        this.contentType = contentType;
    }

    /**
     * @param resource classpath name, e.g. {@code floor/index.html}
     * @throws UncheckedIOException when the resource is missing (a packaging bug)
     */
    public static StaticRoute of(String resource, String contentType) {
        try (InputStream in = StaticRoute.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("resource " + resource + " is missing from the classpath"));
            }
            return new StaticRoute(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(content));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        if (contentType.startsWith("text/html")) {
            response.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, POLICY);
            response.headers().set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
        }
        HttpResponses.send(ctx, request, response);
    }
}

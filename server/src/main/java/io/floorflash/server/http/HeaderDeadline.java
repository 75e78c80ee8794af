package io.floorflash.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request must arrive whole (request line, headers, any body) within a deadline counted from its first byte, and a
 * connection's first request within the deadline from the connection's start; otherwise the connection gets 408 and
 * is closed. The idle timeout alone resets on every byte, so a client trickling one byte at a time (slowloris) would
 * keep its connection for ever; this does not. Between requests of a kept-alive connection only the idle timeout
 * applies.
 *
 * <p>Two stages share one deadline per connection: {@link #bytes()} before the HTTP codec sees a request's first
 * bytes arrive, {@link #requests()} after it sees the request end ({@link LastHttpContent}, which the codec also
 * emits for a request it could not decode). State is confined to the connection's event loop.
 */
final class HeaderDeadline {
    private static final Logger log = LoggerFactory.getLogger(HeaderDeadline.class);

    private final long timeoutNanos;
    private final GuardCounters counters;
    /** The stage after the codec: the 408 is written from there so the codec encodes it. */
    private ChannelHandlerContext responder;
    /** Armed while a request is on its way; null between requests. */
    private ScheduledFuture<?> timer;

    HeaderDeadline(Duration timeout, GuardCounters counters) {
        this.timeoutNanos = timeout.toNanos();
        this.counters = counters;
    }

    /** The stage before the codec: arms the deadline when a request's first bytes arrive. */
    ChannelHandler bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf && buf.isReadable()) {
                    arm();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** The stage after the codec: disarms the deadline when a request has arrived whole. */
    ChannelHandler requests() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                responder = ctx;
                if (ctx.channel().isActive()) {
                    arm();
                }
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                arm();
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LastHttpContent) {
                    disarm();
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                disarm();
                ctx.fireChannelInactive();
            }

            @Override
            public void handlerRemoved(ChannelHandlerContext ctx) {
                disarm();
            }
        };
    }

    private void arm() {
        if (timer == null && responder != null) {
            timer = responder.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        if (!responder.channel().isActive()) {
            return;
        }
        counters.headerTimeouts.increment();
        log.debug("HTTP connection {}: no whole request within {} ms; closing", responder.channel().remoteAddress(),
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                Unpooled.copiedBuffer("Request timeout: the request did not arrive whole in time\n", StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.TEXT)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        responder.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}

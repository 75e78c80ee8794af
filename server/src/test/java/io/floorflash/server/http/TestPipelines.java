package io.floorflash.server.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;

/** HTTP pipelines in {@link EmbeddedChannel}s, as {@link HttpListener} builds them for a connection. */
final class TestPipelines {
    /** The operator side's address in these tests. */
    static final InetSocketAddress OPERATOR = new InetSocketAddress("127.0.0.1", 8069);
    static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private TestPipelines() {
    }

    /** The defaults, with {@code maxRequestBytes}. */
    static HttpLimits limits(int maxRequestBytes) {
        return new HttpLimits(maxRequestBytes, IDLE_TIMEOUT, HEADER_TIMEOUT, 100);
    }

    /** A connection a client at 127.0.0.1:50000 opened to {@code local}, with no handlers yet. */
    static EmbeddedChannel connectionTo(InetSocketAddress local) {
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress localAddress0() {
                return isActive() ? local : null;
            }

            @Override
            protected SocketAddress remoteAddress0() {
                return isActive() ? new InetSocketAddress("127.0.0.1", 50_000) : null;
            }
        };
    }

    /** Writes {@code request} to {@code channel}, runs what it scheduled for now, and returns all written back, as text. */
    static String exchange(EmbeddedChannel channel, String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, ISO_8859_1));
        channel.runPendingTasks();
        return written(channel);
    }

    /** Everything {@code channel} has written so far, as text. */
    static String written(EmbeddedChannel channel) {
        StringBuilder answer = new StringBuilder();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            try {
                answer.append(buf.toString(ISO_8859_1));
            } finally {
                buf.release();
            }
        }
        return answer.toString();
    }
}

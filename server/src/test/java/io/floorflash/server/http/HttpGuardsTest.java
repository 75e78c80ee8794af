package io.floorflash.server.http;

import static io.floorflash.server.http.TestPipelines.exchange;
import static io.floorflash.server.http.TestPipelines.written;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP guards in the real pipeline ({@link HttpListener#configure}) on an {@link EmbeddedChannel} connected to
 * 127.0.0.1:8069: the request deadline, nosniff on answers the routes do not write themselves, and the connection
 * cap.
 */
class HttpGuardsTest {
    private static final String HOST = "Host: 127.0.0.1:8069\r\n";

    private final GuardCounters counters = new GuardCounters();
    private final HttpRoutes routes = HttpRoutes.builder()
            .exact("/", (ctx, request, uri) -> HttpResponses.text(ctx, request, HttpResponseStatus.OK, "the page"))
            .exact("/api/transfers", (ctx, request, uri) -> HttpResponses.text(ctx, request, HttpResponseStatus.OK, "{}"))
            .exact(HealthRoutes.HEALTHZ, HealthRoutes.healthz())
            .exact(HealthRoutes.READYZ, HealthRoutes.readyz(() -> true))
            .prefix(FirmwareRoute.PREFIX, FirmwareRoute.elsewhere(SideRoutes.where(null)))
            .build();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final LeakWatch leaks = new LeakWatch();

    @AfterEach
    void closeChannelsAndLookForLeaks() {
        try (leaks) {
            for (EmbeddedChannel channel : channels) {
                channel.finishAndReleaseAll();
            }
            leaks.assertNoLeaks();
        }
    }

    @Test
    void aRequestTrickledByteByByteIsCutAtTheDeadline() {
        EmbeddedChannel channel = operator();
        assertThat(exchange(channel, "GET /healthz HTTP/1.1\r\n" + HOST + "\r\n")).startsWith("HTTP/1.1 200 ");
        channel.advanceTimeBy(30, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("between requests only the idle timeout counts").isTrue();

        // One byte every 2 s: the idle timeout (60 s) never fires, the request deadline (10 s) does.
        String slow = "GET /healthz HTTP/1.1\r\n" + HOST;
        for (int i = 0; i < 5; i++) {
            channel.writeInbound(Unpooled.copiedBuffer(slow.substring(i, i + 1), ISO_8859_1));
            channel.advanceTimeBy(2, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            assertThat(channel.isOpen()).as("after %d s", 2 * (i + 1)).isEqualTo(i < 4);
        }

        assertThat(written(channel)).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("connection: close\r\n",
                "x-content-type-options: nosniff");
        assertThat(counters.headerTimeouts()).isEqualTo(1);
    }

    @Test
    void aConnectionThatSendsNothingIsCutAtTheDeadline() {
        EmbeddedChannel channel = operator();

        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(written(channel)).startsWith("HTTP/1.1 408 ");
        assertThat(counters.headerTimeouts()).isEqualTo(1);
    }

    @Test
    void aRequestInTimeIsAnsweredAndTheDeadlineStartsAgainWithTheNext() {
        EmbeddedChannel channel = operator();
        channel.writeInbound(Unpooled.copiedBuffer("GET /healthz HTTP/1.1\r\n", ISO_8859_1));
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(exchange(channel, HOST + "\r\n")).startsWith("HTTP/1.1 200 ");
        channel.writeInbound(Unpooled.copiedBuffer("GET /healthz HTTP/1.1\r\n", ISO_8859_1));
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(exchange(channel, HOST + "\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(channel.isOpen()).isTrue();
        assertThat(counters.headerTimeouts()).isZero();
    }

    @Test
    void answersTheRoutesDoNotWriteSayNosniffToo() {
        EmbeddedChannel channel = operator();

        // The aggregator answers these itself, the router the last.
        assertThat(exchange(channel, "GET / HTTP/1.1\r\n" + HOST + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n"))
                .startsWith("HTTP/1.1 100 Continue\r\n").contains("x-content-type-options: nosniff");
        assertThat(exchange(channel, "hello")).startsWith("HTTP/1.1 400 ").contains("x-content-type-options: nosniff");
        assertThat(exchange(channel, "GET /firmware/x.bin HTTP/1.1\r\n" + HOST + "\r\n")).as("RouteAnswers")
                .startsWith("HTTP/1.1 404 ").contains("x-content-type-options: nosniff");
        assertThat(exchange(channel, "GET / HTTP/1.1\r\n" + HOST + "Content-Length: 5000\r\n\r\n"))
                .startsWith("HTTP/1.1 413 ").contains("x-content-type-options: nosniff");
    }

    @Test
    void connectionsBeyondTheCapAreClosedOnArrivalAndCounted() {
        ConnectionCap cap = new ConnectionCap(HttpSide.OPERATOR, 2, counters);
        EmbeddedChannel first = track(new EmbeddedChannel());
        EmbeddedChannel second = track(new EmbeddedChannel());
        EmbeddedChannel third = track(new EmbeddedChannel());

        assertThat(cap.admit(first)).isTrue();
        assertThat(cap.admit(second)).isTrue();
        assertThat(cap.admit(third)).isFalse();

        assertThat(third.isOpen()).isFalse();
        assertThat(first.isOpen()).isTrue();
        assertThat(counters.connectionsOpen()).isEqualTo(2);
        assertThat(counters.connectionsRefused()).isEqualTo(1);

        first.close();
        EmbeddedChannel fourth = track(new EmbeddedChannel());
        assertThat(counters.connectionsOpen()).isEqualTo(1);
        assertThat(cap.admit(fourth)).isTrue();
        assertThat(counters.connectionsOpen()).isEqualTo(2);
        assertThat(counters.connectionsRefused()).isEqualTo(1);
    }

    /** The operator side's pipeline on a connection to 127.0.0.1:8069. */
    private EmbeddedChannel operator() {
        EmbeddedChannel channel = track(TestPipelines.connectionTo(TestPipelines.OPERATOR));
        HttpListener.configure(channel.pipeline(), new HttpRouter(routes), TestPipelines.limits(1024), counters);
        return channel;
    }

    private EmbeddedChannel track(EmbeddedChannel channel) {
        channels.add(channel);
        return channel;
    }
}

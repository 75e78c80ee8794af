package io.floorflash.server.http;

import static io.floorflash.server.http.TestPipelines.exchange;
import static io.floorflash.server.http.TestPipelines.written;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.AllowedHost;
import io.floorflash.protocol.codec.LeakProbe;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator side's guards in its real pipeline ({@link HttpListener#configure}) on an {@link EmbeddedChannel}
 * connected to 127.0.0.1:8069: the Host check, the token and the browser's login, the request deadline, nosniff on
 * answers the routes do not write themselves, and the connection cap.
 */
class HttpGuardsTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final String HOST = "Host: 127.0.0.1:8069\r\n";
    private static final String BEARER = "Authorization: Bearer " + TOKEN + "\r\n";

    private final GuardCounters counters = new GuardCounters();
    private final HttpRoutes routes = HttpRoutes.builder()
            .exact("/", (ctx, request, uri) -> HttpResponses.text(ctx, request, HttpResponseStatus.OK, "the page"))
            .exact("/api/transfers", (ctx, request, uri) -> HttpResponses.text(ctx, request, HttpResponseStatus.OK, "{}"))
            .exact(HealthRoutes.HEALTHZ, HealthRoutes.healthz())
            .exact(HealthRoutes.READYZ, HealthRoutes.readyz(() -> true))
            .prefix(FirmwareRoute.PREFIX, FirmwareRoute.elsewhere(SideRoutes.where(null)))
            .build();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final LeakProbe leaks = new LeakProbe();

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
    void aRebindingHostGets421AndIsCounted() {
        EmbeddedChannel channel = operator(null, List.of());

        String answer = exchange(channel, "GET /api/transfers HTTP/1.1\r\nHost: evil.example:8069\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 421 Misdirected Request\r\n").contains("x-content-type-options: nosniff")
                .endsWith("Misdirected request: this server does not answer to the host 'evil.example:8069' (operators"
                        + " who reach it by that name add it to floorflash.http.allowed-hosts)\n")
                .doesNotContain("{}");
        assertThat(exchange(channel, "GET /api/transfers HTTP/1.1\r\n" + HOST + "\r\n")).startsWith("HTTP/1.1 200 ")
                .endsWith("{}\n");
        assertThat(exchange(channel, "GET /healthz HTTP/1.1\r\nHost: evil.example\r\n\r\n"))
                .as("the health checks too").startsWith("HTTP/1.1 421 ");
        assertThat(exchange(channel, "GET /healthz HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ")
                .endsWith("exactly one Host header is required\n");
        assertThat(counters.deniedByHost()).isEqualTo(3);
        assertThat(counters.deniedByToken()).isZero();
    }

    @Test
    void anAllowedHostIsServed() {
        EmbeddedChannel channel = operator(null, List.of(new AllowedHost("floor.example.com", 0)));

        assertThat(exchange(channel, "GET / HTTP/1.1\r\nHost: floor.example.com\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(exchange(channel, "GET / HTTP/1.1\r\nHost: localhost:8069\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(counters.deniedByHost()).isZero();
    }

    @Test
    void withATokenEveryOperatorPathButHealthNeedsIt() {
        EmbeddedChannel channel = operator(OperatorToken.of(TOKEN), List.of());

        for (String path : List.of("/", "/api/transfers", "/metrics", "/no/such/page", "/?token=wrong-token-wrong-token")) {
            String answer = exchange(channel, "GET " + path + " HTTP/1.1\r\n" + HOST + "\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 401 Unauthorized\r\n")
                    .contains("www-authenticate: Bearer realm=\"floorflash\"\r\n", "x-content-type-options: nosniff")
                    .doesNotContain(TOKEN);
        }
        assertThat(exchange(channel, "GET /api/transfers HTTP/1.1\r\n" + HOST + "Authorization: Bearer nope\r\n\r\n"))
                .startsWith("HTTP/1.1 401 ");
        assertThat(counters.deniedByToken()).isEqualTo(6);

        assertThat(exchange(channel, "GET /api/transfers HTTP/1.1\r\n" + HOST + BEARER + "\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(exchange(channel, "GET /healthz HTTP/1.1\r\n" + HOST + "\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(exchange(channel, "GET /readyz HTTP/1.1\r\n" + HOST + "\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(exchange(channel, "GET /firmware/snom320.bin HTTP/1.1\r\n" + HOST + "\r\n"))
                .startsWith("HTTP/1.1 404 ").contains("firmware HTTP side: it is off");
        assertThat(counters.deniedByToken()).isEqualTo(6);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void theHostIsCheckedBeforeTheToken() {
        EmbeddedChannel channel = operator(OperatorToken.of(TOKEN), List.of());

        assertThat(exchange(channel, "GET / HTTP/1.1\r\nHost: evil.example\r\n" + BEARER + "\r\n")).startsWith("HTTP/1.1 421 ");
        assertThat(counters.deniedByHost()).isEqualTo(1);
        assertThat(counters.deniedByToken()).isZero();
    }

    @Test
    void theBrowserLogsInOnceAndTheCookieCarriesTheTokenFromThen() {
        EmbeddedChannel channel = operator(OperatorToken.of(TOKEN), List.of());

        String login = exchange(channel, "GET /?token=" + TOKEN + " HTTP/1.1\r\n" + HOST + "\r\n");

        assertThat(login).startsWith("HTTP/1.1 303 See Other\r\n").contains("location: /\r\n",
                "set-cookie: floorflash_token=" + TOKEN + "; Path=/; HTTPOnly; SameSite=Strict\r\n",
                "x-content-type-options: nosniff");
        String cookie = "Cookie: floorflash_token=" + TOKEN + "\r\n";
        assertThat(exchange(channel, "GET / HTTP/1.1\r\n" + HOST + cookie + "\r\n")).startsWith("HTTP/1.1 200 ")
                .endsWith("the page\n");
        assertThat(exchange(channel, "GET /api/transfers HTTP/1.1\r\n" + HOST + cookie + "\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(counters.deniedByToken()).isZero();
    }

    @Test
    void aRequestTrickledByteByByteIsCutAtTheDeadline() {
        EmbeddedChannel channel = operator(null, List.of());
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
        EmbeddedChannel channel = operator(null, List.of());

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
        EmbeddedChannel channel = operator(null, List.of());
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
        EmbeddedChannel channel = operator(null, List.of());

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

    /** The operator side's pipeline on a connection to 127.0.0.1:8069, with {@code token} (or none). */
    private EmbeddedChannel operator(OperatorToken token, List<AllowedHost> allowed) {
        EmbeddedChannel channel = track(TestPipelines.connectionTo(TestPipelines.OPERATOR));
        HttpGate gate = new OperatorGate(new HostCheck(allowed), token, counters);
        HttpListener.configure(channel.pipeline(), new HttpRouter(routes, gate), TestPipelines.limits(1024), counters);
        return channel;
    }

    private EmbeddedChannel track(EmbeddedChannel channel) {
        channels.add(channel);
        return channel;
    }
}

package io.floorflash.server.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HttpRouterTest {
    private static final String NOSNIFF = "x-content-type-options: nosniff\r\n";
    private final HttpRoutes routes = HttpRoutes.builder()
            .exact("/healthz", HealthRoutes.healthz())
            .exact("/readyz", HealthRoutes.readyz(() -> false))
            .exact("/boom", (ctx, request, uri) -> {
                throw new IllegalStateException("a bug in a route");
            })
            .prefix("/firmware/", (ctx, request, uri) -> HttpResponses.text(ctx, request, HttpResponseStatus.OK,
                    "short " + uri.path()))
            .prefix("/firmware/snom/", (ctx, request, uri) -> HttpResponses.text(ctx, request, HttpResponseStatus.OK,
                    "long " + uri.path() + " " + uri.parameters().get("v")))
            .build();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    HttpRouterTest() {
        HttpListener.configure(channel.pipeline(), new HttpRouter(routes, HttpGate.OPEN), TestPipelines.limits(1024),
                new GuardCounters());
    }

    @Test
    void answersAnExactPathAndKeepsTheConnection() {
        String answer = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 3\r\n", "cache-control: no-store",
                "x-content-type-options: nosniff", "content-type: text/plain; charset=utf-8").endsWith("\r\n\r\nok\n");
        assertThat(channel.isOpen()).isTrue();
        assertThat(exchange("GET /readyz HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                .endsWith("not accepting requests\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theLongestPrefixWinsAndTheQueryIsDecoded() {
        assertThat(exchange("GET /firmware/snom/a%20b.bin?v=2 HTTP/1.1\r\n\r\n")).endsWith("long /firmware/snom/a b.bin [2]\n");
        assertThat(exchange("GET /firmware/x.bin HTTP/1.1\r\n\r\n")).endsWith("short /firmware/x.bin\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anUnknownPathIs404() {
        assertThat(exchange("GET /nothing/here HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 Not Found\r\n")
                .contains(NOSNIFF);
        assertThat(exchange("GET /firmware HTTP/1.1\r\n\r\n")).as("a prefix needs its slash").startsWith("HTTP/1.1 404 ");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headGetsTheHeadersAndNoBody() {
        String answer = exchange("HEAD /healthz HTTP/1.1\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 3\r\n").endsWith("\r\n\r\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void otherMethodsGet405WithAllow() {
        String answer = exchange("DELETE /healthz HTTP/1.1\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 405 Method Not Allowed\r\n").contains("allow: GET, HEAD\r\n", NOSNIFF);
        assertThat(exchange("POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n")).startsWith("HTTP/1.1 405 ");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aSmallBodyGets400AndALargeOne413() {
        assertThat(exchange("GET /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"))
                .startsWith("HTTP/1.1 400 Bad Request\r\n").endsWith("a request body is not accepted here\n");

        String large = exchange("GET /healthz HTTP/1.1\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n" + "x".repeat(5000));

        assertThat(large).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n").contains(NOSNIFF);
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void aHugeUriGets414AndTheConnectionCloses() {
        String answer = exchange("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 414 Request-URI Too Long\r\n").contains("connection: close\r\n", NOSNIFF);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void hugeHeadersGet431() {
        String answer = exchange("GET /healthz HTTP/1.1\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n").contains(NOSNIFF);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void garbageGets400AndTheConnectionCloses() {
        String answer = exchange("\u0001\u0002 garbage \u00ff\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n").contains(NOSNIFF).endsWith("malformed HTTP request\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aBadPercentEscapeGets400() {
        assertThat(exchange("GET /%zz HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("\r\n\r\nmalformed URI: ").contains("%zz");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFailingRouteGets500AndTheConnectionCloses() {
        assertThat(exchange("GET /boom HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 500 Internal Server Error\r\n")
                .contains(NOSNIFF);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() {
        assertThat(exchange("GET /healthz HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n")
                .contains("connection: close\r\n").endsWith("ok\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anIdleConnectionIsClosed() {
        assertThat(exchange("GET /healthz HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(61, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void duplicateRoutesAreRefusedAtAssembly() {
        HttpRoutes.Builder builder = HttpRoutes.builder().exact("/a", HealthRoutes.healthz());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.exact("/a", HealthRoutes.healthz()))
                .hasMessage("path /a has a route already");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.prefix("/b", HealthRoutes.healthz()))
                .hasMessage("prefix /b (expected: ending with /)");
    }

    /** Writes {@code request} and returns everything written back, as text. */
    private String exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, ISO_8859_1));
        return TestPipelines.written(channel);
    }
}

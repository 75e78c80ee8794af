package io.floorflash.server.firmware.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpOriginTest {
    private static final byte[] IMAGE = "firmware bytes, not many".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path temp;
    private HttpServer server;
    private ExecutorService threads;
    private final AtomicReference<String> lastPath = new AtomicReference<>();
    private final AtomicReference<String> lastIfNoneMatch = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        threads = Executors.newFixedThreadPool(2);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/firmware/", exchange -> {
            lastPath.set(exchange.getRequestURI().getRawPath());
            lastIfNoneMatch.set(exchange.getRequestHeaders().getFirst("If-None-Match"));
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/broken.bin")) {
                exchange.sendResponseHeaders(503, -1);
            } else if (path.endsWith("/snom320.bin") || path.endsWith("/a b/ü+.bin")) {
                exchange.getResponseHeaders().add("ETag", "\"v1\"");
                exchange.getResponseHeaders().add("x-amz-checksum-sha256",
                        Base64.getEncoder().encodeToString(digest(IMAGE)));
                if ("\"v1\"".equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                    exchange.sendResponseHeaders(304, -1);
                } else if (exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().add("Content-Length", String.valueOf(IMAGE.length));
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    exchange.sendResponseHeaders(200, IMAGE.length);
                    try (OutputStream body = exchange.getResponseBody()) {
                        body.write(IMAGE);
                    }
                }
            } else if (path.endsWith("/chunked.bin")) {
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(IMAGE);
                }
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    private HttpOrigin origin() {
        return new HttpOrigin(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/firmware/"),
                Duration.ofSeconds(2), Duration.ofSeconds(2), threads);
    }

    @Test
    void fetchesTheBodyWithItsValidatorAndStatedChecksum() throws Exception {
        Path target = temp.resolve("out");

        Origin.Fetched fetched = origin().fetch("releases/snom320.bin", Optional.empty(), target);

        assertThat(fetched).isInstanceOf(Origin.Body.class);
        Origin.Metadata metadata = ((Origin.Body) fetched).metadata();
        assertThat(metadata.length()).isEqualTo(IMAGE.length);
        assertThat(metadata.etag()).contains("\"v1\"");
        assertThat(metadata.sha256()).contains(HexFormat.of().formatHex(digest(IMAGE)));
        assertThat(Files.readAllBytes(target)).isEqualTo(IMAGE);
        assertThat(lastPath.get()).isEqualTo("/firmware/releases/snom320.bin");
    }

    @Test
    void asksWithIfNoneMatchAndReportsNotModified() throws Exception {
        Origin.Fetched fetched = origin().fetch("snom320.bin", Optional.of("\"v1\""), temp.resolve("out"));

        assertThat(fetched).isInstanceOf(Origin.NotModified.class);
        assertThat(lastIfNoneMatch.get()).isEqualTo("\"v1\"");
    }

    @Test
    void reportsAMissingObjectAndHeadsAPresentOne() throws Exception {
        assertThat(origin().fetch("nope.bin", Optional.empty(), temp.resolve("out"))).isInstanceOf(Origin.Missing.class);
        assertThat(origin().head("nope.bin")).isEmpty();
        assertThat(origin().head("snom320.bin")).get().extracting(Origin.Metadata::length).isEqualTo((long) IMAGE.length);
    }

    @Test
    void percentEncodesEachPathSegment() throws Exception {
        origin().fetch("a b/ü+.bin", Optional.empty(), temp.resolve("out"));

        assertThat(lastPath.get()).isEqualTo("/firmware/a%20b/%C3%BC%2B.bin");
    }

    @Test
    void aServerErrorIsAnOriginException() {
        assertThatThrownBy(() -> origin().fetch("broken.bin", Optional.empty(), temp.resolve("out")))
                .isInstanceOf(OriginException.class).hasMessageContaining("HTTP 503");
    }

    @Test
    void refusesABodyWithoutContentLength() {
        assertThatThrownBy(() -> origin().fetch("chunked.bin", Optional.empty(), temp.resolve("out")))
                .isInstanceOf(OriginException.class).hasMessageContaining("no Content-Length");
    }

    @Test
    void anUnreachableOriginIsAnOriginException() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        HttpOrigin closed = new HttpOrigin(URI.create("http://127.0.0.1:" + port + "/"), Duration.ofSeconds(2),
                Duration.ofSeconds(2), threads);

        assertThatThrownBy(() -> closed.fetch("x.bin", Optional.empty(), temp.resolve("out")))
                .isInstanceOf(OriginException.class);
    }

    @Test
    void aBodyCutShortIsAnOriginException() throws Exception {
        try (ServerSocket liar = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            threads.execute(() -> {
                try (Socket socket = liar.accept()) {
                    socket.getInputStream().read(new byte[4096]);
                    socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: \"x\"\r\n\r\n"
                            + "only a few bytes").getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    // the test fails on the client side if this side breaks
                }
            });
            HttpOrigin origin = new HttpOrigin(URI.create("http://127.0.0.1:" + liar.getLocalPort() + "/"),
                    Duration.ofSeconds(2), Duration.ofSeconds(2), threads);

            assertThatThrownBy(() -> origin.fetch("x.bin", Optional.empty(), temp.resolve("out")))
                    .isInstanceOf(OriginException.class);
        }
    }

    @Test
    void readsTheChecksumHeadersItKnows() {
        String hex = HexFormat.of().formatHex(digest(IMAGE));
        String b64 = Base64.getEncoder().encodeToString(digest(IMAGE));

        assertThat(HttpOrigin.sha256Of(headers("Repr-Digest", "sha-512=:AAAA:, sha-256=:" + b64 + ":"))).contains(hex);
        assertThat(HttpOrigin.sha256Of(headers("Digest", "SHA-256=" + b64))).contains(hex);
        assertThat(HttpOrigin.sha256Of(headers("x-amz-checksum-sha256", b64))).contains(hex);
        assertThat(HttpOrigin.sha256Of(headers("Digest", "md5=abc"))).isEmpty();
    }

    private static HttpHeaders headers(String name, String value) {
        return HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true);
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.floorflash.server.it;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two HTTP sides of a real server over real sockets: firmware on one port and the operator side on another, each
 * serving only its own paths; a slowloris client cut at the request deadline; the connection cap.
 */
class HttpSidesIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration REPLY = Duration.ofSeconds(10);
    private static final String IMAGE = "snom820-r.bin";

    @TempDir
    Path root;
    @TempDir
    Path work;

    @Test
    void firmwareAndTheOperatorSideListenApartAndServeOnlyTheirOwnPaths() throws Exception {
        Path image = SeededFiles.write(root, IMAGE, 100_000, 4);
        try (TestServer server = TestServer.start(root, TestServer.FIRMWARE_SIDE)) {
            InetSocketAddress operator = server.server().httpAddress().orElseThrow();
            InetSocketAddress firmware = server.server().firmwareHttpAddress().orElseThrow();
            assertThat(firmware.getPort()).isNotEqualTo(operator.getPort());

            Path out = work.resolve("out.bin");
            ExternalProcess.Finished curl = curl("-o", out.toString(), server.firmwareUrl("/firmware/" + IMAGE));
            assertThat(curl.output()).isEqualTo("200");
            assertThat(SeededFiles.sha256(out)).isEqualTo(SeededFiles.sha256(image));
            assertThat(get(server.firmwareUrl("/healthz")).statusCode()).isEqualTo(200);

            for (String path : List.of("/api/transfers", "/metrics", "/", "/floor.js", "/readyz")) {
                HttpResponse<String> answer = get(server.firmwareUrl(path));
                assertThat(answer.statusCode()).as("firmware side %s", path).isEqualTo(404);
                assertThat(answer.body()).as("firmware side %s", path).doesNotContain("127.0.0.1", "floorflash_");
            }

            HttpResponse<String> moved = get(server.operatorUrl("/firmware/" + IMAGE));
            assertThat(moved.statusCode()).isEqualTo(404);
            assertThat(moved.body()).isEqualTo("Not found: firmware is not served on this operator side but on the"
                    + " firmware HTTP side: http://127.0.0.1:" + firmware.getPort() + "/firmware/NAME\n");
            assertThat(get(server.operatorUrl("/api/transfers")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withTheFirmwareSideOffTheOperatorSideSaysHowToTurnItOn() throws Exception {
        try (TestServer server = TestServer.start(root)) {
            assertThat(server.server().firmwareHttpAddress()).isEmpty();

            HttpResponse<String> moved = get(server.operatorUrl("/firmware/" + IMAGE));

            assertThat(moved.statusCode()).isEqualTo(404);
            assertThat(moved.body()).contains("it is off (turn it on with --firmware-http-address");
        }
    }

    @ParameterizedTest(name = "{0} side")
    @CsvSource({"operator", "firmware"})
    void aClientTricklingItsRequestIsCutAtTheDeadline(String side) throws Exception {
        Map<String, Object> settings = new HashMap<>(TestServer.FIRMWARE_SIDE);
        settings.put("floorflash.http.header-timeout", "1 second");
        settings.put("floorflash.http.idle-timeout", "60 seconds");
        try (TestServer server = TestServer.start(root, settings);
             Socket socket = new Socket()) {
            InetSocketAddress address = side.equals("operator") ? server.server().httpAddress().orElseThrow()
                    : server.server().firmwareHttpAddress().orElseThrow();
            socket.connect(address, 5000);
            socket.setSoTimeout(10_000);
            byte[] request = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort() + "\r\nX-Slow: "
                    + "a".repeat(1000)).getBytes(ISO_8859_1);
            OutputStream out = socket.getOutputStream();
            AtomicInteger sent = new AtomicInteger();
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            long started = System.nanoTime();
            try {
                trickle.scheduleAtFixedRate(() -> {
                    try {
                        out.write(request[sent.get()]);
                        out.flush();
                        sent.incrementAndGet();
                    } catch (IOException e) {
                        throw new IllegalStateException("closed", e); // ends the trickle
                    }
                }, 0, 200, TimeUnit.MILLISECONDS);
                CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readUntilClosed(socket));

                await("the server closes the connection").atMost(Duration.ofSeconds(5)).until(answer::isDone);

                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertThat(elapsedMs).as("closed after the 1 s deadline, not the 60 s idle timeout").isBetween(900L, 3000L);
                assertThat(sent.get()).as("bytes trickled before the close").isGreaterThanOrEqualTo(4);
                String text = answer.get();
                if (!text.isEmpty()) {
                    assertThat(text).startsWith("HTTP/1.1 408 Request Timeout\r\n");
                }
            } finally {
                trickle.shutdownNow();
            }
            Map<String, Double> metrics = metrics(server);
            assertThat(metrics.get("floorflash_http_header_timeouts_total{side=\"" + side + "\"}")).isEqualTo(1);
        }
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceAndCounted() throws Exception {
        Map<String, Object> settings = new HashMap<>(TestServer.FIRMWARE_SIDE);
        settings.put("floorflash.http.firmware.max-connections", 2);
        Socket first = new Socket();
        try (TestServer server = TestServer.start(root, settings);
             Socket second = new Socket();
             Socket third = new Socket()) {
            InetSocketAddress firmware = server.server().firmwareHttpAddress().orElseThrow();
            first.connect(firmware, 5000);
            second.connect(firmware, 5000);
            await("two connections open").atMost(REPLY).pollInterval(Duration.ofMillis(50))
                    .until(() -> metrics(server).get("floorflash_http_connections_open{side=\"firmware\"}"), n -> n == 2);

            third.connect(firmware, 5000);
            third.setSoTimeout(5000);
            long started = System.nanoTime();
            String answer = readUntilClosed(third);

            assertThat(answer).as("nothing is read or answered").isEmpty();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("closed at once").isLessThan(2000);
            Map<String, Double> metrics = metrics(server);
            assertThat(metrics.get("floorflash_http_connections_refused_total{side=\"firmware\"}")).isEqualTo(1);
            assertThat(metrics.get("floorflash_http_connections_refused_total{side=\"operator\"}")).isZero();

            first.close();
            await("a place free again").atMost(REPLY).pollInterval(Duration.ofMillis(50))
                    .until(() -> metrics(server).get("floorflash_http_connections_open{side=\"firmware\"}"), n -> n == 1);
            assertThat(raw(firmware, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 OK\r\n");
        } finally {
            first.close();
        }
    }

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REPLY);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The operator side's {@code /metrics}, parsed. */
    private static Map<String, Double> metrics(TestServer server) throws Exception {
        HttpResponse<String> response = get(server.operatorUrl("/metrics"));
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    /** curl's status code (printed with {@code -w}); curl itself must exit 0. */
    private static ExternalProcess.Finished curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-w", "%{http_code}"));
        command.addAll(List.of(args));
        ExternalProcess.Finished finished = ExternalProcess.run(command, Duration.ofSeconds(60), "apt-get install curl");
        assertThat(finished.exitCode()).as("%s: %s", command, finished.output()).isZero();
        return finished;
    }

    /** Sends {@code request} on a fresh connection and reads until the server closes it. */
    private static String raw(InetSocketAddress address, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5000);
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request.getBytes(ISO_8859_1));
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // The server may answer and close before it has read everything; the answer is still there.
            }
            return readUntilClosed(socket);
        }
    }

    /** What arrives until the server closes (or resets) the connection. */
    private static String readUntilClosed(Socket socket) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open; received: " + received.toString(ISO_8859_1), e);
        } catch (IOException e) {
            // A reset after the answer: what came before it counts.
        }
        return received.toString(ISO_8859_1);
    }
}

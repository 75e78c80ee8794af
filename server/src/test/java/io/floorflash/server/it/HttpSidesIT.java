package io.floorflash.server.it;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.ServerStartException;
import io.floorflash.server.metrics.Exposition;
import io.floorflash.server.testing.TestServer;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two HTTP sides of a real server over real sockets: firmware on one port and the operator side on another, each
 * serving only its own paths; the Host check against a DNS-rebinding-style name; the token from a file (Bearer, the
 * browser's cookie, open health endpoints, unfit files refused at start); a slowloris client cut at the request
 * deadline; the connection cap; and {@code nosniff} on every answer either side gives.
 */
class HttpSidesIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration REPLY = Duration.ofSeconds(10);
    private static final String TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00";
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

    @Test
    void aRebindingStyleHostGets421AndAnAllowedNameIsServed() throws Exception {
        try (TestServer server = TestServer.start(root, Overrides.none().with(Key.HTTP_ALLOWED_HOSTS, List.of("floor.example.com")))) {
            int port = server.server().httpAddress().orElseThrow().getPort();
            // What a browser sends once evil.example has been re-pointed at 127.0.0.1: its own name in Host.
            String rebound = "http://evil.example:" + port + "/api/transfers";
            ExternalProcess.Finished evil = curl("-o", "/dev/null", "--resolve", "evil.example:" + port + ":127.0.0.1", rebound);
            assertThat(evil.output()).isEqualTo("421");

            ExternalProcess.Finished allowed = curl("-o", "/dev/null", "--resolve", "floor.example.com:" + port + ":127.0.0.1",
                    "http://floor.example.com:" + port + "/api/transfers");
            assertThat(allowed.output()).isEqualTo("200");
            assertThat(curl("-o", "/dev/null", "http://localhost:" + port + "/api/transfers").output()).isEqualTo("200");

            Map<String, Double> metrics = metrics(server, null);
            assertThat(metrics.get("floorflash_http_requests_denied_total{reason=\"host\",side=\"operator\"}")).isEqualTo(1);
        }
    }

    @Test
    void theTokenFromAFileGuardsTheOperatorSideButNotHealthNorFirmware() throws Exception {
        SeededFiles.write(root, IMAGE, 1000, 4);
        Overrides settings = TestServer.FIRMWARE_SIDE.with(Key.HTTP_TOKEN_FILE, tokenFile(TOKEN + "\n", "rw-------"));
        try (TestServer server = TestServer.start(root, settings)) {
            HttpResponse<String> refused = get(server.operatorUrl("/api/transfers"));
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"floorflash\"");
            assertThat(get(server.operatorUrl("/api/transfers"), "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(get(server.operatorUrl("/"), "Authorization", "Basic " + TOKEN).statusCode()).isEqualTo(401);

            assertThat(get(server.operatorUrl("/api/transfers"), "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
            assertThat(get(server.operatorUrl("/healthz")).statusCode()).isEqualTo(200);
            assertThat(get(server.operatorUrl("/readyz")).statusCode()).isEqualTo(200);
            assertThat(get(server.firmwareUrl("/firmware/" + IMAGE)).statusCode()).as("phones need no token").isEqualTo(200);

            // The browser's way, with curl's cookie jar: /?token= once, then the cookie.
            Path jar = work.resolve("cookies");
            ExternalProcess.Finished login = curl("-o", "/dev/null", "-c", jar.toString(), server.operatorUrl("/?token=" + TOKEN));
            assertThat(login.output()).isEqualTo("303");
            assertThat(curl("-o", "/dev/null", "-b", jar.toString(), server.operatorUrl("/api/transfers")).output())
                    .isEqualTo("200");
            assertThat(Files.readString(jar)).contains("#HttpOnly_127.0.0.1", "floorflash_token\t" + TOKEN);

            Map<String, Double> metrics = metrics(server, TOKEN);
            assertThat(metrics.get("floorflash_http_requests_denied_total{reason=\"token\",side=\"operator\"}")).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing      |            | rw------- | no such file",
        "empty        | '\n'       | rw------- | empty (expected: one token",
        "short        | abc        | rw------- | holds no valid token: 3 characters",
        "world-readable | " + TOKEN + " | rw-r--r-- | other users may read or write it (rw-r--r--); make it private: chmod 600"})
    void anUnfitTokenFileStopsTheStartWithTheReason(String name, String content, String mode, String reason) throws Exception {
        Path file = work.resolve(name);
        if (!name.equals("missing")) {
            Files.writeString(file, content == null ? "" : content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        }
        Overrides settings = TestServer.settings(root, Overrides.none().with(Key.HTTP_TOKEN_FILE, file));

        ServerStartException failure = catchThrowableOfType(ServerStartException.class,
                () -> FloorflashServer.start(SettingsLoader.load(settings)).close());

        assertThat(failure).isNotNull();
        assertThat(failure.getMessage()).startsWith("floorflash.http.token-file: " + file + ": ").contains(reason);
        if (content != null && content.length() > 3) {
            assertThat(failure.getMessage()).doesNotContain(content);
        }
    }

    @ParameterizedTest(name = "{0} side")
    @CsvSource({"operator", "firmware"})
    void aClientTricklingItsRequestIsCutAtTheDeadline(String side) throws Exception {
        Overrides settings = TestServer.FIRMWARE_SIDE
                .with(Key.HTTP_HEADER_TIMEOUT, Duration.ofSeconds(1))
                .with(Key.HTTP_IDLE_TIMEOUT, Duration.ofSeconds(60));
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
            Map<String, Double> metrics = metrics(server, null);
            assertThat(metrics.get("floorflash_http_header_timeouts_total{side=\"" + side + "\"}")).isEqualTo(1);
        }
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceAndCounted() throws Exception {
        Overrides settings = TestServer.FIRMWARE_SIDE.with(Key.FIRMWARE_HTTP_MAX_CONNECTIONS, 2);
        Socket first = new Socket();
        try (TestServer server = TestServer.start(root, settings);
             Socket second = new Socket();
             Socket third = new Socket()) {
            InetSocketAddress firmware = server.server().firmwareHttpAddress().orElseThrow();
            first.connect(firmware, 5000);
            second.connect(firmware, 5000);
            await("two connections open").atMost(REPLY).pollInterval(Duration.ofMillis(50))
                    .until(() -> metrics(server, null).get("floorflash_http_connections_open{side=\"firmware\"}"), n -> n == 2);

            third.connect(firmware, 5000);
            third.setSoTimeout(5000);
            long started = System.nanoTime();
            String answer = readUntilClosed(third);

            assertThat(answer).as("nothing is read or answered").isEmpty();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("closed at once").isLessThan(2000);
            Map<String, Double> metrics = metrics(server, null);
            assertThat(metrics.get("floorflash_http_connections_refused_total{side=\"firmware\"}")).isEqualTo(1);
            assertThat(metrics.get("floorflash_http_connections_refused_total{side=\"operator\"}")).isZero();

            first.close();
            await("a place free again").atMost(REPLY).pollInterval(Duration.ofMillis(50))
                    .until(() -> metrics(server, null).get("floorflash_http_connections_open{side=\"firmware\"}"), n -> n == 1);
            assertThat(raw(firmware, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 OK\r\n");
        } finally {
            first.close();
        }
    }

    /**
     * Every route and every error path of both sides, over real sockets: each answer, 1xx included, carries
     * {@code X-Content-Type-Options: nosniff}.
     */
    @Test
    void everyAnswerOfEitherSideSaysNosniff() throws Exception {
        Path image = SeededFiles.write(root, IMAGE, 1000, 8);
        String etag = "\"" + SeededFiles.sha256(image) + "\"";
        Overrides settings = TestServer.FIRMWARE_SIDE
                .with(Key.HTTP_TOKEN_FILE, tokenFile(TOKEN, "rw-------"))
                .with(Key.HTTP_HEADER_TIMEOUT, Duration.ofSeconds(1));
        try (TestServer server = TestServer.start(root, settings)) {
            InetSocketAddress operator = server.server().httpAddress().orElseThrow();
            InetSocketAddress firmware = server.server().firmwareHttpAddress().orElseThrow();
            String host = "Host: 127.0.0.1:" + operator.getPort() + "\r\n";
            String auth = host + "Authorization: Bearer " + TOKEN + "\r\n";
            String close = "Connection: close\r\n\r\n";
            Map<String, String> operatorSide = new LinkedHashMap<>();
            operatorSide.put("GET / HTTP/1.1\r\n" + auth + close, "200");
            operatorSide.put("GET /floor.css HTTP/1.1\r\n" + auth + close, "200");
            operatorSide.put("GET /floor.js HTTP/1.1\r\n" + auth + close, "200");
            operatorSide.put("GET /api/transfers HTTP/1.1\r\n" + auth + close, "200");
            operatorSide.put("GET /metrics HTTP/1.1\r\n" + auth + close, "200");
            operatorSide.put("GET /healthz HTTP/1.1\r\n" + host + close, "200");
            operatorSide.put("GET /readyz HTTP/1.1\r\n" + host + close, "200");
            operatorSide.put("HEAD / HTTP/1.1\r\n" + auth + close, "200");
            operatorSide.put("GET /?token=" + TOKEN + " HTTP/1.1\r\n" + host + close, "303");
            operatorSide.put("GET /firmware/" + IMAGE + " HTTP/1.1\r\n" + host + close, "404");
            operatorSide.put("GET /no/such/page HTTP/1.1\r\n" + auth + close, "404");
            operatorSide.put("GET /no/such/page HTTP/1.1\r\n" + host + close, "401");
            operatorSide.put("GET /api/transfers HTTP/1.1\r\nHost: evil.example:" + operator.getPort() + "\r\n" + close, "421");
            operatorSide.put("GET /api/transfers HTTP/1.1\r\n" + close, "400");
            operatorSide.put("DELETE / HTTP/1.1\r\n" + auth + close, "405");
            operatorSide.put("GET / HTTP/1.1\r\n" + auth + "Content-Length: 5\r\n" + close + "hello", "400");
            operatorSide.put("GET / HTTP/1.1\r\n" + auth + "Expect: 100-continue\r\nContent-Length: 5\r\n" + close + "hello",
                    "100 400");
            operatorSide.put("GET / HTTP/1.1\r\n" + auth + "Content-Length: 100000\r\n" + close, "413");
            operatorSide.put("GET /%zz HTTP/1.1\r\n" + auth + close, "400");
            operatorSide.put("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n" + auth + close, "414");
            operatorSide.put("GET / HTTP/1.1\r\n" + auth + "X-Big: " + "b".repeat(20_000) + "\r\n" + close, "431");
            operatorSide.put("\u0001\u0002 garbage \u00ff\r\n\r\n", "400");
            operatorSide.put("GET / HTTP/1.1\r\n" + auth, "408");
            String fw = "Host: 127.0.0.1:" + firmware.getPort() + "\r\n";
            String name = "/firmware/" + IMAGE;
            Map<String, String> firmwareSide = new LinkedHashMap<>();
            firmwareSide.put("GET " + name + " HTTP/1.1\r\n" + fw + close, "200");
            firmwareSide.put("HEAD " + name + " HTTP/1.1\r\n" + fw + close, "200");
            firmwareSide.put("GET " + name + " HTTP/1.1\r\n" + fw + "Range: bytes=0-9\r\n" + close, "206");
            firmwareSide.put("GET " + name + " HTTP/1.1\r\n" + fw + "If-None-Match: " + etag + "\r\n" + close, "304");
            firmwareSide.put("GET " + name + " HTTP/1.1\r\n" + fw + "Range: bytes=5000-\r\n" + close, "416");
            firmwareSide.put("GET /firmware/../etc/passwd HTTP/1.1\r\n" + fw + close, "403");
            firmwareSide.put("GET /firmware/missing.bin HTTP/1.1\r\n" + fw + close, "404");
            firmwareSide.put("POST " + name + " HTTP/1.1\r\n" + fw + "Content-Length: 0\r\n" + close, "405");
            firmwareSide.put("GET /healthz HTTP/1.1\r\n" + fw + close, "200");
            firmwareSide.put("GET /api/transfers HTTP/1.1\r\n" + fw + close, "404");
            firmwareSide.put("GET /metrics HTTP/1.1\r\n" + fw + close, "404");
            firmwareSide.put("GET " + name + " HTTP/1.1\r\n" + fw + "Content-Length: 100000\r\n" + close, "413");
            firmwareSide.put("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n" + fw + close, "414");
            firmwareSide.put("GET " + name + " HTTP/1.1\r\n" + fw, "408");

            List<String> seen = new ArrayList<>();
            for (Map.Entry<String, String> exchange : operatorSide.entrySet()) {
                seen.add(checkEveryAnswer(operator, exchange.getKey(), exchange.getValue()));
            }
            for (Map.Entry<String, String> exchange : firmwareSide.entrySet()) {
                seen.add(checkEveryAnswer(firmware, exchange.getKey(), exchange.getValue()));
            }
            assertThat(String.join(" ", seen).split(" ")).contains("100", "200", "206", "303", "304", "400", "401",
                    "403", "404", "405", "408", "413", "414", "416", "421", "431");
        }
    }

    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.1 (\\d{3}) ");

    /** Sends {@code request}, reads every answer until the server closes, and checks each says nosniff. */
    private static String checkEveryAnswer(InetSocketAddress address, String request, String statuses) throws IOException {
        String text = raw(address, request);
        Matcher status = STATUS_LINE.matcher(text);
        List<String> found = new ArrayList<>();
        String shown = request.length() > 80 ? request.substring(0, 80) + "..." : request;
        while (status.find()) {
            found.add(status.group(1));
            int end = text.indexOf("\r\n\r\n", status.start());
            assertThat(end).as("end of the head answering %s", shown).isPositive();
            assertThat(text.substring(status.start(), end).toLowerCase(Locale.ROOT)).as("answer %s to %s", status.group(1), shown)
                    .contains("\r\nx-content-type-options: nosniff");
        }
        assertThat(String.join(" ", found)).as("answers to %s", shown).isEqualTo(statuses);
        return statuses;
    }

    private Path tokenFile(String content, String mode) throws IOException {
        Path file = Files.writeString(work.resolve("http-token"), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REPLY);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The operator side's {@code /metrics}, parsed, with {@code token} as Bearer when not null. */
    private static Map<String, Double> metrics(TestServer server, String token) throws Exception {
        HttpResponse<String> response = token == null ? get(server.operatorUrl("/metrics"))
                : get(server.operatorUrl("/metrics"), "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).isEqualTo(200);
        return Exposition.parse(response.body()).samples();
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

package io.floorflash.server.it;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.server.metrics.Exposition;
import io.floorflash.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.tftp.TFTP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /firmware/NAME} on the firmware side and {@code /metrics} on the operator side of a real server over real
 * sockets: curl downloads compared by SHA-256, ranges and resume, validators, names refused exactly as TFTP refuses
 * them (same answer, same text), pipelined requests, and the Prometheus exposition after real TFTP transfers.
 */
class HttpFirmwareIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration REPLY = Duration.ofSeconds(10);

    @TempDir
    Path root;
    @TempDir
    Path downloads;

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 65_535, 65_536, 65_537, 2 * 1024 * 1024})
    void curlDownloadsTheImageByteForByte(int size) throws Exception {
        Path image = SeededFiles.write(root, "snom" + size + ".bin", size, size);
        try (TestServer server = TestServer.start(root, TestServer.FIRMWARE_SIDE)) {
            Path out = downloads.resolve("out.bin");

            ExternalProcess.Finished curl = curl("-o", out.toString(), server.firmwareUrl("/firmware/" + image.getFileName()));

            assertThat(curl.output()).isEqualTo("200");
            assertThat(SeededFiles.sha256(out)).isEqualTo(SeededFiles.sha256(image));
        }
    }

    @Test
    void rangesResumeAndValidators() throws Exception {
        int size = 300_000;
        Path image = SeededFiles.write(root, "snom820-r.bin", size, 3);
        byte[] bytes = Files.readAllBytes(image);
        try (TestServer server = TestServer.start(root, TestServer.FIRMWARE_SIDE)) {
            String url = server.firmwareUrl("/firmware/snom820-r.bin");

            Path part = downloads.resolve("part.bin");
            assertThat(curl("-r", "100-1099", "-o", part.toString(), url).output()).isEqualTo("206");
            assertThat(Files.readAllBytes(part)).isEqualTo(Arrays.copyOfRange(bytes, 100, 1100));

            // An interrupted download: curl -C - asks for the rest and appends it.
            Path resumed = downloads.resolve("resumed.bin");
            Files.write(resumed, Arrays.copyOf(bytes, 123_457));
            assertThat(curl("-C", "-", "-o", resumed.toString(), url).output()).isEqualTo("206");
            assertThat(SeededFiles.sha256(resumed)).isEqualTo(SeededFiles.sha256(image));

            assertThat(curl("-r", size + "-", "-o", part.toString(), url).output()).as("past the end").isEqualTo("416");

            HttpResponse<Void> head = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(REPLY).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("content-length")).hasValue(Integer.toString(size));
            assertThat(head.headers().firstValue("accept-ranges")).hasValue("bytes");
            String etag = head.headers().firstValue("etag").orElseThrow();
            assertThat(etag).isEqualTo("\"" + SeededFiles.sha256(image) + "\"");

            HttpResponse<String> cached = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("If-None-Match", etag)
                    .timeout(REPLY).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(cached.statusCode()).isEqualTo(304);
            assertThat(cached.body()).isEmpty();
        }
    }

    /**
     * Each name goes to the server as written (a raw socket, so no client tidies up {@code ..}); the same name asked over
     * TFTP gets an ERROR with the same text, and its code maps to the HTTP status: 1 (not found) to 404, 2 (access
     * violation) to 403.
     */
    @Test
    void namesAreRefusedExactlyAsTftpRefusesThem() throws Exception {
        Path outside = Files.createDirectories(downloads.resolve("outside"));
        Files.writeString(outside.resolve("secret.bin"), "not firmware");
        Files.createSymbolicLink(root.resolve("escape.bin"), outside.resolve("secret.bin"));
        Files.createDirectories(root.resolve("sub"));
        SeededFiles.write(root, "snom320.bin", 1000, 1);
        Map<String, String> rawToName = new HashMap<>();
        rawToName.put("../etc/passwd", "../etc/passwd");
        rawToName.put("%2e%2e/etc/passwd", "../etc/passwd");
        rawToName.put("..%2Fetc%2Fpasswd", "../etc/passwd");
        rawToName.put("sub/../../etc/passwd", "sub/../../etc/passwd");
        rawToName.put("escape.bin", "escape.bin");
        rawToName.put("missing.bin", "missing.bin");
        rawToName.put("sub", "sub");
        rawToName.put("C:%5Cboot.ini", "C:\\boot.ini");
        rawToName.put("a%01b.bin", "a\u0001b.bin");
        try (TestServer server = TestServer.start(root, TestServer.FIRMWARE_SIDE); RawPeer phone = new RawPeer()) {
            InetSocketAddress http = server.server().firmwareHttpAddress().orElseThrow();
            for (Map.Entry<String, String> entry : rawToName.entrySet()) {
                String answer = raw(http, "GET /firmware/" + entry.getKey() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                phone.send(server.port(), RawPeer.request(RawPeer.RRQ, entry.getValue(), "octet"));
                RawPeer.Reply tftp = phone.expectReply(REPLY);

                assertThat(tftp.opcode()).as("TFTP for %s: %s", entry.getValue(), tftp).isEqualTo(RawPeer.ERROR);
                String status = tftp.number() == 1 ? "404" : "403";
                assertThat(answer).as("HTTP for %s", entry.getKey()).startsWith("HTTP/1.1 " + status + " ")
                        .endsWith("\r\n\r\n" + tftp.message() + "\n");
            }
            // And nothing of the outside leaked: the good name still works.
            assertThat(raw(http, "GET /firmware/snom320.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 ").doesNotContain("not firmware");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredWholeAndInOrder() throws Exception {
        Path big = SeededFiles.write(root, "big.bin", 3 * 1024 * 1024, 5);
        Path small = SeededFiles.write(root, "small.bin", 777, 6);
        try (TestServer server = TestServer.start(root, TestServer.FIRMWARE_SIDE);
             Socket socket = new Socket()) {
            socket.connect(server.server().firmwareHttpAddress().orElseThrow(), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /firmware/big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /firmware/small.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(ISO_8859_1));
            InputStream in = socket.getInputStream();

            assertThat(readResponse(in)).isEqualTo(Files.readAllBytes(big));
            assertThat(readResponse(in)).isEqualTo(Files.readAllBytes(small));
            assertThat(new String(readResponse(in), ISO_8859_1)).isEqualTo("ok\n");
        }
    }

    @Test
    void metricsCountRealTftpTransfers() throws Exception {
        int size = 100_000;
        Path image = SeededFiles.write(root, "snom320.bin", size, 9);
        try (TestServer server = TestServer.start(root, TestServer.FIRMWARE_SIDE)) {
            for (int i = 0; i < 3; i++) {
                Path out = downloads.resolve("plain-" + i);
                Client.commonsNet(server.port(), "snom320.bin", out, TFTP.BINARY_MODE).assertDelivered(image, out);
            }
            Path large = downloads.resolve("large");
            Client.curl(server.port(), "snom320.bin", large, "--tftp-blksize", "1468").assertDelivered(image, large);
            assertThat(Client.commonsNet(server.port(), "nope.bin", downloads.resolve("nope"), TFTP.BINARY_MODE)
                    .succeeded()).isFalse();
            String metrics = server.operatorUrl("/metrics");

            Map<String, Double> samples = await("every finish counted").atMost(REPLY).pollInterval(Duration.ofMillis(100))
                    .until(() -> parse(get(metrics)), m -> m.getOrDefault("floorflash_transfers_completed_total", 0.0) == 4);

            assertThat(samples.get("floorflash_requests_refused_total{code=\"1\"}")).isEqualTo(1);
            assertThat(samples.get("floorflash_transfer_sent_bytes_total")).isEqualTo(4.0 * size);
            assertThat(samples.get("floorflash_transfer_duration_seconds_count{outcome=\"completed\"}")).isEqualTo(4);
            assertThat(samples.get("floorflash_transfers_started_total{blksize=\"512\",windowsize=\"1\"}")).isEqualTo(3);
            assertThat(samples.get("floorflash_transfers_started_total{blksize=\"1468\",windowsize=\"1\"}")).isEqualTo(1);
            assertThat(samples.get("floorflash_transfers_active")).isZero();
            assertThat(samples.get("floorflash_cache_images")).isEqualTo(1);
            assertThat(samples.get("floorflash_cache_size_bytes")).isEqualTo(size);
            assertThat(samples.keySet()).anyMatch(name -> name.startsWith("jvm_memory_used_bytes{area=\"heap\""));
        }
    }

    /** curl's status code (printed with {@code -w}); curl itself must exit 0. */
    private static ExternalProcess.Finished curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "-w", "%{http_code}"));
        command.addAll(List.of(args));
        ExternalProcess.Finished finished = ExternalProcess.run(command, Duration.ofSeconds(90), "apt-get install curl");
        assertThat(finished.exitCode()).as("%s: %s", command, finished.output()).isIn(0, 22);
        return finished;
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(REPLY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).get().asString().startsWith("text/plain; version=0.0.4");
        return response.body();
    }

    /** The Prometheus text format: {@code name{labels} value} per series, the node label left out. */
    private static Map<String, Double> parse(String exposition) {
        return Exposition.parse(exposition).samples();
    }

    private static String raw(InetSocketAddress http, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(http, 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
        }
    }

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)\r\n");

    /** Reads one response off {@code in}: a 200 status line, headers, then exactly Content-Length bytes of body. */
    private static byte[] readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("end of stream inside headers: %s", head.toString(ISO_8859_1)).isNotNegative();
            head.write(b);
        }
        String headers = head.toString(ISO_8859_1);
        assertThat(headers).startsWith("HTTP/1.1 200 ");
        Matcher length = CONTENT_LENGTH.matcher(headers);
        assertThat(length.find()).as(headers).isTrue();
        return in.readNBytes(Integer.parseInt(length.group(1)));
    }
}

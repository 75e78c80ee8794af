package io.floorflash.server.it;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.RosterEntry;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.ServerStartException;
import io.floorflash.server.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.tftp.TFTP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator HTTP side of a real server: real TFTP downloads from several loopback addresses (one phone each), then
 * {@code /api/transfers} read with the JDK's HTTP client and an independent JSON parser; health, readiness, the page's
 * files, and what bad requests get over a real socket.
 */
class FloorApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String IMAGE = "snom320.bin";
    private static final int SIZE = 100_000;

    @TempDir
    Path root;
    @TempDir
    Path downloads;

    @Test
    void apiTransfersShowsEachPhoneByAddressWithItsRosterNameUnderTheNodesName() throws Exception {
        SeededFiles.write(root, IMAGE, SIZE, 7);
        Overrides roster = Overrides.none().with(Key.NODE_NAME, "edge-muc-3").with(Key.FLOOR_ROSTER, List.of(
                new RosterEntry(InetAddress.getByName("127.0.5.0"), 24, "Floor 5"),
                new RosterEntry(InetAddress.getByName("127.0.5.17"), 32, "reception"),
                new RosterEntry(InetAddress.getByName("127.0.5.99"), 32, "never came")));
        try (TestServer server = TestServer.start(root, roster)) {
            int port = server.port();
            for (String phone : List.of("127.0.5.17", "127.0.5.18", "127.0.5.18", "127.0.6.1")) {
                fetch(port, IMAGE, phone).assertDelivered(root.resolve(IMAGE), downloaded(IMAGE, phone));
            }
            assertThat(fetch(port, "nope.bin", "127.0.5.20").succeeded()).isFalse();
            String base = base(server.server());

            JsonNode floor = await("every phone's newest request reported").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> get(base + "api/transfers"), json -> json.at("/counters/done").asInt() == 3
                            && json.at("/counters/failed").asInt() == 1);

            assertThat(floor.get("node").asText()).isEqualTo("edge-muc-3");
            assertThat(floor.get("counters")).hasToString(
                    "{\"phones\":5,\"waiting\":1,\"loading\":0,\"done\":3,\"failed\":1,\"unexpected\":1,\"transfers\":0}");
            Map<String, JsonNode> phones = byAddress(floor);
            assertThat(phones).containsOnlyKeys("127.0.5.17", "127.0.5.18", "127.0.5.20", "127.0.5.99", "127.0.6.1");
            JsonNode reception = phones.get("127.0.5.17");
            assertThat(reception.get("name").asText()).isEqualTo("reception");
            assertThat(reception.get("state").asText()).isEqualTo("done");
            assertThat(reception.get("file").asText()).isEqualTo(IMAGE);
            assertThat(reception.get("bytes").asLong()).isEqualTo(SIZE);
            assertThat(reception.get("size").asLong()).isEqualTo(SIZE);
            assertThat(reception.get("bps").asLong()).isPositive();
            assertThat(phones.get("127.0.5.18").get("name").asText()).as("named by its network").isEqualTo("Floor 5");
            JsonNode refused = phones.get("127.0.5.20");
            assertThat(refused.get("state").asText()).isEqualTo("failed");
            assertThat(refused.get("file").asText()).isEqualTo("nope.bin");
            assertThat(refused.get("reason").asText()).isEqualTo("File not found: nope.bin");
            assertThat(phones.get("127.0.5.99").get("state").asText()).isEqualTo("waiting");
            assertThat(phones.get("127.0.5.99").has("file")).isFalse();
            assertThat(phones.get("127.0.6.1").get("unexpected").asBoolean()).isTrue();
            assertThat(phones.get("127.0.5.17").has("unexpected")).isFalse();

            // Samples are bytes per second, taken about once a second: summed, they come to the bytes delivered.
            JsonNode sampled = await("throughput samples with the downloads in them").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> get(base + "api/transfers"),
                            json -> sum(json.at("/throughput/bytesPerSecond")) >= 0.9 * 4 * SIZE);
            assertThat(sum(sampled.at("/throughput/bytesPerSecond"))).isLessThanOrEqualTo((long) (1.1 * 4 * SIZE));
        }
    }

    @Test
    void healthReadinessAndThePageFiles() throws Exception {
        try (TestServer server = TestServer.start(root)) {
            String base = base(server.server());
            assertThat(server.server().accepting()).isTrue();

            HttpResponse<String> health = send(base + "healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            assertThat(send(base + "readyz").statusCode()).isEqualTo(200);

            HttpResponse<String> page = send(base);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("content-security-policy")).get().asString().contains("script-src 'self'");
            assertThat(page.body()).contains("<script src=\"/floor.js\" defer></script>", "id=\"n-done\"", "id=\"node\"");
            HttpResponse<String> script = send(base + "floor.js");
            assertThat(script.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
            assertThat(script.body()).contains("textContent").doesNotContain("innerHTML");
            assertThat(send(base + "floor.css").statusCode()).isEqualTo(200);

            assertThat(send(base + "no/such/page").statusCode()).isEqualTo(404);
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(base + "api/transfers"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void aHugeUriOrGarbageGetsA4xxAndTheConnectionCloses() throws Exception {
        try (TestServer server = TestServer.start(root)) {
            InetSocketAddress http = server.server().httpAddress().orElseThrow();

            assertThat(raw(http, "GET /" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"))
                    .startsWith("HTTP/1.1 414 ");
            assertThat(raw(http, "\u0000\u0001\u0002\u00ff\r\n\r\n")).startsWith("HTTP/1.1 400 ");
            assertThat(raw(http, "GET / HTTP/1.1\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 413 ");
            assertThat(send(base(server.server()) + "healthz").statusCode()).as("still serving").isEqualTo(200);
        }
    }

    @Test
    void aTakenHttpPortFailsTheStartAndFreesTheTftpPort() throws Exception {
        try (TestServer first = TestServer.start(root)) {
            int taken = first.server().httpAddress().orElseThrow().getPort();
            Overrides settings = TestServer.settings(root, Overrides.none().with(Key.HTTP_PORT, taken));

            ServerStartException failure = catchThrowableOfType(
                    () -> FloorflashServer.start(SettingsLoader.load(settings)).close(), ServerStartException.class);

            assertThat(failure).isNotNull();
            assertThat(failure.getMessage()).contains("tcp 127.0.0.1:" + taken, "in use", "--http-port",
                    "floorflash.http.enabled = false");
        }
    }

    @Test
    void turnedOffThereIsNoHttpSide() throws Exception {
        try (TestServer server = TestServer.start(root, Overrides.none().with(Key.HTTP_ENABLED, false))) {
            assertThat(server.server().httpAddress()).isEmpty();
            assertThat(server.server().pageUrl()).isEmpty();
            assertThat(server.server().accepting()).isTrue();
        }
    }

    private ClientResult fetch(int port, String name, String from) throws Exception {
        return Client.commonsNet(port, name, downloaded(name, from), TFTP.BINARY_MODE, InetAddress.getByName(from));
    }

    private Path downloaded(String name, String from) {
        return downloads.resolve(from + "-" + name);
    }

    private static String base(FloorflashServer server) {
        return server.pageUrl().orElseThrow();
    }

    private static HttpResponse<String> send(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = send(url);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        return JSON.readTree(response.body());
    }

    private static Map<String, JsonNode> byAddress(JsonNode floor) {
        Map<String, JsonNode> phones = new HashMap<>();
        floor.get("phones").forEach(p -> phones.put(p.get("addr").asText(), p));
        return phones;
    }

    private static long sum(JsonNode samples) {
        long sum = 0;
        for (JsonNode sample : samples) {
            sum += sample.asLong();
        }
        return sum;
    }

    /** Sends {@code request} on a fresh socket and reads until the server closes it (bounded by a read timeout). */
    private static String raw(InetSocketAddress http, String request) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(http, 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(ISO_8859_1));
                out.flush();
            } catch (java.io.IOException e) {
                // The server may answer and close before it has read everything; the answer is still there.
            }
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), ISO_8859_1);
        }
    }
}

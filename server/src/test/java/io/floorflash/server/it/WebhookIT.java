package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.metrics.Exposition;
import io.floorflash.server.provisioning.WebhookReceiver;
import io.floorflash.server.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook with the real server and real clients: curl and tftp-hpa download, and a receiver on loopback gets
 * one POST per finished transfer, the audit line's JSON; a refused request (a missing file) posts nothing, as the
 * audit log writes nothing for it.
 */
class WebhookIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path root;
    private static WebhookReceiver receiver;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        SeededFiles.write(root, "snom320.bin", 70_000, 320);
        SeededFiles.write(root, "snom820-r.bin", 513, 820);
        receiver = new WebhookReceiver();
        server = TestServer.start(root, Overrides.none().with(Key.WEBHOOK_URL, receiver.url()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void postsOneAuditLinePerFinishedTransferAndNoneForARefusal(@TempDir Path downloads) throws Exception {
        Client.curl(server.port(), "snom320.bin", downloads.resolve("a.bin"))
                .assertDelivered(root.resolve("snom320.bin"), downloads.resolve("a.bin"));
        Client.tftpHpa(server.port(), "snom820-r.bin", downloads.resolve("b.bin"), "octet")
                .assertDelivered(root.resolve("snom820-r.bin"), downloads.resolve("b.bin"));
        Client.curl(server.port(), "missing.bin", downloads.resolve("c.bin"));
        server.awaitSummaries(s -> true, 2);
        // The refusal of the missing file comes after both transfers: once its ERROR is out, anything it posted would
        // already be queued behind them.
        await().atMost(WAIT).until(() -> server.server().webhook().delivered() == 2 && server.server().webhook().queued() == 0);

        List<JsonNode> posted = receiver.posts().stream().map(post -> {
            assertThat(post.method()).isEqualTo("POST");
            assertThat(post.headers().getFirst("Content-Type")).isEqualTo("application/json");
            return parse(post.body());
        }).toList();
        assertThat(posted).hasSize(2);
        JsonNode curl = posted.stream().filter(p -> p.get("file").asText().equals("snom320.bin")).findFirst().orElseThrow();
        JsonNode hpa = posted.stream().filter(p -> p.get("file").asText().equals("snom820-r.bin")).findFirst().orElseThrow();
        assertThat(curl.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(curl.get("outcome").asText()).isEqualTo("completed");
        assertThat(curl.get("sha256").asText()).isEqualTo(SeededFiles.sha256(root.resolve("snom320.bin")));
        assertThat(curl.get("bytes").asLong()).isEqualTo(70_000);
        assertThat(curl.has("reason")).isFalse();
        assertThat(hpa.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(hpa.get("outcome").asText()).isEqualTo("completed");
        assertThat(hpa.get("sha256").asText()).isEqualTo(SeededFiles.sha256(root.resolve("snom820-r.bin")));
        assertThat(hpa.get("bytes").asLong()).isEqualTo(513);
        assertThat(receiver.posts()).noneMatch(post -> post.body().contains("missing.bin"));

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.operatorUrl("/metrics")))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Exposition exposition = Exposition.parse(metrics);
        assertThat(exposition.value("floorflash_webhook_deliveries_total{result=\"delivered\"}")).isEqualTo(2.0);
        assertThat(exposition.value("floorflash_webhook_deliveries_total{result=\"failed\"}")).isZero();
        assertThat(exposition.value("floorflash_webhook_deliveries_total{result=\"dropped\"}")).isZero();
        assertThat(exposition.value("floorflash_webhook_queued")).isZero();
        assertThat(server.summaries()).hasSize(2);
    }

    @Test
    void aReceiverThatIsDownCostsTheTransfersNothing(@TempDir Path downloads) throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (TestServer down = TestServer.start(root, Overrides.none()
                .with(Key.WEBHOOK_URL, "http://127.0.0.1:" + closed + "/hooks")
                .with(Key.WEBHOOK_MAX_RETRIES, 1)
                .with(Key.WEBHOOK_BACKOFF, Duration.ofMillis(10)))) {
            Client.curl(down.port(), "snom320.bin", downloads.resolve("a.bin"))
                    .assertDelivered(root.resolve("snom320.bin"), downloads.resolve("a.bin"));
            Client.tftpHpa(down.port(), "snom820-r.bin", downloads.resolve("b.bin"), "octet")
                    .assertDelivered(root.resolve("snom820-r.bin"), downloads.resolve("b.bin"));

            await().atMost(WAIT).until(() -> down.server().webhook().failed() == 2);
            assertThat(down.server().webhook().retries()).isEqualTo(2);
            assertThat(down.server().webhook().delivered()).isZero();
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}

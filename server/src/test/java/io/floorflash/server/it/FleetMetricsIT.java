package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.server.metrics.Dashboard;
import io.floorflash.server.metrics.Exposition;
import io.floorflash.server.testing.TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the shipped fleet dashboard ({@code packaging/grafana/floorflash-fleet.json}) queries is in a real
 * server's {@code /metrics} after a real transfer, labelled with the node's name, with an origin configured so its
 * meters exist too.
 */
class FleetMetricsIT {
    private static final String NODE = "edge-fleet-1";
    /** How a name the dashboard reads can appear in the text format: itself, or a counter's or histogram's series. */
    private static final List<String> FAMILY_SUFFIXES = List.of("", "_total", "_bucket", "_count", "_sum");

    @TempDir
    Path root;
    @TempDir
    Path downloads;

    @Test
    void everyMetricTheDashboardQueriesIsExportedWithTheNodeLabel() throws Exception {
        SeededFiles.write(root, "snom320.bin", 70_000, 3);
        // An origin behind the root (never asked: the local file wins), so its meters are there to be queried.
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (TestServer server = TestServer.start(root, TestServer.FIRMWARE_SIDE.with(Key.NODE_NAME, NODE)
                .with(Key.ORIGIN_URL, "http://127.0.0.1:" + closed + "/firmware/")
                .with(Key.FIRMWARE_CACHE_DIR, downloads.resolve("origin-cache")))) {
            Client.curl(server.port(), "snom320.bin", downloads.resolve("snom320.bin"))
                    .assertDelivered(root.resolve("snom320.bin"), downloads.resolve("snom320.bin"));

            Exposition metrics = await("the transfer counted").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Exposition.parse(scrape(server)),
                            e -> e.samples().getOrDefault("floorflash_transfers_completed_total", 0.0) == 1.0);

            assertThat(metrics.node()).isEqualTo(NODE);
            Set<String> exported = new TreeSet<>();
            for (String series : metrics.samples().keySet()) {
                int brace = series.indexOf('{');
                exported.add(brace < 0 ? series : series.substring(0, brace));
            }
            Set<String> queried = Dashboard.read().metricNames();
            assertThat(queried).hasSizeGreaterThanOrEqualTo(15);
            for (String name : queried) {
                boolean present = FAMILY_SUFFIXES.stream().anyMatch(suffix -> exported.contains(name + suffix));
                assertThat(present).as("%s, which the dashboard queries, in /metrics (exported: %s)", name, exported)
                        .isTrue();
            }
        }
    }

    private static String scrape(TestServer server) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.operatorUrl("/metrics"))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}

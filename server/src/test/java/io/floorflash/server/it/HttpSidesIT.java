package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two HTTP sides of a real server over real sockets: firmware on one port and the operator side on another, each
 * serving only its own paths.
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

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REPLY);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** curl's status code (printed with {@code -w}); curl itself must exit 0. */
    private static ExternalProcess.Finished curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-w", "%{http_code}"));
        command.addAll(List.of(args));
        ExternalProcess.Finished finished = ExternalProcess.run(command, Duration.ofSeconds(60), "apt-get install curl");
        assertThat(finished.exitCode()).as("%s: %s", command, finished.output()).isZero();
        return finished;
    }
}

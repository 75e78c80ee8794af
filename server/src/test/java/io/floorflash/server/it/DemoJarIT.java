package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command: {@code java -jar floorflash.jar --demo}, here on a port the kernel picks. The demo
 * prints a curl command and the expected SHA-256; running that command must give exactly that file, and the floor
 * page it prints knows of the transfer.
 */
class DemoJarIT {
    /** A printed fetch command and, on the next line, the SHA-256 the file must have. */
    private static final Pattern FETCH = Pattern.compile(
            "curl -s -o \\S+ tftp://127\\.0\\.0\\.1:(\\d+)/(\\S+) .*\\R\\s+expected ([0-9a-f]{64})");

    /** The floor page's address, on a port the kernel picked. */
    private static final Pattern PAGE = Pattern.compile("Watch the floor: (http://127\\.0\\.0\\.1:[1-9]\\d*/)");

    @Test
    void demoPrintsACommandThatFetchesTheImageItDescribes(@TempDir Path work) throws Exception {
        Path jar = Path.of(System.getProperty("floorflash.jar", "target/floorflash.jar")).toAbsolutePath();
        assertThat(jar).as("the shaded jar (built by mvn package)").isRegularFile();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path output = work.resolve("demo.out");
        Process demo = new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-jar", jar.toString(),
                "--demo", "--port", "0", "--http-port", "0", "--root", work.resolve("demo-firmware").toString()))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            Matcher fetch = await("the demo's fetch instructions").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> printedFetch(demo, output), Optional::isPresent).orElseThrow();
            int port = Integer.parseInt(fetch.group(1));
            String image = fetch.group(2);
            assertThat(port).as("the bound port, not the 0 asked for").isNotZero();
            Path out = work.resolve("fetched-" + image);

            Client.curl(port, image, out).assertSucceeded();

            assertThat(SeededFiles.sha256(out)).as("SHA-256 the demo printed for %s", image).isEqualTo(fetch.group(3));

            Matcher page = PAGE.matcher(ExternalProcess.read(output));
            assertThat(page.find()).as("the demo prints the floor page's address").isTrue();
            HttpResponse<String> floor = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(page.group(1) + "api/transfers")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(floor.statusCode()).isEqualTo(200);
            assertThat(floor.body()).contains("\"addr\":\"127.0.0.1\"", "\"file\":\"" + image + "\"");
        } finally {
            stop(demo, output);
        }
    }

    /** The first fetch instruction printed so far; fails at once if the demo has already exited. */
    private static Optional<Matcher> printedFetch(Process demo, Path output) {
        String printed = ExternalProcess.read(output);
        Matcher matcher = FETCH.matcher(printed);
        if (matcher.find()) {
            return Optional.of(matcher);
        }
        if (!demo.isAlive()) {
            fail("the demo exited with " + demo.exitValue() + " before printing its instructions:\n" + printed);
        }
        return Optional.empty();
    }

    /** SIGTERM runs the server's shutdown hook; a demo that ignores it is killed. */
    private static void stop(Process demo, Path output) throws InterruptedException {
        demo.destroy();
        if (!demo.waitFor(20, TimeUnit.SECONDS)) {
            demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("the demo did not stop within 20 s of SIGTERM and was killed; it printed:\n" + ExternalProcess.read(output));
        }
    }
}

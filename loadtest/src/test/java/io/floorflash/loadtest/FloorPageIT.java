package io.floorflash.loadtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.RosterEntry;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headline test of the floor page: the real server in this JVM, 200 simulated phones from addresses of their own,
 * and the page in headless Chromium. It asserts on what the page shows while the floor loads and when it is done,
 * and saves a screenshot as {@code target/floor-page.png}.
 */
class FloorPageIT {
    private static final int PHONES = 200;
    private static final int SIZE = 256 * 1024;
    private static final int WIDTH = 1400;
    private static final String FILE = "snom320.bin";
    private static final String HOSTILE = "<img src=x onerror=\"document.title='owned'\">.bin";

    @TempDir
    Path root;

    @Test
    void theFloorPageFollowsTwoHundredPhonesToDone() throws Exception {
        HeadlessChromium.binary(); // fails with the install line before anything starts
        byte[] firmware = new byte[SIZE];
        new Random(0x5EED).nextBytes(firmware);
        Files.write(root.resolve(FILE), firmware);
        FloorflashServer server = start(Overrides.none());
        try (HeadlessChromium chromium = HeadlessChromium.start(Path.of("target"), WIDTH, 1000)) {
            chromium.navigate(server.pageUrl().orElseThrow());
            await("the roster's waiting phone on the page").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> chromium.evaluate("document.getElementById('n-waiting').textContent").asText(), "1"::equals);
            assertThat(text(chromium, ".tile[data-addr='127.3.1.1'] .state")).isEqualTo("never came");
            assertThat(text(chromium, ".tile[data-addr='127.3.1.1'] .name")).isEqualTo("reception");

            refusedRequest(server.localAddress(), "127.3.0.250", HOSTILE);
            // 50 new phones a second, each losing 5% of what it receives, so that every transfer waits out several of the
            // server's retransmission timers (20 ms at least): the page sees phones loading for a few seconds, bound by
            // timers rather than by how fast this machine moves bytes (a 256 KiB image takes milliseconds without loss).
            LoadScenario scenario = new LoadScenario(server.localAddress(), FILE, ExpectedContent.ofBytes(firmware), PHONES,
                    PHONES, 50, Fixtures.options("blksize", "1468", "windowsize", "4"), Duration.ofSeconds(1), 10, 0.05, 0, 1,
                    Duration.ofSeconds(120), 1, InetAddress.getByName("127.3.0.1"));
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            CompletableFuture<LoadReport> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new LoadRun(scenario, new PrintStream(progress, true, UTF_8)).run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });

            int loadingSeen = await("phones loading on the page").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> count(chromium, ".tile.loading"), n -> n > 0 || run.isDone());
            assertThat(loadingSeen).as("the page showed phones loading while the floor loaded").isPositive();
            assertThat(count(chromium, ".tile.loading .fill")).isPositive();

            await("the done counter reaching " + PHONES).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> chromium.evaluate("document.getElementById('n-done').textContent").asText(),
                            done -> done.equals(Integer.toString(PHONES)));
            LoadReport report = run.get(60, TimeUnit.SECONDS);
            assertThat(report.allOk()).as(report.toText()).isTrue();

            assertThat(count(chromium, ".tile")).isEqualTo(PHONES + 2);
            assertThat(count(chromium, ".tile.done")).isEqualTo(PHONES);
            assertThat(text(chromium, "#n-failed")).isEqualTo("1");
            assertThat(text(chromium, "#n-waiting")).isEqualTo("1");
            assertThat(text(chromium, "#n-loading")).isEqualTo("0");
            String first = ".tile[data-addr='127.3.0.1'] ";
            assertThat(text(chromium, first + ".name")).isEqualTo("Floor 3");
            assertThat(text(chromium, first + ".file")).isEqualTo(FILE);
            assertThat(text(chromium, first + ".state")).isEqualTo("done");
            assertThat(text(chromium, first + ".pct")).isEqualTo("100%");
            assertThat(text(chromium, first + ".rate")).endsWith("/s");
            String refused = ".tile[data-addr='127.3.0.250'] ";
            assertThat(text(chromium, refused + ".state")).isEqualTo("failed");
            assertThat(text(chromium, refused + ".file")).as("a client's file name is shown as text").isEqualTo(HOSTILE);
            assertThat(text(chromium, refused + ".reason")).isNotEmpty();
            assertThat(count(chromium, "img")).as("no markup from a client ever becomes an element").isZero();
            assertThat(chromium.evaluate("document.title").asText()).as("the node's name, and nothing a client sent")
                    .isEqualTo("floorflash — " + server.settings().node().name());
            assertThat(chromium.evaluate("document.getElementById('rate').textContent").asText()).endsWith("/s");
            assertThat(chromium.evaluate(PAINTED_CHART_PIXELS).asInt()).as("the throughput line is drawn").isGreaterThan(100);

            await("the throughput line reaches the end of the run").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> chromium.evaluate("document.getElementById('rate').textContent").asText(), "0 B/s"::equals);
            Path png = Path.of("target", "floor-page.png");
            chromium.screenshot(png, WIDTH);
            assertThat(Files.size(png)).isGreaterThan(10_000);
        } finally {
            server.close();
        }
    }

    /**
     * With an operator token the browser opens {@code /?token=...} once: the server answers with the cookie and sends
     * it on to {@code /}, and the page's own requests carry the cookie from then on. The token leaves the address
     * bar, and no script on the page can read it.
     */
    @Test
    void withATokenThePageLogsInOnceAndFollowsTheFloor(@TempDir Path secrets) throws Exception {
        HeadlessChromium.binary();
        String token = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e";
        Path tokenFile = Files.writeString(secrets.resolve("http-token"), token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        FloorflashServer server = start(Overrides.none().with(Key.HTTP_TOKEN_FILE, tokenFile));
        try (HeadlessChromium chromium = HeadlessChromium.start(Path.of("target"), WIDTH, 1000)) {
            String page = server.pageUrl().orElseThrow();
            chromium.navigate(page);
            assertThat(chromium.evaluate("document.body.textContent").asText()).as("before logging in")
                    .startsWith("Unauthorized: ");
            assertThat(chromium.evaluate("fetch('/api/transfers').then(r => r.status)").asInt()).isEqualTo(401);

            chromium.navigate(page + "?token=" + token);

            await("the roster's waiting phone on the page").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> chromium.evaluate("document.getElementById('n-waiting').textContent").asText(), "1"::equals);
            assertThat(chromium.evaluate("location.href").asText()).as("the token left the address bar").isEqualTo(page);
            assertThat(chromium.evaluate("document.cookie").asText()).as("HttpOnly: no script reads it").isEmpty();
            assertThat(text(chromium, "#status")).isEqualTo("live");

            refusedRequest(server.localAddress(), "127.3.0.250", "nope.bin");
            await("the refused phone on the page").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> text(chromium, "#n-failed"), "1"::equals);
            assertThat(chromium.evaluate("fetch('/api/transfers', { credentials: 'omit' }).then(r => r.status)").asInt())
                    .as("the same request without the cookie").isEqualTo(401);
        } finally {
            server.close();
        }
    }

    /** The server on loopback and free ports, serving {@code root}, with the roster of these tests and {@code extra}. */
    private FloorflashServer start(Overrides extra) throws Exception {
        return TestServer.start(root, Overrides.none()
                .with(Key.FLOOR_ROSTER, List.of(
                        new RosterEntry(InetAddress.getByName("127.3.0.0"), 24, "Floor 3"),
                        new RosterEntry(InetAddress.getByName("127.3.1.1"), 32, "reception")))
                .with(extra)).server();
    }

    /** Blue pixels of the throughput line on the chart's canvas. */
    private static final String PAINTED_CHART_PIXELS = "(() => { const c = document.getElementById('chart');"
            + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
            + " for (let i = 0; i < d.length; i += 4) { if (d[i + 2] > 200 && d[i] < 80 && d[i + 3] > 200) n++; } return n; })()";

    private static int count(HeadlessChromium chromium, String selector) throws Exception {
        return chromium.evaluate("document.querySelectorAll(" + jsString(selector) + ").length").asInt();
    }

    private static String text(HeadlessChromium chromium, String selector) throws Exception {
        return chromium.evaluate("(document.querySelector(" + jsString(selector) + ") || {}).textContent").asText();
    }

    private static String jsString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** One read request for {@code file} from {@code from}, which the server refuses; waits for the ERROR. */
    private static void refusedRequest(InetSocketAddress server, String from, String file) throws Exception {
        ByteArrayOutputStream rrq = new ByteArrayOutputStream();
        rrq.write(new byte[] {0, 1});
        rrq.write(file.getBytes(UTF_8));
        rrq.write(0);
        rrq.write("octet".getBytes(UTF_8));
        rrq.write(0);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(from), 0))) {
            socket.setSoTimeout(5000);
            socket.send(new DatagramPacket(rrq.toByteArray(), rrq.size(), server));
            DatagramPacket answer = new DatagramPacket(new byte[1024], 1024);
            socket.receive(answer);
            assertThat(answer.getData()[1]).as("an ERROR packet").isEqualTo((byte) 5);
        }
    }
}

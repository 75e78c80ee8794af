package io.floorflash.loadtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The floor page while a phone's image comes from the origin, in headless Chromium: an HTTP origin that sends the
 * first MiB of a 3 MiB image and then holds the rest, and the page's line "fetching from origin: NAME (1.0 MiB so
 * far)", gone once the rest came.
 */
class OriginPageIT {
    private static final int SIZE = 3 * 1024 * 1024;
    private static final int FIRST_PART = 1024 * 1024;

    @TempDir
    Path work;

    @Test
    void thePageShowsAFetchFromTheOriginWhileItRuns() throws Exception {
        HeadlessChromium.binary();
        byte[] image = new byte[SIZE];
        Arrays.fill(image, (byte) 0x5a);
        CountDownLatch rest = new CountDownLatch(1);
        HttpServer origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService answering = Executors.newFixedThreadPool(4);
        origin.setExecutor(answering);
        origin.createContext("/firmware/", exchange -> answer(exchange, image, rest));
        origin.start();
        Path root = Files.createDirectories(work.resolve("root"));
        FloorflashServer server = FloorflashServer.start(SettingsLoader.load(TestServer.settings(root, Overrides.none()
                .with(Key.ORIGIN_URL, "http://127.0.0.1:" + origin.getAddress().getPort() + "/firmware/")
                .with(Key.FIRMWARE_CACHE_DIR, work.resolve("cache")))));
        try (HeadlessChromium chromium = HeadlessChromium.start(Path.of("target"), 1200, 800);
             DatagramSocket phone = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            chromium.navigate(server.pageUrl().orElseThrow());
            byte[] rrq = readRequest("snom320.bin");
            phone.send(new DatagramPacket(rrq, rrq.length, server.localAddress()));

            await("the fetch on the page").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> originLine(chromium), "fetching from origin: snom320.bin (1.0 MiB so far)"::equals);
            assertThat(chromium.evaluate("document.getElementById('origin').hidden").asBoolean()).isFalse();
            chromium.screenshot(Path.of("target", "origin-page.png"), 1200);

            rest.countDown();
            await("the line gone once the image came").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> chromium.evaluate("document.getElementById('origin').hidden").asBoolean());
            DatagramPacket data = new DatagramPacket(new byte[2048], 2048);
            phone.setSoTimeout(10_000);
            phone.receive(data);
            assertThat(data.getData()[1]).as("the waiting phone's first DATA").isEqualTo((byte) 3);
        } finally {
            rest.countDown();
            server.close();
            origin.stop(0);
            answering.shutdownNow();
            assertThat(answering.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The whole image to HEAD and GET, the GET's body held after its first MiB until {@code rest} opens. */
    private static void answer(HttpExchange exchange, byte[] image, CountDownLatch rest) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.getResponseHeaders().set("ETag", "\"origin-page-it\"");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(image.length));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, image.length);
            OutputStream body = exchange.getResponseBody();
            body.write(image, 0, FIRST_PART);
            body.flush();
            try {
                if (!rest.await(60, TimeUnit.SECONDS)) {
                    return; // the test is over; the fetch sees a body cut short
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            body.write(image, FIRST_PART, image.length - FIRST_PART);
        }
    }

    private static String originLine(HeadlessChromium chromium) throws Exception {
        return chromium.evaluate("document.getElementById('origin').textContent").asText();
    }

    private static byte[] readRequest(String file) throws IOException {
        ByteArrayOutputStream rrq = new ByteArrayOutputStream();
        rrq.write(new byte[] {0, 1});
        rrq.write(file.getBytes(UTF_8));
        rrq.write(0);
        rrq.write("octet".getBytes(UTF_8));
        rrq.write(0);
        return rrq.toByteArray();
    }
}

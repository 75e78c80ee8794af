package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.metrics.Exposition;
import io.floorflash.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull-through from an HTTP origin served by Debian's nginx (started here, on loopback): a boot storm makes one GET,
 * a changed image is served anew while a running transfer finishes on the old bytes, an origin that goes away leaves
 * the cache serving, a truncated answer is never served nor kept, the prefetch command fills the cache, and two nodes
 * make one fetch each. Phones are {@link Phone}s from distinct loopback source addresses.
 */
class OriginIT {
    private static final String IMAGE = "releases/10.1.2/snom320.bin";
    private static final String OTHER = "releases/10.1.2/snom820-r.bin";
    private static final long SIZE = 3 * 1024 * 1024 + 77;
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path temp;
    private Path docroot;
    private Path root;
    private Nginx nginx;
    private ExecutorService phones;

    @BeforeEach
    void origin() throws IOException {
        docroot = Files.createDirectories(temp.resolve("origin"));
        root = Files.createDirectories(temp.resolve("local-root"));
        Files.createDirectories(docroot.resolve("releases/10.1.2"));
        SeededFiles.write(docroot, IMAGE, SIZE, 320);
        SeededFiles.write(docroot, OTHER, SIZE / 3, 820);
        writeSums();
        nginx = Nginx.start(Files.createDirectories(temp.resolve("nginx")), docroot);
        phones = Executors.newFixedThreadPool(200);
    }

    @AfterEach
    void stop() throws InterruptedException {
        phones.shutdownNow();
        assertThat(phones.awaitTermination(30, TimeUnit.SECONDS)).as("phone threads ended").isTrue();
        nginx.close();
    }

    private Overrides originSettings(String url, Path cacheDir, Duration revalidateAfter) {
        return Overrides.none()
                .with(Key.ORIGIN_URL, url)
                .with(Key.FIRMWARE_CACHE_DIR, cacheDir)
                .with(Key.ORIGIN_REVALIDATE_AFTER, revalidateAfter)
                .with(Key.ORIGIN_FETCH_TIMEOUT, Duration.ofSeconds(20))
                .with(Key.ORIGIN_CONNECT_TIMEOUT, Duration.ofSeconds(2));
    }

    @Test
    void twoHundredPhonesAtOnceMakeOneGetAndAllGetTheExactBytes() throws Exception {
        Overrides settings = originSettings(nginx.url(), temp.resolve("cache"), Duration.ofMinutes(1))
                .with(TestServer.FIRMWARE_SIDE);
        try (TestServer server = TestServer.start(root, settings)) {
            List<Phone.Result> results = storm(server.port(), 1, 200, IMAGE);

            String expected = SeededFiles.sha256(docroot.resolve(IMAGE));
            assertThat(results).hasSize(200).allSatisfy(result -> {
                assertThat(result.error()).isNull();
                assertThat(result.sha256()).isEqualTo(expected);
            });
            assertThat(nginx.requests("GET", IMAGE)).as("GETs of the image in nginx's access log").isEqualTo(1);
            assertThat(nginx.requests("HEAD", IMAGE)).isZero();
            HttpResponse<byte[]> overHttp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.firmwareUrl("/firmware/" + IMAGE))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(overHttp.statusCode()).isEqualTo(200);
            assertThat(new Phone.Result(overHttp.body(), 0, null, 0).sha256()).as("over the HTTP firmware side")
                    .isEqualTo(expected);
            assertThat(nginx.requests("GET", IMAGE)).as("GETs after the HTTP download too").isEqualTo(1);
            String metrics = get(server.operatorUrl("/metrics"));
            assertThat(Exposition.parse(metrics).samples())
                    .containsEntry("floorflash_origin_fetches_total{result=\"body\"}", 1.0);
            System.out.printf("origin fetch count: 200 phones -> %d GET of the image (%d RRQs sent in all)%n",
                    nginx.requests("GET", IMAGE), results.stream().mapToInt(Phone.Result::rrqsSent).sum());
        }
    }

    @Test
    void namesListedForPrefetchAreFetchedAtStart() throws Exception {
        Overrides settings = originSettings(nginx.url(), temp.resolve("cache"), Duration.ofMinutes(1))
                .with(Key.ORIGIN_PREFETCH, List.of(OTHER));
        try (TestServer server = TestServer.start(root, settings)) {
            await("the prefetch at start").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> server.server().store().origin().has(OTHER));

            assertThat(nginx.requests("GET", OTHER)).isEqualTo(1);
            assertThat(Phone.fetch(address(4, 1), server.port(), OTHER, PATIENCE).sha256())
                    .isEqualTo(SeededFiles.sha256(docroot.resolve(OTHER)));
            assertThat(nginx.requests("GET", OTHER)).as("no second GET for a phone").isEqualTo(1);
        }
    }

    @Test
    void localFilesUnderTheRootWin() throws Exception {
        SeededFiles.write(Files.createDirectories(root.resolve("releases/10.1.2")), "snom320.bin", 5000, 1);
        try (TestServer server = TestServer.start(root, originSettings(nginx.url(), temp.resolve("cache"), Duration.ofMinutes(1)))) {
            Phone.Result result = Phone.fetch(address(5, 1), server.port(), IMAGE, PATIENCE);

            assertThat(result.error()).isNull();
            assertThat(result.sha256()).isEqualTo(SeededFiles.sha256(root.resolve(IMAGE)));
            assertThat(nginx.requests("GET", IMAGE)).isZero();
        }
    }

    @Test
    void aChangedImageIsServedAnewWhileARunningTransferFinishesOnTheOldBytes() throws Exception {
        try (TestServer server = TestServer.start(root, originSettings(nginx.url(), temp.resolve("cache"), Duration.ofSeconds(1)))) {
            String before = SeededFiles.sha256(docroot.resolve(IMAGE));
            assertThat(Phone.fetch(address(6, 1), server.port(), IMAGE, PATIENCE).sha256()).isEqualTo(before);
            CountDownLatch paused = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            Future<Phone.Result> running = phones.submit(() -> Phone.fetch(address(6, 2), server.port(), IMAGE, PATIENCE,
                    block -> {
                        if (block == 10) {
                            paused.countDown();
                            try {
                                resume.await(40, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }));
            assertThat(paused.await(30, TimeUnit.SECONDS)).as("the running transfer reached block 10").isTrue();

            SeededFiles.write(docroot.resolve("releases/10.1.2"), "snom320.bin", SIZE + 1000, 321);
            Files.setLastModifiedTime(docroot.resolve(IMAGE), FileTime.from(Instant.now().plusSeconds(60)));
            writeSums();
            String after = SeededFiles.sha256(docroot.resolve(IMAGE));
            AtomicInteger next = new AtomicInteger(10);
            await("the new image served").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Phone.fetch(address(6, next.incrementAndGet()), server.port(), IMAGE, PATIENCE).sha256(),
                            after::equals);
            resume.countDown();

            Phone.Result old = running.get(60, TimeUnit.SECONDS);
            assertThat(old.error()).isNull();
            assertThat(old.sha256()).as("the transfer running across the change").isEqualTo(before);
            assertThat(nginx.bodies(IMAGE)).as("200s for the image: the first fetch and the changed one").isEqualTo(2);
        }
    }

    @Test
    void withTheOriginStoppedPhonesGetTheCachedImageAndANeverFetchedNameIsRefusedClearly() throws Exception {
        try (TestServer server = TestServer.start(root, originSettings(nginx.url(), temp.resolve("cache"), Duration.ZERO))) {
            String expected = SeededFiles.sha256(docroot.resolve(IMAGE));
            assertThat(Phone.fetch(address(7, 1), server.port(), IMAGE, PATIENCE).sha256()).isEqualTo(expected);

            nginx.stop();

            List<Phone.Result> offline = storm(server.port(), 7, 20, IMAGE);
            assertThat(offline).allSatisfy(result -> assertThat(result.sha256()).isEqualTo(expected));
            Phone.Result never = Phone.fetch(address(7, 99), server.port(), OTHER, PATIENCE);
            assertThat(never.errorCode()).isZero();
            assertThat(never.error()).startsWith("origin unreachable");
            assertThat(status(server.operatorUrl("/readyz"))).isEqualTo(200);
            String metrics = get(server.operatorUrl("/metrics"));
            assertThat(Exposition.parse(metrics).samples()).containsEntry("floorflash_origin_up", 0.0)
                    .containsKey("floorflash_origin_cache_age_seconds");
            assertThat(Exposition.parse(metrics).samples().get("floorflash_origin_stale_served_total"))
                    .isGreaterThanOrEqualTo(1.0);

            nginx.restart();
            assertThat(Phone.fetch(address(7, 100), server.port(), OTHER, PATIENCE).sha256())
                    .isEqualTo(SeededFiles.sha256(docroot.resolve(OTHER)));
        }
    }

    @Test
    void aTruncatedAnswerIsNeverServedNorCached() throws Exception {
        Path cache = temp.resolve("cache");
        try (ServerSocket liar = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AtomicInteger answered = new AtomicInteger();
            phones.submit(() -> lie(liar, answered));
            try (TestServer server = TestServer.start(root, originSettings(
                    "http://127.0.0.1:" + liar.getLocalPort() + "/firmware/", cache, Duration.ZERO))) {
                for (int i = 1; i <= 2; i++) {
                    Phone.Result result = Phone.fetch(address(8, i), server.port(), IMAGE, PATIENCE);
                    assertThat(result.errorCode()).isZero();
                    assertThat(result.error()).startsWith("origin unreachable");
                    assertThat(result.bytes()).isEmpty();
                }
                assertThat(answered.get()).as("truncated answers sent").isGreaterThanOrEqualTo(2);
                try (Stream<Path> files = Files.list(cache)) {
                    assertThat(files).as("files in the cache folder").isEmpty();
                }
                assertThat(Exposition.parse(get(server.operatorUrl("/metrics"))).samples()
                        .get("floorflash_origin_errors_total")).isGreaterThanOrEqualTo(2.0);
            }
        }
    }

    @Test
    void thePrefetchCommandFillsTheCacheAndTheServerServesItWithTheOriginStopped() throws Exception {
        Path cache = temp.resolve("cache");
        Path config = temp.resolve("floorflash.conf");
        Files.writeString(config, "floorflash.firmware.origin.url = \"" + nginx.url() + "\"\n"
                + "floorflash.firmware.cache-dir = \"" + cache + "\"\n");
        Path jar = Path.of(System.getProperty("floorflash.jar", "target/floorflash.jar")).toAbsolutePath();
        assertThat(jar).as("the shaded jar (built by mvn package)").isRegularFile();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        ExternalProcess.Finished run = ExternalProcess.run(List.of(java, "-Xmx128m", "-jar", jar.toString(), "prefetch",
                "--config", config.toString(), "--release", "releases/10.1.2"), Duration.ofSeconds(120), "a JDK");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("prefetched 2 of 2 images");
        assertThat(nginx.requests("GET", IMAGE)).isEqualTo(1);
        assertThat(nginx.requests("GET", OTHER)).isEqualTo(1);
        nginx.stop();
        ExternalProcess.Finished missing = ExternalProcess.run(List.of(java, "-Xmx128m", "-jar", jar.toString(),
                "prefetch", "--config", config.toString(), "releases/none.bin"), Duration.ofSeconds(120), "a JDK");
        assertThat(missing.exitCode()).as(missing.output()).isEqualTo(1);
        assertThat(missing.output()).contains("prefetched 0 of 1 images").contains("failed: releases/none.bin");

        try (TestServer server = TestServer.start(root, originSettings(nginx.url(), cache, Duration.ofMinutes(1)))) {
            for (String name : List.of(IMAGE, OTHER)) {
                Phone.Result result = Phone.fetch(address(9, 1), server.port(), name, PATIENCE);
                assertThat(result.error()).as(name).isNull();
                assertThat(result.sha256()).isEqualTo(SeededFiles.sha256(docroot.resolve(name)));
            }
        }
    }

    /**
     * Two nodes, each with its own cache folder and its own floor of phones, in this JVM on their own ports (not in
     * network namespaces: the origin sees them alike, one fetch per image per node, which is what is measured).
     */
    @Test
    void twoNodesSharingOneOriginFetchEachImageOnceEach() throws Exception {
        try (TestServer first = TestServer.start(root, originSettings(nginx.url(), temp.resolve("cache-1"), Duration.ofMinutes(1)));
             TestServer second = TestServer.start(root, originSettings(nginx.url(), temp.resolve("cache-2"), Duration.ofMinutes(1)))) {
            List<Future<List<Phone.Result>>> floors = new ArrayList<>();
            floors.add(phones.submit(() -> storm(first.port(), 10, 40, IMAGE)));
            List<Phone.Result> floor2 = storm(second.port(), 11, 40, IMAGE);
            List<Phone.Result> floor1 = floors.get(0).get(120, TimeUnit.SECONDS);
            List<Phone.Result> floor1Other = storm(first.port(), 12, 20, OTHER);
            List<Phone.Result> floor2Other = storm(second.port(), 13, 20, OTHER);

            String expected = SeededFiles.sha256(docroot.resolve(IMAGE));
            assertThat(floor1).hasSize(40).allSatisfy(r -> assertThat(r.sha256()).isEqualTo(expected));
            assertThat(floor2).hasSize(40).allSatisfy(r -> assertThat(r.sha256()).isEqualTo(expected));
            String other = SeededFiles.sha256(docroot.resolve(OTHER));
            assertThat(floor1Other).allSatisfy(r -> assertThat(r.sha256()).isEqualTo(other));
            assertThat(floor2Other).allSatisfy(r -> assertThat(r.sha256()).isEqualTo(other));
            assertThat(nginx.requests("GET", IMAGE)).as("GETs of %s for two nodes", IMAGE).isEqualTo(2);
            assertThat(nginx.requests("GET", OTHER)).as("GETs of %s for two nodes", OTHER).isEqualTo(2);
            System.out.printf("origin fetch count: 2 nodes x (40 + 20 phones) -> %d GETs of %s, %d of %s%n",
                    nginx.requests("GET", IMAGE), IMAGE, nginx.requests("GET", OTHER), OTHER);
        }
    }

    /** {@code count} phones at once, from 127.0.{net}.1 on, all asking for {@code name}. */
    private List<Phone.Result> storm(int port, int net, int count, String name) throws Exception {
        List<Callable<Phone.Result>> calls = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            InetAddress source = address(net, i);
            calls.add(() -> Phone.fetch(source, port, name, PATIENCE));
        }
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Phone.Result> results = new ArrayList<>();
            for (Future<Phone.Result> result : pool.invokeAll(calls, PATIENCE.toSeconds() + 30, TimeUnit.SECONDS)) {
                results.add(result.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private void writeSums() throws IOException {
        StringBuilder sums = new StringBuilder();
        for (String name : List.of(IMAGE, OTHER)) {
            sums.append(SeededFiles.sha256(docroot.resolve(name))).append("  ")
                    .append(Path.of(name).getFileName()).append('\n');
        }
        Files.writeString(docroot.resolve("releases/10.1.2/SHA256SUMS"), sums);
    }

    /** Answers each connection with a 200 that promises 2,000,000 bytes, sends 1000, and closes. Bounded. */
    private static Void lie(ServerSocket liar, AtomicInteger answered) {
        for (int i = 0; i < 50 && !liar.isClosed(); i++) {
            try (Socket socket = liar.accept()) {
                InputStream in = socket.getInputStream();
                byte[] request = new byte[8192];
                int n = in.read(request);
                String head = n > 0 ? new String(request, 0, n, StandardCharsets.US_ASCII) : "";
                OutputStream out = socket.getOutputStream();
                if (!head.startsWith("GET /firmware/" + IMAGE)) {
                    out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\nETag: \"lie\"\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(new byte[1000]);
                    answered.incrementAndGet();
                }
                out.flush();
            } catch (IOException e) {
                return null; // closed at the end of the test
            }
        }
        return null;
    }

    private static InetAddress address(int net, int host) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) net, (byte) host});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

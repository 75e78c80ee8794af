package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.S3OriginSettings;
import io.floorflash.server.firmware.origin.Origin.Body;
import io.floorflash.server.firmware.origin.Origin.Fetched;
import io.floorflash.server.firmware.origin.Origin.Metadata;
import io.floorflash.server.firmware.origin.Origin.Missing;
import io.floorflash.server.firmware.origin.Origin.NotModified;
import io.floorflash.server.firmware.origin.Origin;
import io.floorflash.server.firmware.origin.OriginException;
import io.floorflash.server.firmware.origin.Origins;
import io.floorflash.server.metrics.Exposition;
import io.floorflash.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 origin against a real S3 server, s3proxy on loopback with credentials: the {@link Origin} contract byte by
 * byte (head, fetch, If-None-Match, NoSuchKey, the stored SHA-256), and every way it fails with a message an operator
 * can act on (wrong keys, a missing bucket, a stopped server, a silent one), each within its timeouts. The faults
 * s3proxy never makes (a body cut short, one unlike its SHA-256) come from a fake S3 on loopback.
 */
class S3OriginIT {
    private static final String BUCKET = "firmware";
    private static final long TWO_MIB = 2L * 1024 * 1024;
    /** An origin failing on loopback fails at once; this bounds the SDK's retries and backoff around it. */
    private static final Duration QUICKLY = Duration.ofSeconds(5);
    /** The image as phones ask for it, below the origin's prefix. */
    private static final String NAME = "10.1.2/snom320.bin";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static S3ProxyServer s3;
    private static Path image;

    @BeforeAll
    static void start() throws IOException {
        s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3proxy")));
        s3.createBucket(BUCKET);
        image = SeededFiles.write(dir, "snom320.bin", TWO_MIB, 320);
        s3.put(BUCKET, "releases/10.1.2/snom320.bin", image);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void headsAndFetchesATwoMebibyteImageByteForByte(@TempDir Path downloads) throws Exception {
        try (Origin origin = origin("s3://firmware/releases", S3ProxyServer.SECRET_KEY)) {
            Metadata head = origin.head("10.1.2/snom320.bin").orElseThrow();
            Path target = downloads.resolve("snom320.bin");

            Fetched fetched = origin.fetch("10.1.2/snom320.bin", Optional.empty(), target);

            assertThat(head.length()).isEqualTo(TWO_MIB);
            assertThat(head.etag()).isPresent();
            assertThat(fetched).isEqualTo(new Body(head));
            assertThat(target).hasSize(TWO_MIB);
            assertThat(SeededFiles.sha256(target)).isEqualTo(SeededFiles.sha256(image));
            assertThat(origin.describe()).isEqualTo("s3://firmware/releases/");
        }
    }

    @Test
    void answersNotModifiedToItsOwnEtagAndTheNewBodyOnceTheImageChanged(@TempDir Path downloads) throws Exception {
        Path first = SeededFiles.write(downloads, "v1.bin", 70_000, 1);
        Path second = SeededFiles.write(downloads, "v2.bin", 70_001, 2);
        s3.put(BUCKET, "changing.bin", first);
        try (Origin origin = origin("s3://firmware", S3ProxyServer.SECRET_KEY)) {
            Metadata before = origin.head("changing.bin").orElseThrow();

            Fetched unchanged = origin.fetch("changing.bin", before.etag(), downloads.resolve("a"));
            s3.put(BUCKET, "changing.bin", second);
            Fetched changed = origin.fetch("changing.bin", before.etag(), downloads.resolve("b"));

            assertThat(unchanged).isEqualTo(new NotModified(before));
            assertThat(changed).isInstanceOfSatisfying(Body.class, body -> {
                assertThat(body.metadata().length()).isEqualTo(70_001);
                assertThat(body.metadata().etag()).isPresent().isNotEqualTo(before.etag());
            });
            assertThat(SeededFiles.sha256(downloads.resolve("b"))).isEqualTo(SeededFiles.sha256(second));
        }
    }

    @Test
    void findsNothingForAnAbsentKey(@TempDir Path downloads) throws Exception {
        try (Origin origin = origin("s3://firmware/releases/", S3ProxyServer.SECRET_KEY)) {
            assertThat(origin.head("10.1.2/snom999.bin")).isEmpty();
            assertThat(origin.fetch("10.1.2/snom999.bin", Optional.empty(), downloads.resolve("x")))
                    .isEqualTo(new Missing());
        }
    }

    @Test
    void givesTheSha256StoredWithTheObject(@TempDir Path downloads) throws Exception {
        Path file = SeededFiles.write(downloads, "snom820.bin", 513, 820);
        s3.putWithSha256(BUCKET, "releases/snom820.bin", file);
        try (Origin origin = origin("s3://firmware/releases", S3ProxyServer.SECRET_KEY)) {
            Metadata head = origin.head("snom820.bin").orElseThrow();
            Fetched fetched = origin.fetch("snom820.bin", Optional.empty(), downloads.resolve("got.bin"));

            assertThat(head.sha256()).contains(SeededFiles.sha256(file));
            assertThat(fetched).isEqualTo(new Body(head));
            assertThat(SeededFiles.sha256(downloads.resolve("got.bin"))).isEqualTo(SeededFiles.sha256(file));
        }
    }

    @Test
    void saysAccessDeniedForAnUnknownAccessKey(@TempDir Path downloads) {
        try (Origin origin = origin(s3.endpoint(), "s3://firmware", "AKIAUNKNOWN", S3ProxyServer.SECRET_KEY,
                Duration.ofSeconds(2), Duration.ofSeconds(10))) {
            OriginException failure = catchThrowableOfType(OriginException.class,
                    () -> origin.fetch("snom320.bin", Optional.empty(), downloads.resolve("x")));

            assertThat(failure).hasMessageStartingWith("s3://firmware/snom320.bin: GET refused: access denied (403");
            assertThat(failure.getMessage()).doesNotContain(S3ProxyServer.SECRET_KEY);
        }
    }

    @Test
    void saysAccessDeniedForAWrongSecretWithoutQuotingIt(@TempDir Path downloads) {
        String wrong = "wrong-secret-" + "x".repeat(20);
        try (Origin origin = origin("s3://firmware/releases", wrong)) {
            OriginException onHead = catchThrowableOfType(OriginException.class, () -> origin.head("10.1.2/snom320.bin"));
            OriginException onFetch = catchThrowableOfType(OriginException.class,
                    () -> origin.fetch("10.1.2/snom320.bin", Optional.empty(), downloads.resolve("x")));

            assertThat(onHead).hasMessageStartingWith("s3://firmware/releases/10.1.2/snom320.bin: HEAD refused: access"
                    + " denied (403");
            assertThat(onFetch).hasMessageContaining(": GET refused: access denied (403 SignatureDoesNotMatch");
            assertThat(onHead.getMessage() + onFetch.getMessage()).doesNotContain(wrong);
        }
    }

    @Test
    void saysNoSuchBucketForABucketThatIsNot(@TempDir Path downloads) {
        try (Origin origin = origin("s3://no-such-bucket", S3ProxyServer.SECRET_KEY)) {
            OriginException failure = catchThrowableOfType(OriginException.class,
                    () -> origin.fetch("snom320.bin", Optional.empty(), downloads.resolve("x")));

            assertThat(failure).hasMessage("s3://no-such-bucket/snom320.bin: GET refused: no such bucket (404"
                    + " NoSuchBucket; check firmware.origin and firmware.origin-s3.endpoint)");
        }
    }

    @Test
    void failsQuicklyOnceTheServerIsStopped(@TempDir Path work) throws Exception {
        S3ProxyServer stopping = S3ProxyServer.start(work);
        stopping.createBucket(BUCKET);
        stopping.put(BUCKET, "snom320.bin", image);
        try (Origin origin = origin(stopping.endpoint(), "s3://firmware", S3ProxyServer.SECRET_KEY,
                Duration.ofSeconds(1), Duration.ofSeconds(1))) {
            assertThat(origin.head("snom320.bin")).isPresent();
            stopping.close();

            long start = System.nanoTime();
            OriginException failure = catchThrowableOfType(OriginException.class,
                    () -> origin.fetch("snom320.bin", Optional.empty(), work.resolve("x")));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(failure).hasMessageStartingWith("s3://firmware/snom320.bin: GET failed: " + stopping.endpoint()
                    + " unreachable (ConnectException");
            assertThat(took).isLessThan(QUICKLY);
        } finally {
            stopping.close();
        }
    }

    @Test
    void timesOutOnAServerThatNeverAnswers(@TempDir Path downloads) throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Origin origin = origin(URI.create("http://127.0.0.1:" + silent.getLocalPort()), "s3://firmware",
                     S3ProxyServer.SECRET_KEY, Duration.ofSeconds(1), Duration.ofMillis(500))) {
            Thread acceptor = new Thread(() -> acceptAndHold(silent), "silent-s3");
            acceptor.setDaemon(true);
            acceptor.start();

            long start = System.nanoTime();
            OriginException failure = catchThrowableOfType(OriginException.class, () -> origin.head("snom320.bin"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(failure).hasMessage("s3://firmware/snom320.bin: HEAD timed out waiting for http://127.0.0.1:"
                    + silent.getLocalPort() + " (firmware.origin-s3.connect-timeout, read-timeout)");
            assertThat(took).isLessThan(QUICKLY);
        }
    }

    @Test
    void refusesABodyCutShortOfItsLength(@TempDir Path downloads) throws Exception {
        HttpServer broken = fakeS3(exchange -> {
            exchange.getResponseHeaders().add("ETag", "\"short\"");
            exchange.sendResponseHeaders(200, 100_000);
            exchange.getResponseBody().write(new byte[40_000]);
            exchange.close(); // 60,000 bytes short: the server drops the connection
        });
        try (Origin origin = origin(endpoint(broken), "s3://firmware", S3ProxyServer.SECRET_KEY,
                Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            OriginException failure = catchThrowableOfType(OriginException.class,
                    () -> origin.fetch("short.bin", Optional.empty(), downloads.resolve("short.bin")));

            assertThat(failure.getMessage()).matches("s3://firmware/short\\.bin: GET broke off after \\d+ of 100000"
                    + " bytes: .*");
        } finally {
            broken.stop(0);
        }
    }

    @Test
    void refusesABodyUnlikeTheSha256StatedForIt(@TempDir Path downloads) throws Exception {
        byte[] body = new byte[100_000];
        String otherDigest = Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(new byte[] {1}));
        HttpServer corrupt = fakeS3(exchange -> {
            exchange.getResponseHeaders().add("ETag", "\"corrupt\"");
            exchange.getResponseHeaders().add("x-amz-checksum-sha256", otherDigest);
            exchange.getResponseHeaders().add("x-amz-checksum-type", "FULL_OBJECT");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        try (Origin origin = origin(endpoint(corrupt), "s3://firmware", S3ProxyServer.SECRET_KEY,
                Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            OriginException failure = catchThrowableOfType(OriginException.class,
                    () -> origin.fetch("corrupt.bin", Optional.empty(), downloads.resolve("corrupt.bin")));

            assertThat(failure).hasMessageStartingWith("s3://firmware/corrupt.bin: GET broke off after ")
                    .hasMessageContaining("the body does not match the checksum S3 states for it");
        } finally {
            corrupt.stop(0);
        }
    }

    /**
     * An HTTP server on loopback that answers every request (the SDK's signed GET included) with {@code answer}: the
     * faults s3proxy never makes, a body cut short or unlike its checksum.
     */
    private static HttpServer fakeS3(HttpHandler answer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                answer.handle(exchange);
            } catch (IOException e) {
                // A fault the answer made on purpose: the connection is gone, which is the point.
            }
        });
        server.start();
        return server;
    }

    private static URI endpoint(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Accepts connections and reads nothing, until the socket is closed. */
    private static void acceptAndHold(ServerSocket server) {
        try (Socket first = server.accept(); Socket second = server.accept(); Socket third = server.accept()) {
            server.accept().close();
        } catch (IOException e) {
            // The test closed the server socket: the held connections close with it.
        }
    }

    /**
     * The origin scenarios through the S3 API, end to end: fifty phones at once make one GetObject with a
     * body; a new version in the bucket is served once revalidated; with the S3 server stopped the cached copy is
     * still served and a name never fetched is refused clearly. A server of its own, since this test stops it.
     */
    @Test
    void aFloorFetchesThroughFloorflashFromTheBucketOnceAndKeepsServingWhenItStops(@TempDir Path work)
            throws Exception {
        S3ProxyServer own = S3ProxyServer.start(Files.createDirectories(work.resolve("s3proxy")));
        ExecutorService phones = Executors.newFixedThreadPool(50);
        try {
            own.createBucket(BUCKET);
            Path first = SeededFiles.write(work, "first.bin", TWO_MIB, 1);
            Path second = SeededFiles.write(work, "second.bin", TWO_MIB, 2);
            own.putWithSha256(BUCKET, "releases/10.1.2/snom320.bin", first);
            Path root = Files.createDirectories(work.resolve("root"));
            try (TestServer server = TestServer.start(root, Overrides.none()
                    .with(Key.ORIGIN_URL, "s3://" + BUCKET + "/releases")
                    .with(Key.FIRMWARE_CACHE_DIR, work.resolve("cache"))
                    .with(Key.ORIGIN_REVALIDATE_AFTER, Duration.ofSeconds(1))
                    .with(Key.S3_REGION, "us-east-1")
                    .with(Key.S3_ENDPOINT, own.endpoint().toString())
                    .with(Key.S3_PATH_STYLE_ACCESS, true)
                    .with(Key.S3_CREDENTIALS_FILE, credentialsFile(S3ProxyServer.ACCESS_KEY,
                            S3ProxyServer.SECRET_KEY)))) {
                List<Future<Phone.Result>> floor = new ArrayList<>();
                for (int i = 1; i <= 50; i++) {
                    InetAddress phone = phoneAddress(40, i);
                    floor.add(phones.submit(() -> Phone.fetch(phone, server.port(), NAME, PATIENCE)));
                }
                for (Future<Phone.Result> result : floor) {
                    assertThat(result.get().sha256()).isEqualTo(SeededFiles.sha256(first));
                }
                assertThat(bodies(server)).as("one GetObject with a body for fifty phones").isEqualTo(1.0);
                Path byCurl = work.resolve("curl.bin");
                Client.curl(server.port(), NAME, byCurl).assertDelivered(first, byCurl);

                own.putWithSha256(BUCKET, "releases/10.1.2/snom320.bin", second);
                AtomicInteger next = new AtomicInteger();
                await("the new version, once revalidated").atMost(Duration.ofSeconds(30))
                        .until(() -> Phone.fetch(phoneAddress(41, next.incrementAndGet()), server.port(), NAME, PATIENCE)
                                .sha256(), SeededFiles.sha256(second)::equals);
                assertThat(bodies(server)).isEqualTo(2.0);

                own.close();
                assertThat(Phone.fetch(phoneAddress(42, 1), server.port(), NAME, PATIENCE).sha256())
                        .as("the cached copy while S3 is down").isEqualTo(SeededFiles.sha256(second));
                Phone.Result never = Phone.fetch(phoneAddress(42, 2), server.port(), "10.1.2/snom820-r.bin", PATIENCE);
                assertThat(never.error()).startsWith("origin unreachable");
            }
        } finally {
            phones.shutdownNow();
            own.close();
        }
    }

    private static double bodies(TestServer server) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.operatorUrl("/metrics"))).timeout(QUICKLY).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return Exposition.parse(metrics).samples().getOrDefault("floorflash_origin_fetches_total{result=\"body\"}", 0.0);
    }

    private static InetAddress phoneAddress(int net, int host) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) net, (byte) host});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Origin origin(String url, String secret) {
        return origin(s3.endpoint(), url, S3ProxyServer.ACCESS_KEY, secret, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    private static Origin origin(URI endpoint, String url, String secret, Duration connectTimeout, Duration readTimeout) {
        return origin(endpoint, url, S3ProxyServer.ACCESS_KEY, secret, connectTimeout, readTimeout);
    }

    /**
     * The origin as the server builds it, from {@code firmware.origin} and typed {@link S3OriginSettings}: path-style,
     * keys from a private credentials file, two attempts per request.
     */
    private static Origin origin(URI endpoint, String url, String accessKey, String secret, Duration connectTimeout,
                                 Duration readTimeout) {
        Path credentials = credentialsFile(accessKey, secret);
        return Origins.of(url, new S3OriginSettings(Optional.of("us-east-1"), Optional.of(endpoint), true,
                Optional.of(credentials), connectTimeout, readTimeout, 2));
    }

    private static Path credentialsFile(String accessKey, String secret) {
        try {
            Path file = Files.createTempFile(dir, "credentials", "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return Files.writeString(file, "[default]\naws_access_key_id = " + accessKey
                    + "\naws_secret_access_key = " + secret + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

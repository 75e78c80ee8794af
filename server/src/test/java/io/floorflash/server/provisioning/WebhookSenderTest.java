package io.floorflash.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.floorflash.config.WebhookSettings;
import io.floorflash.server.LogCapture;
import io.floorflash.server.audit.AuditLog;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class WebhookSenderTest {
    private static final Instant NOW = Instant.parse("2026-12-02T07:30:12.345Z");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
    }

    @Test
    void retriesA503AndThenDeliversTheAuditLine() throws IOException {
        WebhookReceiver receiver = receiver().answer(503, 503, 200);
        WebhookSender sender = sender(settings(receiver.url(), 5));

        TransferSummary summary = summary("snom320.bin");
        sender.transferFinished(summary);

        await().atMost(WAIT).until(() -> sender.delivered() == 1);
        List<WebhookReceiver.Post> posts = receiver.posts();
        assertThat(posts).hasSize(3).allSatisfy(post -> {
            assertThat(post.method()).isEqualTo("POST");
            assertThat(post.path()).isEqualTo("/hooks/floorflash");
            assertThat(post.headers().getFirst("Content-Type")).isEqualTo("application/json");
            assertThat(post.body()).isEqualTo(AuditLog.line("edge-1", summary, NOW));
        });
        assertThat(sender.retries()).isEqualTo(2);
        assertThat(sender.failed()).isZero();
        assertThat(sender.dropped()).isZero();
        assertThat(sender.queued()).isZero();
    }

    @Test
    void doesNotRetryA400() throws IOException {
        WebhookReceiver receiver = receiver().answer(400);
        WebhookSender sender = sender(settings(receiver.url(), 5));

        sender.transferFinished(summary("snom320.bin"));

        await().atMost(WAIT).until(() -> sender.failed() == 1);
        assertThat(receiver.posts()).hasSize(1);
        assertThat(sender.retries()).isZero();
        assertThat(sender.delivered()).isZero();
    }

    @Test
    void givesUpAfterMaxRetries() throws IOException {
        WebhookReceiver receiver = receiver().answer(500, 502, 503, 504);
        WebhookSender sender = sender(settings(receiver.url(), 2));

        sender.transferFinished(summary("snom320.bin"));

        await().atMost(WAIT).until(() -> sender.failed() == 1);
        assertThat(receiver.posts()).hasSize(3);
        assertThat(sender.retries()).isEqualTo(2);
    }

    @Test
    void dropsAndCountsWhatAFullQueueCannotTake() throws IOException {
        WebhookReceiver receiver = receiver();
        receiver.hold();
        WebhookSender sender = sender(withQueueSize(settings(receiver.url(), 0), 2));

        sender.transferFinished(summary("a.bin"));
        sender.transferFinished(summary("b.bin"));
        // Both sender threads now wait for an answer: the queue is empty again.
        await().atMost(WAIT).until(() -> receiver.held() == 2);
        for (int i = 0; i < 5; i++) {
            sender.transferFinished(summary("more-" + i + ".bin"));
        }

        assertThat(sender.queued()).isEqualTo(2);
        assertThat(sender.dropped()).isEqualTo(3);
        receiver.release();
        await().atMost(WAIT).until(() -> sender.delivered() == 4);
        assertThat(sender.queued()).isZero();
        assertThat(receiver.posts()).extracting(WebhookReceiver.Post::body)
                .anyMatch(body -> body.contains("\"file\":\"more-0.bin\""))
                .noneMatch(body -> body.contains("\"file\":\"more-4.bin\""));
    }

    @Test
    void countsFailuresToADownReceiverAndSumsThemUpInOneLine() throws IOException {
        try (LogCapture logs = new LogCapture(Level.DEBUG, WebhookSender.class)) {
            WebhookSender sender = new WebhookSender(settings("http://127.0.0.1:" + closedPort() + "/hooks", 1),
                    "edge-1", Clock.fixed(NOW, ZoneOffset.UTC), () -> 0.5, LoggerFactory.getLogger(WebhookSender.class),
                    Duration.ofMillis(500));
            closeAfter.add(sender);

            for (int i = 0; i < 20; i++) {
                sender.transferFinished(summary("snom" + i + ".bin"));
            }

            await().atMost(WAIT).until(() -> sender.failed() == 20);
            assertThat(sender.retries()).isEqualTo(20);
            List<String> warnings = await().atMost(WAIT).until(
                    () -> logs.messages(e -> e.getLevel() == Level.WARN),
                    lines -> lines.stream().mapToLong(WebhookSenderTest::failedIn).sum() == 20);
            assertThat(warnings).hasSizeLessThanOrEqualTo(2).allSatisfy(line -> assertThat(line)
                    .contains("webhook http://127.0.0.1:")
                    .contains("last failure: ConnectException")
                    .contains("(after 2 attempts)")
                    .contains("floorflash_webhook_deliveries_total"));
            assertThat(logs.messages(e -> e.getLevel() == Level.DEBUG)).isNotEmpty();
        }
    }

    @Test
    void sendsTheHeadersFileButNeverLogsItsValues() throws IOException {
        Path file = dir.resolve("headers");
        Files.writeString(file, "# for the rollout tool\nAuthorization: Bearer s3cret-t0ken\n\nX-Floor: 5\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        WebhookReceiver receiver = receiver();
        try (LogCapture logs = new LogCapture(Level.TRACE, WebhookSender.class)) {
            WebhookSender sender = sender(withHeadersFile(settings(receiver.url(), 0), file));

            sender.transferFinished(summary("snom320.bin"));

            await().atMost(WAIT).until(() -> sender.delivered() == 1);
            WebhookReceiver.Post post = receiver.posts().get(0);
            assertThat(post.headers().getFirst("Authorization")).isEqualTo("Bearer s3cret-t0ken");
            assertThat(post.headers().getFirst("X-Floor")).isEqualTo("5");
            assertThat(logs.messages(e -> true)).isNotEmpty().noneMatch(line -> line.contains("s3cret"));
        }
    }

    @Test
    void refusesAHeadersFileOthersCanReadOrWithBadLines() throws IOException {
        Path open = dir.resolve("open");
        Files.writeString(open, "Authorization: Bearer x\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        Path bad = dir.resolve("bad");
        Files.writeString(bad, "Authorization Bearer s3cret\nContent-Type: text/plain\nX-Ok: fine\n");
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> WebhookHeaders.read(open)).hasMessage("floorflash.hooks.webhook.headers-file: " + open
                + ": other users may read or write it (rw-r--r--); make it private: chmod 600 " + open);
        assertThatThrownBy(() -> WebhookHeaders.read(bad)).hasMessage("floorflash.hooks.webhook.headers-file: " + bad
                + ": line 1: not a header (expected: Name: value); line 2: Content-Type is set by floorflash or the HTTP"
                + " client (expected: another header, such as Authorization)")
                .message().doesNotContain("s3cret");
    }

    @Test
    void reconfigureSendsQueuedLinesToTheNewUrl() throws IOException {
        WebhookReceiver first = receiver();
        WebhookReceiver second = receiver();
        first.hold();
        first.answer(503, 503);
        WebhookSender sender = sender(settings(first.url(), 3));
        for (int i = 0; i < 5; i++) {
            sender.transferFinished(summary("snom" + i + ".bin"));
        }
        await().atMost(WAIT).until(() -> first.held() == 2);

        sender.reconfigure(settings(second.url(), 3));
        first.release();

        await().atMost(WAIT).until(() -> sender.delivered() == 5);
        assertThat(first.posts()).hasSize(2);
        assertThat(second.posts()).hasSize(5);
        assertThat(sender.dropped() + sender.failed()).isZero();
    }

    @Test
    void anEmptyUrlTurnsItOff() throws IOException {
        WebhookReceiver receiver = receiver();
        WebhookSender sender = sender(settings(receiver.url(), 0));

        sender.reconfigure(settings(receiver.url(), 0).withUrl(""));
        sender.transferFinished(summary("snom320.bin"));

        assertThat(sender.enabled()).isFalse();
        assertThat(sender.queued()).isZero();
        assertThat(sender.dropped()).isZero();
        sender.reconfigure(settings(receiver.url(), 0));
        sender.transferFinished(summary("snom320.bin"));
        await().atMost(WAIT).until(() -> sender.delivered() == 1);
    }

    @Test
    void closeDeliversWhatIsQueued() throws IOException {
        WebhookReceiver receiver = receiver();
        WebhookSender sender = sender(settings(receiver.url(), 0));
        for (int i = 0; i < 50; i++) {
            sender.transferFinished(summary("snom" + i + ".bin"));
        }

        sender.close();

        assertThat(sender.delivered()).isEqualTo(50);
        assertThat(receiver.posts()).hasSize(50);
        sender.transferFinished(summary("late.bin"));
        assertThat(sender.dropped()).isEqualTo(1);
    }

    @Test
    void closeGivesUpAfterTheShutdownTimeoutAndCountsTheRestAsDropped() throws IOException {
        WebhookReceiver receiver = receiver();
        receiver.hold();
        WebhookSender sender = sender(withShutdownTimeout(settings(receiver.url(), 0), Duration.ofMillis(200)));
        for (int i = 0; i < 5; i++) {
            sender.transferFinished(summary("snom" + i + ".bin"));
        }
        await().atMost(WAIT).until(() -> receiver.held() == 2);

        long started = System.nanoTime();
        sender.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(sender.dropped()).isEqualTo(5);
        assertThat(sender.delivered() + sender.failed()).isZero();
        assertThat(sender.queued()).isZero();
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        WebhookSettings settings = settings("http://127.0.0.1/", 10);

        assertThat(WebhookSender.backoffNanos(settings, 0, 0, 0.5)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(WebhookSender.backoffNanos(settings, 1, 0, 0.5)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(WebhookSender.backoffNanos(settings, 2, 0, 0.0)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(32));
        assertThat(WebhookSender.backoffNanos(settings, 2, 0, 0.999_999_9)).isBetween(
                TimeUnit.MILLISECONDS.toNanos(47), TimeUnit.MILLISECONDS.toNanos(48));
        assertThat(WebhookSender.backoffNanos(settings, 30, 0, 0.5)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        // A longer Retry-After wins, but never beyond the cap.
        assertThat(WebhookSender.backoffNanos(settings, 0, TimeUnit.MILLISECONDS.toNanos(70), 0.5))
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(70));
        assertThat(WebhookSender.backoffNanos(settings, 0, TimeUnit.SECONDS.toNanos(3600), 0.5))
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void readsRetryAfterInSecondsOrAsADate() {
        assertThat(WebhookSender.retryAfterNanos(Optional.of("7"), NOW)).isEqualTo(TimeUnit.SECONDS.toNanos(7));
        assertThat(WebhookSender.retryAfterNanos(Optional.of("Wed, 02 Dec 2026 07:30:20 GMT"), NOW))
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(7655));
        assertThat(WebhookSender.retryAfterNanos(Optional.of("Wed, 02 Dec 2026 07:00:00 GMT"), NOW)).isZero();
        assertThat(WebhookSender.retryAfterNanos(Optional.of("soon"), NOW)).isZero();
        assertThat(WebhookSender.retryAfterNanos(Optional.empty(), NOW)).isZero();
    }

    @Test
    void waitsOutARetryAfterAnswer() throws IOException {
        WebhookReceiver receiver = receiver().answer(429).retryAfter("1");
        WebhookSender sender = sender(withMaxBackoff(settings(receiver.url(), 1), Duration.ofSeconds(5)));

        long started = System.nanoTime();
        sender.transferFinished(summary("snom320.bin"));

        await().atMost(WAIT).until(() -> sender.delivered() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(receiver.posts()).hasSize(2);
    }

    private static long failedIn(String warning) {
        Matcher m = Pattern.compile(": (\\d+) lines? failed").matcher(warning);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private WebhookReceiver receiver() throws IOException {
        WebhookReceiver receiver = new WebhookReceiver();
        closeAfter.add(receiver);
        return receiver;
    }

    private WebhookSender sender(WebhookSettings settings) {
        WebhookSender sender = new WebhookSender(settings, "edge-1", Clock.fixed(NOW, ZoneOffset.UTC), () -> 0.5,
                LoggerFactory.getLogger(WebhookSender.class), WebhookSender.SUMMARY_INTERVAL);
        closeAfter.add(sender);
        return sender;
    }

    /** Short waits: 10 ms before the first retry, 100 ms at most. */
    static WebhookSettings settings(String url, int maxRetries) {
        return new WebhookSettings(Optional.of(URI.create(url)), 100, Duration.ofSeconds(5), maxRetries,
                Duration.ofMillis(10), Duration.ofMillis(100), Optional.empty(), Duration.ofSeconds(5));
    }

    private static WebhookSettings withQueueSize(WebhookSettings s, int queueSize) {
        return new WebhookSettings(s.url(), queueSize, s.timeout(), s.maxRetries(), s.backoff(), s.maxBackoff(),
                s.headersFile(), s.shutdownTimeout());
    }

    private static WebhookSettings withHeadersFile(WebhookSettings s, Path file) {
        return new WebhookSettings(s.url(), s.queueSize(), s.timeout(), s.maxRetries(), s.backoff(), s.maxBackoff(),
                Optional.of(file), s.shutdownTimeout());
    }

    private static WebhookSettings withShutdownTimeout(WebhookSettings s, Duration timeout) {
        return new WebhookSettings(s.url(), s.queueSize(), s.timeout(), s.maxRetries(), s.backoff(), s.maxBackoff(),
                s.headersFile(), timeout);
    }

    private static WebhookSettings withMaxBackoff(WebhookSettings s, Duration maxBackoff) {
        return new WebhookSettings(s.url(), s.queueSize(), s.timeout(), s.maxRetries(), s.backoff(), maxBackoff,
                s.headersFile(), s.shutdownTimeout());
    }

    private static TransferSummary summary(String file) {
        return new TransferSummary(new TransferId(new InetSocketAddress("10.0.0.7", 41000), file),
                TransferOutcome.COMPLETED, 2048, 2048, TimeUnit.MILLISECONDS.toNanos(342), 512, 1, 0, "",
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    }

    /** A port nothing listens on: one the kernel gave and took back. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

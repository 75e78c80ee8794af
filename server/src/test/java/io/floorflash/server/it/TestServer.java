package io.floorflash.server.it;

import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.ServerStartException;
import io.floorflash.server.transfer.TransferLog;
import io.floorflash.server.transfer.TransferSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The real server, in this JVM, on {@code 127.0.0.1} and a port the kernel picks, serving {@code root}. Keeps every
 * {@link TransferSummary} (and still logs it) so tests can assert on what the server negotiated and how it ended.
 */
final class TestServer implements AutoCloseable {
    private final FloorflashServer server;
    private final ConcurrentLinkedQueue<TransferSummary> summaries;

    private TestServer(FloorflashServer server, ConcurrentLinkedQueue<TransferSummary> summaries) {
        this.server = server;
        this.summaries = summaries;
    }

    static TestServer start(Path root) throws ServerStartException {
        return start(root, Overrides.none());
    }

    /** @param overrides more settings ({@code Key.TRANSFER_ROLLOVER}) */
    static TestServer start(Path root, Overrides overrides) throws ServerStartException {
        ConcurrentLinkedQueue<TransferSummary> summaries = new ConcurrentLinkedQueue<>();
        TransferLog log = new TransferLog();
        FloorflashServer server = FloorflashServer.start(SettingsLoader.load(settings(root, overrides)), summary -> {
            summaries.add(summary);
            log.transferFinished(summary);
        });
        return new TestServer(server, summaries);
    }

    /**
     * The settings every IT server runs with: loopback, port 0 (TFTP and both HTTP sides; the firmware side is off
     * unless {@link #FIRMWARE_SIDE} turns it on), {@code root}, then {@code overrides}.
     */
    static Overrides settings(Path root, Overrides overrides) {
        return Overrides.none()
                .with(Key.TFTP_ADDRESS, "127.0.0.1")
                .with(Key.TFTP_PORT, 0)
                .with(Key.FIRMWARE_ROOT, root)
                .with(Key.HTTP_PORT, 0)
                .with(Key.FIRMWARE_HTTP_ADDRESS, "127.0.0.1")
                .with(Key.FIRMWARE_HTTP_PORT, 0)
                .with(overrides);
    }

    /** The override that turns the phones' firmware HTTP side on. */
    static final Overrides FIRMWARE_SIDE = Overrides.none().with(Key.FIRMWARE_HTTP_ENABLED, true);

    /** {@code path} on the operator side, e.g. {@code http://127.0.0.1:40123/api/transfers}. */
    String operatorUrl(String path) {
        return "http://127.0.0.1:" + server.httpAddress().orElseThrow().getPort() + path;
    }

    /** {@code path} on the firmware side, which must be on. */
    String firmwareUrl(String path) {
        return "http://127.0.0.1:" + server.firmwareHttpAddress().orElseThrow().getPort() + path;
    }

    int port() {
        return server.localAddress().getPort();
    }

    FloorflashServer server() {
        return server;
    }

    /** Forgets the summaries collected so far. */
    void forgetSummaries() {
        summaries.clear();
    }

    List<TransferSummary> summaries() {
        return new ArrayList<>(summaries);
    }

    /** Waits for the first summary {@code matching} and returns it. */
    TransferSummary awaitSummary(Predicate<TransferSummary> matching) {
        return awaitSummaries(matching, 1).get(0);
    }

    /** Waits until {@code count} summaries match {@code matching} and returns them. */
    List<TransferSummary> awaitSummaries(Predicate<TransferSummary> matching, int count) {
        return await("transfer summaries").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> summaries.stream().filter(matching).collect(Collectors.toList()), found -> found.size() >= count);
    }

    /** Waits for the summary of the one transfer of {@code file} (the tests fetch one file at a time). */
    TransferSummary awaitSummaryOf(String file) {
        return awaitSummary(s -> s.id().file().equals(file));
    }

    @Override
    public void close() {
        server.close();
    }
}

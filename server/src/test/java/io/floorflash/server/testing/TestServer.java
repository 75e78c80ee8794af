package io.floorflash.server.testing;

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
 *
 * <p>A test class that runs one server for all its tests (or one per test) registers a {@link
 * FloorflashServerExtension} instead; a test that starts a server of its own in the middle, with settings of its own,
 * uses this class in try-with-resources.
 */
public final class TestServer implements AutoCloseable {
    private final FloorflashServer server;
    private final ConcurrentLinkedQueue<TransferSummary> summaries;

    private TestServer(FloorflashServer server, ConcurrentLinkedQueue<TransferSummary> summaries) {
        this.server = server;
        this.summaries = summaries;
    }

    public static TestServer start(Path root) throws ServerStartException {
        return start(root, Overrides.none());
    }

    /** @param overrides more settings ({@code Key.TRANSFER_ROLLOVER}) */
    public static TestServer start(Path root, Overrides overrides) throws ServerStartException {
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
    public static Overrides settings(Path root, Overrides overrides) {
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
    public static final Overrides FIRMWARE_SIDE = Overrides.none().with(Key.FIRMWARE_HTTP_ENABLED, true);

    /** {@code path} on the operator side, e.g. {@code http://127.0.0.1:40123/api/transfers}. */
    public String operatorUrl(String path) {
        return "http://127.0.0.1:" + server.httpAddress().orElseThrow().getPort() + path;
    }

    /** {@code path} on the firmware side, which must be on. */
    public String firmwareUrl(String path) {
        return "http://127.0.0.1:" + server.firmwareHttpAddress().orElseThrow().getPort() + path;
    }

    public int port() {
        return server.localAddress().getPort();
    }

    public FloorflashServer server() {
        return server;
    }

    /** Forgets the summaries collected so far. */
    public void forgetSummaries() {
        summaries.clear();
    }

    public List<TransferSummary> summaries() {
        return new ArrayList<>(summaries);
    }

    /** Waits for the first summary {@code matching} and returns it. */
    public TransferSummary awaitSummary(Predicate<TransferSummary> matching) {
        return awaitSummaries(matching, 1).get(0);
    }

    /** Waits until {@code count} summaries match {@code matching} and returns them. */
    public List<TransferSummary> awaitSummaries(Predicate<TransferSummary> matching, int count) {
        return await("transfer summaries").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> summaries.stream().filter(matching).collect(Collectors.toList()), found -> found.size() >= count);
    }

    /** Waits for the summary of the one transfer of {@code file} (the tests fetch one file at a time). */
    public TransferSummary awaitSummaryOf(String file) {
        return awaitSummary(s -> s.id().file().equals(file));
    }

    @Override
    public void close() {
        server.close();
    }
}

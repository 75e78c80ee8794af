package io.floorflash.server.testing;

import io.floorflash.config.Overrides;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.transfer.TransferSummary;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the real server for a test class and stops it afterwards, instead of the same {@code @BeforeAll} and
 * {@code @AfterAll} in every IT. Registered on a static field, one server serves every test of the class (and its
 * transfer summaries are forgotten before each test); on an instance field, each test gets a server of its own.
 *
 * <pre>{@code
 * @TempDir
 * static Path root;
 *
 * @RegisterExtension
 * static final FloorflashServerExtension server = FloorflashServerExtension.builder()
 *         .root(() -> root)
 *         .overrides(Overrides.none().with(Key.TRANSFER_MAX_BLOCK_SIZE, 65464))
 *         .build();
 * }</pre>
 *
 * <p>The server runs with {@link TestServer#settings}: loopback, port 0 for TFTP and both HTTP sides, then the
 * overrides given. Shared with the loadtest module through server's test-jar.
 */
public final class FloorflashServerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final Supplier<Path> root;
    private final Supplier<Overrides> overrides;
    /** Whether the server lives as long as the class (a static field) rather than one test. */
    private boolean perClass;
    private TestServer running;

    private FloorflashServerExtension(Supplier<Path> root, Supplier<Overrides> overrides) {
        this.root = root;
        this.overrides = overrides;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How the server is started: what it serves, and its settings. */
    public static final class Builder {
        private Supplier<Path> root;
        private Supplier<Overrides> overrides = Overrides::none;

        private Builder() {
        }

        /**
         * The folder served, read when the server starts: a {@code @TempDir} field is filled in only then, and a test
         * may make a folder of its own in the supplier.
         */
        public Builder root(Supplier<Path> root) {
            this.root = root;
            return this;
        }

        /** Settings over the test defaults (loopback, port 0). */
        public Builder overrides(Overrides overrides) {
            Objects.requireNonNull(overrides, "overrides");
            this.overrides = () -> overrides;
            return this;
        }

        /** Settings over the test defaults, made when the server starts (a port picked then, say). */
        public Builder overrides(Supplier<Overrides> overrides) {
            this.overrides = Objects.requireNonNull(overrides, "overrides");
            return this;
        }

        public FloorflashServerExtension build() {
            return new FloorflashServerExtension(Objects.requireNonNull(root, "root"), overrides);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (perClass) {
            running.forgetSummaries();
        } else {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private void start() throws Exception {
        running = TestServer.start(Objects.requireNonNull(root.get(), "root"), overrides.get());
    }

    private void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    private TestServer running() {
        if (running == null) {
            throw new IllegalStateException("the server is not running (outside a test, or it failed to start)");
        }
        return running;
    }

    /** The running server. */
    public FloorflashServer server() {
        return running().server();
    }

    /** Where its TFTP listener is bound. */
    public InetSocketAddress address() {
        return server().localAddress();
    }

    /** Its TFTP port. */
    public int port() {
        return running().port();
    }

    /** {@code path} on the operator side, e.g. {@code http://127.0.0.1:40123/api/transfers}. */
    public String operatorUrl(String path) {
        return running().operatorUrl(path);
    }

    /** {@code path} on the firmware side, which must be on. */
    public String firmwareUrl(String path) {
        return running().firmwareUrl(path);
    }

    /** The finished transfers of this test (of the class so far, before the first). */
    public List<TransferSummary> summaries() {
        return running().summaries();
    }

    /** Forgets the summaries collected so far (done before each test already). */
    public void forgetSummaries() {
        running().forgetSummaries();
    }

    /** Waits for the first summary {@code matching} and returns it. */
    public TransferSummary awaitSummary(Predicate<TransferSummary> matching) {
        return running().awaitSummary(matching);
    }

    /** Waits until {@code count} summaries match {@code matching} and returns them. */
    public List<TransferSummary> awaitSummaries(Predicate<TransferSummary> matching, int count) {
        return running().awaitSummaries(matching, count);
    }

    /** Waits for the summary of the one transfer of {@code file}. */
    public TransferSummary awaitSummaryOf(String file) {
        return running().awaitSummaryOf(file);
    }
}

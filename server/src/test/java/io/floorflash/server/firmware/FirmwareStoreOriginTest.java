package io.floorflash.server.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.benmanes.caffeine.cache.Ticker;
import io.floorflash.config.FirmwareSettings;
import io.floorflash.config.OriginSettings;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.firmware.origin.Origin;
import io.floorflash.server.firmware.origin.OriginCache;
import io.floorflash.server.firmware.origin.OriginException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store with an origin behind it: what a miss below the root gets, and what it is checked against. */
class FirmwareStoreOriginTest {
    @TempDir
    Path root;
    @TempDir
    Path cacheDir;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final MapOrigin origin = new MapOrigin();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private FirmwareStore store(boolean requireChecksums) throws IOException {
        OriginSettings settings = new OriginSettings(OriginSettings.parseUrl("http://origin.test/"), cacheDir, 1L << 30,
                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMinutes(1), 2, List.of());
        OriginCache cache = new OriginCache(origin, settings, threads, FirmwareStore.manifestReader(), System::nanoTime,
                Clock.systemUTC()).open();
        return new FirmwareStore(new FirmwareSettings(root, 1L << 20, Duration.ofMinutes(10), 2, Duration.ofSeconds(30),
                2L << 20, requireChecksums), threads, Ticker.systemTicker(), cache);
    }

    @Test
    void aNameMissingBelowTheRootIsPulledAndServedLikeALocalFile() throws Exception {
        origin.put("releases/snom320.bin", "line one\nline two\n", false);
        FirmwareStore store = store(false);

        FirmwareImage octet = open(store, "/releases/snom320.bin", TransferMode.OCTET);
        FirmwareImage netascii = open(store, "releases/snom320.bin", TransferMode.NETASCII);

        assertThat(octet.name()).isEqualTo("releases/snom320.bin");
        assertThat(octet.sha256()).isEqualTo(sha256("line one\nline two\n"));
        assertThat(netascii.size()).isEqualTo(octet.size() + 2);
        assertThat(origin.bodies.get()).isEqualTo(1);
    }

    @Test
    void aLocalFileWinsOverTheOrigin() throws Exception {
        Files.writeString(root.resolve("snom320.bin"), "local");
        origin.put("snom320.bin", "remote", false);

        assertThat(open(store(false), "snom320.bin", TransferMode.OCTET).sha256()).isEqualTo(sha256("local"));
        assertThat(origin.bodies.get()).isZero();
    }

    @Test
    void aCopyAlteredOnDiskAfterItsFetchIsRefused() throws Exception {
        origin.put("a.bin", "genuine bytes", false);
        FirmwareStore store = store(false);
        OriginCache.Copy copy = store.origin().get("a.bin").get(5, TimeUnit.SECONDS);
        FileTime modified = Files.getLastModifiedTime(copy.file());
        try (FileChannel channel = FileChannel.open(copy.file(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("GENUINE".getBytes(StandardCharsets.US_ASCII)), 0);
        }
        Files.setLastModifiedTime(copy.file(), modified);

        Throwable refused = catchThrowable(() -> open(store, "a.bin", TransferMode.OCTET));

        assertThat(refused).isInstanceOf(FirmwareException.class).hasMessageContaining("failed its checksum");
        assertThat(store.checksumFailures()).isEqualTo(1);
    }

    @Test
    void requireChecksumsServesOnlyWhatTheOriginStatedASha256For() throws Exception {
        origin.put("stated.bin", "stated", true);
        origin.put("unstated.bin", "unstated", false);
        FirmwareStore store = store(true);

        assertThat(open(store, "stated.bin", TransferMode.OCTET).sha256()).isEqualTo(sha256("stated"));
        Throwable refused = catchThrowable(() -> open(store, "unstated.bin", TransferMode.OCTET));
        assertThat(refused).isInstanceOf(FirmwareException.class)
                .hasMessage("unstated.bin is not served: the origin states no SHA-256 for it"
                        + " (floorflash.firmware.require-checksums)");
    }

    @Test
    void aNameTheOriginLacksIsNotFoundAndAnUnreachableOriginIsSaidSo() throws Exception {
        FirmwareStore store = store(false);

        Throwable missing = catchThrowable(() -> open(store, "nope.bin", TransferMode.OCTET));
        origin.down = true;
        Throwable unreachable = catchThrowable(() -> open(store, "other.bin", TransferMode.OCTET));

        assertThat(((FirmwareException) missing).code()).isEqualTo(ErrorCode.FILE_NOT_FOUND);
        assertThat(missing).hasMessage("File not found: nope.bin");
        assertThat(((FirmwareException) unreachable).code()).isEqualTo(ErrorCode.NOT_DEFINED);
        assertThat(unreachable).hasMessageStartingWith("origin unreachable");
    }

    private static FirmwareImage open(FirmwareStore store, String name, TransferMode mode) {
        try {
            return store.open(name, mode).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Objects in memory; each states its SHA-256 or not. */
    private static final class MapOrigin implements Origin {
        private final Map<String, String> bodiesByName = new ConcurrentHashMap<>();
        private final Map<String, Boolean> stated = new ConcurrentHashMap<>();
        final AtomicInteger bodies = new AtomicInteger();
        volatile boolean down;

        void put(String name, String body, boolean statesSha256) {
            bodiesByName.put(name, body);
            stated.put(name, statesSha256);
        }

        @Override
        public Optional<Metadata> head(String name) {
            return Optional.ofNullable(bodiesByName.get(name)).map(body -> metadata(name, body));
        }

        @Override
        public Fetched fetch(String name, Optional<String> ifNoneMatch, Path target) throws OriginException {
            if (down) {
                throw new OriginException("connection refused");
            }
            String body = bodiesByName.get(name);
            if (body == null) {
                return new Missing();
            }
            try {
                Files.writeString(target, body);
            } catch (IOException e) {
                throw new OriginException("write", e);
            }
            bodies.incrementAndGet();
            return new Body(metadata(name, body));
        }

        private Metadata metadata(String name, String body) {
            try {
                return new Metadata(body.getBytes(StandardCharsets.UTF_8).length, Optional.of("\"1\""),
                        stated.get(name) ? Optional.of(sha256(body)) : Optional.empty());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String describe() {
            return "map://";
        }

        @Override
        public void close() {
        }
    }
}

package io.floorflash.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The firmware store: the folder served, and the in-memory cache of images.
 *
 * @param root            folder the firmware is served from (absolute, normalized)
 * @param cacheMaxBytes   bytes of images kept in memory
 * @param cacheIdleExpiry an image not asked for this long is dropped
 * @param loadThreads     reads from disk running at once
 * @param loadTimeout     a read (or path lookup) still unfinished after this long fails its requests
 * @param memoryBudget    most bytes of image in direct memory: cached, pinned by transfers, converted (at least
 *                        {@code cacheMaxBytes})
 * @param requireChecksums refuse files no {@code SHA256SUMS} beside them lists
 */
public record FirmwareSettings(Path root, long cacheMaxBytes, Duration cacheIdleExpiry, int loadThreads,
                               Duration loadTimeout, long memoryBudget, boolean requireChecksums) {
    private static final int MAX_LOAD_THREADS = 64;

    public FirmwareSettings {
        Objects.requireNonNull(root, "root");
        Bounds.bytesIn("cache-max-bytes", cacheMaxBytes, 1, Long.MAX_VALUE);
        Objects.requireNonNull(cacheIdleExpiry, "cache-idle-expiry");
        Bounds.intIn("load-threads", loadThreads, 1, MAX_LOAD_THREADS);
        Objects.requireNonNull(loadTimeout, "load-timeout");
        checkBudget(memoryBudget, cacheMaxBytes);
    }

    private static void checkBudget(long memoryBudget, long cacheMaxBytes) {
        if (memoryBudget < cacheMaxBytes) {
            throw new IllegalArgumentException("memory-budget: " + memoryBudget + " (expected: at least cache-max-bytes, "
                    + cacheMaxBytes + ")");
        }
    }

    /** Reads {@code floorflash.firmware}. */
    static FirmwareSettings read(ConfigReader in) {
        Path root = in.file("root");
        long cacheMaxBytes = in.bytesIn("cache-max-bytes", 1, Long.MAX_VALUE);
        Duration cacheIdleExpiry = in.durationIn("cache-idle-expiry", Duration.ofSeconds(1), Duration.ofDays(365));
        int loadThreads = in.intIn("load-threads", 1, MAX_LOAD_THREADS);
        Duration loadTimeout = in.durationIn("load-timeout", Duration.ofMillis(100), Duration.ofHours(1));
        long memoryBudget = in.bytesIn("memory-budget", 1, Long.MAX_VALUE);
        boolean requireChecksums = in.bool("require-checksums");
        in.check(() -> checkBudget(memoryBudget, cacheMaxBytes), "memory-budget", "cache-max-bytes");
        return in.build(() -> new FirmwareSettings(root, cacheMaxBytes, cacheIdleExpiry, loadThreads, loadTimeout,
                memoryBudget, requireChecksums));
    }
}

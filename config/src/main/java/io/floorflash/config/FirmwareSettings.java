package io.floorflash.config;

import java.nio.file.Path;
import java.time.Duration;

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
    /** Settings that serve files no SHA256SUMS lists, as reference.conf does. */
    public FirmwareSettings(Path root, long cacheMaxBytes, Duration cacheIdleExpiry, int loadThreads,
                            Duration loadTimeout, long memoryBudget) {
        this(root, cacheMaxBytes, cacheIdleExpiry, loadThreads, loadTimeout, memoryBudget, false);
    }

    /** Settings with reference.conf's load timeout (30 s) and its ratio of budget to cache (1.5 GiB to 1 GiB). */
    public FirmwareSettings(Path root, long cacheMaxBytes, Duration cacheIdleExpiry, int loadThreads) {
        this(root, cacheMaxBytes, cacheIdleExpiry, loadThreads, Duration.ofSeconds(30), cacheMaxBytes + cacheMaxBytes / 2);
    }
}

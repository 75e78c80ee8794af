package io.floorflash.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The firmware store: the folder served, and the in-memory cache of images.
 *
 * @param root            folder the firmware is served from (absolute, normalized)
 * @param cacheMaxBytes   bytes of images kept in memory
 * @param cacheIdleExpiry an image not asked for this long is dropped
 * @param loadThreads     threads reading images from disk
 */
public record FirmwareSettings(Path root, long cacheMaxBytes, Duration cacheIdleExpiry, int loadThreads) {
}

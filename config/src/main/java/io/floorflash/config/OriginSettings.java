package io.floorflash.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Pull-through from an origin: names missing below the firmware root are fetched once from {@code url} into a disk
 * cache and served from there ({@code floorflash.firmware.cache-dir}, {@code cache-dir-max-bytes} and the
 * {@code floorflash.firmware.origin} section).
 *
 * @param url             the catalog's base URL, http, https or s3 (a bucket and prefix, reached as
 *                        {@code firmware.origin-s3} says), ending in {@code /}; empty: no origin
 * @param cacheDir        where fetched images are kept (a temporary file renamed into place, and a sidecar each)
 * @param cacheDirMaxBytes bytes the cache folder may hold; the least recently used images are removed beyond it
 * @param connectTimeout  how long connecting to the origin may take
 * @param fetchTimeout    how long a request waits for a fetch under way before it gets ERROR 0 (the fetch goes on)
 * @param stallTimeout    a fetch that receives no byte for this long is abandoned
 * @param revalidateAfter a cached image is served without asking the origin for this long after it was checked
 * @param fetchThreads    fetches running at once
 * @param prefetch        names fetched into the cache when the server starts
 */
public record OriginSettings(Optional<URI> url, Path cacheDir, long cacheDirMaxBytes, Duration connectTimeout,
                             Duration fetchTimeout, Duration stallTimeout, Duration revalidateAfter, int fetchThreads,
                             List<String> prefetch) {
    /** The keys of {@code floorflash.firmware.origin}. */
    static final Set<String> KEYS = Set.of("url", "connect-timeout", "fetch-timeout", "stall-timeout",
            "revalidate-after", "fetch-threads", "prefetch");
    private static final String EXPECTED_URL = "(expected: an http:// or https:// URL with a host and no user:password@,"
            + " such as https://repo.example.com/firmware/, an S3 bucket and prefix such as s3://firmware/releases/,"
            + " or \"\" for no origin)";

    public OriginSettings {
        if (url == null || cacheDir == null || prefetch == null) {
            throw new IllegalArgumentException("url, cache-dir and prefetch: null (expected: a value)");
        }
        if (cacheDirMaxBytes < 1) {
            throw new IllegalArgumentException("cache-dir-max-bytes: " + cacheDirMaxBytes + " (expected: at least 1)");
        }
        for (Duration d : new Duration[] {connectTimeout, fetchTimeout, stallTimeout, revalidateAfter}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("origin timeouts: " + d + " (expected: zero or more)");
            }
        }
        if (fetchThreads < 1) {
            throw new IllegalArgumentException("origin.fetch-threads: " + fetchThreads + " (expected: at least 1)");
        }
        prefetch = List.copyOf(prefetch);
    }

    /** Whether an origin is configured. */
    public boolean enabled() {
        return url.isPresent();
    }

    /** These settings with another origin URL ("" for none): for tests and tools. */
    public OriginSettings withUrl(String raw) {
        return new OriginSettings(parseUrl(raw), cacheDir, cacheDirMaxBytes, connectTimeout, fetchTimeout, stallTimeout,
                revalidateAfter, fetchThreads, prefetch);
    }

    /** These settings with another cache folder: for tests and tools. */
    public OriginSettings withCacheDir(Path dir) {
        return new OriginSettings(url, dir.toAbsolutePath().normalize(), cacheDirMaxBytes, connectTimeout, fetchTimeout,
                stallTimeout, revalidateAfter, fetchThreads, prefetch);
    }

    /** These settings with other freshness and patience: for tests. */
    public OriginSettings withTimes(Duration revalidate, Duration fetch) {
        return new OriginSettings(url, cacheDir, cacheDirMaxBytes, connectTimeout, fetch, stallTimeout, revalidate,
                fetchThreads, prefetch);
    }

    /** {@code raw} as an origin base URL ending in {@code /}, empty for "". */
    public static Optional<URI> parseUrl(String raw) {
        String trimmed = raw.strip();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(trimmed.endsWith("/") ? trimmed : trimmed + "/");
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + trimmed + "' " + EXPECTED_URL);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https") || scheme.equals("s3"))
                || uri.getHost() == null || uri.getHost().isEmpty()
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + trimmed + "' " + EXPECTED_URL);
        }
        return Optional.of(uri);
    }

    /** Reads {@code cache-dir}, {@code cache-dir-max-bytes} and {@code origin} of {@code floorflash.firmware}. */
    static OriginSettings read(ConfigReader firmware) {
        Path cacheDir = firmware.file("cache-dir");
        long maxBytes = firmware.bytesIn("cache-dir-max-bytes", 1, Long.MAX_VALUE);
        ConfigReader in = firmware.at("origin");
        in.onlyKeys(KEYS);
        Optional<URI> url = in.read("url", k -> parseUrl(in.config().getString(k)), Optional.empty());
        Duration connectTimeout = in.durationIn("connect-timeout", Duration.ofMillis(10), Duration.ofMinutes(10));
        Duration fetchTimeout = in.durationIn("fetch-timeout", Duration.ofMillis(10), Duration.ofHours(1));
        Duration stallTimeout = in.durationIn("stall-timeout", Duration.ofMillis(10), Duration.ofHours(1));
        Duration revalidateAfter = in.durationIn("revalidate-after", Duration.ZERO, Duration.ofDays(365));
        int fetchThreads = in.intIn("fetch-threads", 1, 64);
        List<String> prefetch = in.strings("prefetch");
        return in.build(() -> new OriginSettings(url, cacheDir, maxBytes, connectTimeout, fetchTimeout, stallTimeout,
                revalidateAfter, fetchThreads, prefetch));
    }
}

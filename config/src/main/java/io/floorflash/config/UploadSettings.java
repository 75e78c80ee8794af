package io.floorflash.config;

import java.nio.file.Path;
import java.util.Set;

/**
 * Uploads (TFTP write requests): off unless {@code enabled}. Each client writes below {@code root/<its address>/};
 * a file is written to a temporary name beside its destination and renamed into place after its last block.
 *
 * @param enabled          whether write requests are accepted at all (refused with ERROR 2 when not)
 * @param root             folder uploads are written below (absolute, normalised); never inside the firmware root
 * @param maxBytes         largest upload accepted, in bytes: a larger tsize is refused before the first ACK, and data
 *                         beyond it ends the upload with ERROR 3
 * @param overwrite        whether an upload may replace a file of the same name
 * @param writeThreads     threads writing uploads to disk (never an event loop)
 * @param maxBufferedBytes received bytes one upload may hold in memory before they reach the disk; beyond it the
 *                         upload's ACKs wait for the disk
 */
public record UploadSettings(boolean enabled, Path root, long maxBytes, boolean overwrite, int writeThreads,
                             long maxBufferedBytes) {
    static final Set<String> KEYS = Set.of("enabled", "root", "max-bytes", "overwrite", "write-threads",
            "max-buffered-bytes");

    public UploadSettings {
        if (root == null || !root.isAbsolute()) {
            throw new IllegalArgumentException("root: " + root + " (expected: an absolute path)");
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("max-bytes: " + maxBytes + " (expected: 0 or more)");
        }
        if (writeThreads < 1) {
            throw new IllegalArgumentException("write-threads: " + writeThreads + " (expected: at least 1)");
        }
        if (maxBufferedBytes < 65_536) {
            throw new IllegalArgumentException("max-buffered-bytes: " + maxBufferedBytes + " (expected: at least 65536)");
        }
    }

    /** Reads {@code floorflash.uploads}. */
    static UploadSettings read(ConfigReader in) {
        in.onlyKeys(KEYS);
        boolean enabled = in.bool("enabled");
        Path root = in.file("root");
        long maxBytes = in.bytesIn("max-bytes", 0, Long.MAX_VALUE);
        boolean overwrite = in.bool("overwrite");
        int writeThreads = in.intIn("write-threads", 1, 64);
        long maxBuffered = in.bytesIn("max-buffered-bytes", 65_536, 64L * 1024 * 1024);
        return in.build(() -> new UploadSettings(enabled, root, maxBytes, overwrite, writeThreads, maxBuffered));
    }

    /**
     * Whether {@code a} and {@code b} nest, either inside the other (or the same folder), compared as written
     * (normalised, absolute); the server compares their real paths again when it starts.
     */
    public static boolean nested(Path a, Path b) {
        return a.startsWith(b) || b.startsWith(a);
    }
}

package io.floorflash.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The audit log: one JSON line per finished transfer, in a rolling file of its own.
 *
 * @param enabled      whether the audit log is written at all
 * @param file         the file written now (absolute, normalized); rolled files sit beside it
 * @param maxFileSize  bytes after which the file is rolled over (also rolled daily)
 * @param maxHistory   days of rolled files kept
 * @param totalSizeCap bytes all rolled files may take together; the oldest go first
 */
public record AuditSettings(boolean enabled, Path file, long maxFileSize, int maxHistory, long totalSizeCap) {
    private static final long MIN_FILE_SIZE = 1024;
    private static final int MAX_HISTORY_DAYS = 3650;

    public AuditSettings {
        Objects.requireNonNull(file, "file");
        Bounds.bytesIn("max-file-size", maxFileSize, MIN_FILE_SIZE, Long.MAX_VALUE);
        Bounds.intIn("max-history", maxHistory, 1, MAX_HISTORY_DAYS);
        checkCap(totalSizeCap, maxFileSize);
    }

    private static void checkCap(long totalSizeCap, long maxFileSize) {
        if (totalSizeCap < maxFileSize) {
            throw new IllegalArgumentException("total-size-cap: " + totalSizeCap + " bytes (expected: at least max-file-size, "
                    + maxFileSize + " bytes)");
        }
    }

    /** Reads {@code floorflash.audit}. */
    static AuditSettings read(ConfigReader in) {
        boolean enabled = in.bool("enabled");
        Path file = in.file("file");
        long maxFileSize = in.bytesIn("max-file-size", MIN_FILE_SIZE, Long.MAX_VALUE);
        int maxHistory = in.intIn("max-history", 1, MAX_HISTORY_DAYS);
        long totalSizeCap = in.bytesIn("total-size-cap", MIN_FILE_SIZE, Long.MAX_VALUE);
        in.check(() -> checkCap(totalSizeCap, maxFileSize), "total-size-cap", "max-file-size");
        return in.build(() -> new AuditSettings(enabled, file, maxFileSize, maxHistory, totalSizeCap));
    }
}

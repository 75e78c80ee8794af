package io.floorflash.config;

import java.nio.file.Path;

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
}

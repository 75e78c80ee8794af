package io.floorflash.server.transfer;

/**
 * One finished transfer, as logged.
 *
 * @param bytes          bytes the client acknowledged
 * @param size           bytes the transfer would carry in full
 * @param retransmits    packets sent again on timeouts
 * @param detail         why it ended when not completed, else empty
 * @param sha256         SHA-256 of the image sent (as the client receives it), lower-case hex
 * @param served         the file sent, below the root: the requested name unless a rule or a group chose another
 */
public record TransferSummary(TransferId id, TransferOutcome outcome, long bytes, long size, long durationNanos,
                              int blockSize, int windowSize, long retransmits, String detail, String sha256,
                              String served) {
}

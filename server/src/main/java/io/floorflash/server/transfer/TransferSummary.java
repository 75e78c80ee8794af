package io.floorflash.server.transfer;

/**
 * One finished transfer, as logged.
 *
 * @param bytes          bytes the client acknowledged (a read), or received in order (an upload)
 * @param size           bytes the transfer would carry in full (an upload: its tsize, or the bytes received)
 * @param retransmits    packets sent again on timeouts
 * @param detail         why it ended when not completed, else empty
 * @param sha256         SHA-256 of the image sent (as the client receives it), or of the upload stored; lower-case
 *                       hex, empty for an upload not stored
 * @param direction      a read or an upload
 * @param served         the file sent, below the root: the requested name unless a rule or a group chose another (an
 *                       upload: the requested name)
 */
public record TransferSummary(TransferId id, TransferOutcome outcome, long bytes, long size, long durationNanos,
                              int blockSize, int windowSize, long retransmits, String detail, String sha256,
                              TransferDirection direction, String served) {
    /** A read's summary, of the file asked for. */
    public TransferSummary(TransferId id, TransferOutcome outcome, long bytes, long size, long durationNanos,
                           int blockSize, int windowSize, long retransmits, String detail, String sha256) {
        this(id, outcome, bytes, size, durationNanos, blockSize, windowSize, retransmits, detail, sha256,
                TransferDirection.READ, id.file());
    }

    /** A read's summary, of the file {@code served}. */
    public TransferSummary(TransferId id, TransferOutcome outcome, long bytes, long size, long durationNanos,
                           int blockSize, int windowSize, long retransmits, String detail, String sha256, String served) {
        this(id, outcome, bytes, size, durationNanos, blockSize, windowSize, retransmits, detail, sha256,
                TransferDirection.READ, served);
    }

    /** A summary in {@code direction}, of the file asked for. */
    public TransferSummary(TransferId id, TransferOutcome outcome, long bytes, long size, long durationNanos,
                           int blockSize, int windowSize, long retransmits, String detail, String sha256,
                           TransferDirection direction) {
        this(id, outcome, bytes, size, durationNanos, blockSize, windowSize, retransmits, detail, sha256, direction,
                id.file());
    }
}

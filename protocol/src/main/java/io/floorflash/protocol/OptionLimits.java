package io.floorflash.protocol;

/**
 * A server's local policy for option negotiation: the largest block and window it will agree to, and the longest
 * retransmission timeout (RFC 2349) it accepts from a client. Kept apart from the negotiated {@link TransferOptions}.
 *
 * @param maxBlockSize      largest blksize agreed (8-65464); larger requests are lowered
 * @param maxWindowSize     largest windowsize agreed (1-65535); larger requests are lowered
 * @param maxTimeoutSeconds longest timeout accepted (1-255); a longer one is declined, left out of the OACK (RFC 2349
 *                          lets the server decline the option; it cannot answer with another value)
 */
public record OptionLimits(int maxBlockSize, int maxWindowSize, int maxTimeoutSeconds) {
    public OptionLimits {
        if (maxBlockSize < TftpOptions.MIN_BLOCK_SIZE || maxBlockSize > TftpOptions.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("maxBlockSize: " + maxBlockSize + " (expected: 8-65464)");
        }
        if (maxWindowSize < TftpOptions.MIN_WINDOW_SIZE || maxWindowSize > TftpOptions.MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("maxWindowSize: " + maxWindowSize + " (expected: 1-65535)");
        }
        if (maxTimeoutSeconds < TftpOptions.MIN_TIMEOUT_SECONDS || maxTimeoutSeconds > TftpOptions.MAX_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("maxTimeoutSeconds: " + maxTimeoutSeconds + " (expected: 1-255)");
        }
    }

    /** Limits that accept every timeout RFC 2349 allows (1-255 s). */
    public OptionLimits(int maxBlockSize, int maxWindowSize) {
        this(maxBlockSize, maxWindowSize, TftpOptions.MAX_TIMEOUT_SECONDS);
    }
}

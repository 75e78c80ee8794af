package io.floorflash.protocol;

/**
 * A server's local policy for option negotiation: the largest block and window it will agree to. Kept apart from
 * the negotiated {@link TransferOptions}.
 */
public record OptionLimits(int maxBlockSize, int maxWindowSize) {
    public OptionLimits {
        if (maxBlockSize < TftpOptions.MIN_BLOCK_SIZE || maxBlockSize > TftpOptions.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("maxBlockSize: " + maxBlockSize + " (expected: 8-65464)");
        }
        if (maxWindowSize < TftpOptions.MIN_WINDOW_SIZE || maxWindowSize > TftpOptions.MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("maxWindowSize: " + maxWindowSize + " (expected: 1-65535)");
        }
    }
}

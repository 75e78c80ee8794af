package io.floorflash.protocol;

/**
 * A server's local policy for option negotiation: the largest block and window it will agree to, and the longest
 * retransmission timeout (RFC 2349) it accepts from a client. Kept apart from the negotiated {@link TransferOptions}.
 *
 * <p>The constants here are the one home of the options' bounds: the codec, the negotiation and the configuration
 * ({@code floorflash-config}, which depends on this module with Netty excluded) all read them. This class must stay
 * free of Netty for that reason.
 *
 * @param maxBlockSize      largest blksize agreed (8-65464); larger requests are lowered
 * @param maxWindowSize     largest windowsize agreed (1-65535); larger requests are lowered
 * @param maxTimeoutSeconds longest timeout accepted (1-255); a longer one is declined, left out of the OACK (RFC 2349
 *                          lets the server decline the option; it cannot answer with another value)
 */
public record OptionLimits(int maxBlockSize, int maxWindowSize, int maxTimeoutSeconds) {
    /** RFC 2348: the smallest blksize. */
    public static final int MIN_BLOCK_SIZE = 8;
    /** RFC 2348: the largest blksize (a 65535-byte UDP payload less the IP and UDP headers and DATA's 4 bytes). */
    public static final int MAX_BLOCK_SIZE = 65464;
    /** RFC 2349: timeout counts whole seconds from 1 ... */
    public static final int MIN_TIMEOUT_SECONDS = 1;
    /** ... to 255. */
    public static final int MAX_TIMEOUT_SECONDS = 255;
    /** RFC 7440: windowsize 1 is lock-step ... */
    public static final int MIN_WINDOW_SIZE = 1;
    /** ... and 65535 the largest. */
    public static final int MAX_WINDOW_SIZE = 65535;

    public OptionLimits {
        if (maxBlockSize < MIN_BLOCK_SIZE || maxBlockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("maxBlockSize: " + maxBlockSize + " (expected: " + MIN_BLOCK_SIZE + "-"
                    + MAX_BLOCK_SIZE + ")");
        }
        if (maxWindowSize < MIN_WINDOW_SIZE || maxWindowSize > MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("maxWindowSize: " + maxWindowSize + " (expected: " + MIN_WINDOW_SIZE + "-"
                    + MAX_WINDOW_SIZE + ")");
        }
        if (maxTimeoutSeconds < MIN_TIMEOUT_SECONDS || maxTimeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("maxTimeoutSeconds: " + maxTimeoutSeconds + " (expected: "
                    + MIN_TIMEOUT_SECONDS + "-" + MAX_TIMEOUT_SECONDS + ")");
        }
    }

    /** Limits that accept every timeout RFC 2349 allows (1-255 s). */
    public OptionLimits(int maxBlockSize, int maxWindowSize) {
        this(maxBlockSize, maxWindowSize, MAX_TIMEOUT_SECONDS);
    }
}

package io.floorflash.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options a read transfer runs with, after negotiation, and the OACK that announces them.
 *
 * @param blockSize      bytes per DATA block
 * @param windowSize     blocks sent before waiting for an ACK (RFC 7440); 1 is plain RFC 1350 lock-step
 * @param timeoutSeconds the retransmission timeout the client asked for (RFC 2349), or 0 when none was agreed
 * @param acknowledged   the options to put in the OACK, in request order; empty means no OACK, DATA 1 comes first
 */
public record TransferOptions(int blockSize, int windowSize, int timeoutSeconds, Map<String, String> acknowledged) {
    /** Plain RFC 1350: 512-byte blocks, lock-step, no OACK. */
    public static final TransferOptions RFC1350 = new TransferOptions(TftpOptions.DEFAULT_BLOCK_SIZE, 1, 0, Map.of());

    public TransferOptions {
        if (blockSize < OptionLimits.MIN_BLOCK_SIZE || blockSize > OptionLimits.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("blockSize: " + blockSize + " (expected: " + OptionLimits.MIN_BLOCK_SIZE
                    + "-" + OptionLimits.MAX_BLOCK_SIZE + ")");
        }
        if (windowSize < OptionLimits.MIN_WINDOW_SIZE || windowSize > OptionLimits.MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("windowSize: " + windowSize + " (expected: " + OptionLimits.MIN_WINDOW_SIZE
                    + "-" + OptionLimits.MAX_WINDOW_SIZE + ")");
        }
        if (timeoutSeconds != 0
                && (timeoutSeconds < OptionLimits.MIN_TIMEOUT_SECONDS || timeoutSeconds > OptionLimits.MAX_TIMEOUT_SECONDS)) {
            throw new IllegalArgumentException("timeoutSeconds: " + timeoutSeconds + " (expected: 0 or "
                    + OptionLimits.MIN_TIMEOUT_SECONDS + "-" + OptionLimits.MAX_TIMEOUT_SECONDS + ")");
        }
        acknowledged = Collections.unmodifiableMap(new LinkedHashMap<>(acknowledged));
    }

    /** Whether the transfer starts with an OACK (and waits for ACK 0) rather than DATA 1. */
    public boolean needsOptionAck() {
        return !acknowledged.isEmpty();
    }

    /** The OACK to send; only valid when {@link #needsOptionAck()}. */
    public OptionAck optionAck() {
        return new OptionAck(acknowledged);
    }

    /**
     * Server side of RFC 2347 for a read request. Only requested options that are understood and valid are
     * acknowledged; unknown options are left out; a value out of range or not a number is never echoed, the
     * option is ignored instead. blksize and windowsize are lowered to {@code limits}; tsize is answered with
     * {@code transferSize} whatever the client sent; timeout is accepted as asked when it is
     * 1-255 and at most {@code limits}' longest, else declined (left out of the OACK).
     *
     * @param requested    the request's options, names in lower case
     * @param transferSize the bytes the client will receive (the converted size for netascii)
     */
    public static TransferOptions negotiate(Map<String, String> requested, OptionLimits limits, long transferSize) {
        int blockSize = TftpOptions.DEFAULT_BLOCK_SIZE;
        int windowSize = 1;
        int timeout = 0;
        Map<String, String> ack = new LinkedHashMap<>();
        for (Map.Entry<String, String> option : requested.entrySet()) {
            String name = option.getKey();
            long value = parseUnsigned(option.getValue());
            switch (name) {
                case TftpOptions.BLKSIZE:
                    if (value >= OptionLimits.MIN_BLOCK_SIZE) {
                        blockSize = (int) Math.min(value, limits.maxBlockSize());
                        ack.put(name, Integer.toString(blockSize));
                    }
                    break;
                case TftpOptions.WINDOWSIZE:
                    if (value >= OptionLimits.MIN_WINDOW_SIZE) {
                        windowSize = (int) Math.min(value, limits.maxWindowSize());
                        ack.put(name, Integer.toString(windowSize));
                    }
                    break;
                case TftpOptions.TIMEOUT:
                    if (value >= OptionLimits.MIN_TIMEOUT_SECONDS && value <= limits.maxTimeoutSeconds()) {
                        timeout = (int) value;
                        ack.put(name, Long.toString(value));
                    }
                    break;
                case TftpOptions.TSIZE:
                    ack.put(name, Long.toString(transferSize));
                    break;
                default:
                    break;
            }
        }
        return new TransferOptions(blockSize, windowSize, timeout, ack);
    }

    /** A decimal number of at most 10 digits, or -1 for anything else (signs, spaces, hex, empty, overflow). */
    static long parseUnsigned(String value) {
        if (value.isEmpty() || value.length() > 10) {
            return -1;
        }
        long result = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
    }
}

package io.floorflash.loadtest;

import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TftpOptions;
import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * The receiving side of one read transfer, plain Java with no channel or clock: each event returns the
 * {@link ClientStep} to carry out. Blocks are counted with absolute indices (so rollover past 65535 is arithmetic),
 * every payload is checked against the expected content as it arrives in order, and a transfer is ok only when the
 * whole content matched.
 *
 * <ul>
 *   <li>An OACK is checked (no option that was not asked for, no value above the one asked) and answered with ACK 0.
 *   <li>In a window, the last block of the window is acknowledged; a block beyond the next expected one means a loss,
 *       and the last in-order block is acknowledged once for that gap (RFC 7440).
 *   <li>In lock-step, a duplicate DATA is acknowledged again (as RFC 1350 clients do); in a window, the last in-order
 *       block is acknowledged once for that position (our ACK was lost and the server resent the window).
 *   <li>On its own timeout the client sends its last ACK again (or the request, before any answer).
 * </ul>
 */
final class ClientTransfer {
    private final Map<String, String> requested;
    private final ExpectedContent.Checker checker;
    private final int maxRetries;

    private int blockSize = TftpOptions.DEFAULT_BLOCK_SIZE;
    private int windowSize = 1;
    private long transferSize = -1;
    private boolean answered;
    private boolean optionsAcknowledged;
    /** Absolute index of the next block expected. */
    private long next = 1;
    /** Absolute index of the first block of the current window. */
    private long windowStart = 1;
    /** The gap already reported, so one loss is reported once. */
    private long reportedGap = -1;
    /** The position already re-acknowledged for a resent window. */
    private long reportedDuplicate = -1;
    private int retries;
    private boolean done;

    private long duplicates;
    private long timeouts;
    private long acksSent;

    /**
     * @param requested  the options the request carried (lower-case names)
     * @param checker    compares the received stream with the expected content
     * @param maxRetries timeouts in a row before giving up
     */
    ClientTransfer(Map<String, String> requested, ExpectedContent.Checker checker, int maxRetries) {
        this.requested = requested;
        this.checker = checker;
        this.maxRetries = maxRetries;
    }

    /** The first step: send the request. */
    ClientStep start() {
        return ClientStep.SendRequest.INSTANCE;
    }

    ClientStep onOptionAck(OptionAck oack) {
        if (done) {
            return ClientStep.Wait.INSTANCE;
        }
        if (answered) {
            // A repeated OACK: our ACK 0 was lost.
            return optionsAcknowledged && next == 1 ? ack(0) : ClientStep.Wait.INSTANCE;
        }
        answered = true;
        for (Map.Entry<String, String> option : oack.options().entrySet()) {
            String name = option.getKey();
            String asked = requested.get(name);
            if (asked == null) {
                return fail("OACK carries option '" + name + "' that was not requested", false);
            }
            long value = parse(option.getValue());
            switch (name) {
                case TftpOptions.BLKSIZE:
                    if (value < OptionLimits.MIN_BLOCK_SIZE || value > parse(asked)) {
                        return fail("OACK blksize " + option.getValue() + " (expected: 8-" + asked + ")", false);
                    }
                    blockSize = (int) value;
                    break;
                case TftpOptions.WINDOWSIZE:
                    if (value < 1 || value > parse(asked)) {
                        return fail("OACK windowsize " + option.getValue() + " (expected: 1-" + asked + ")", false);
                    }
                    windowSize = (int) value;
                    break;
                case TftpOptions.TSIZE:
                    if (value < 0) {
                        return fail("OACK tsize " + option.getValue() + " (expected: a size)", false);
                    }
                    transferSize = value;
                    break;
                case TftpOptions.TIMEOUT:
                    if (!option.getValue().equals(asked)) {
                        return fail("OACK timeout " + option.getValue() + " (expected: " + asked + ")", false);
                    }
                    break;
                default:
                    break;
            }
        }
        optionsAcknowledged = true;
        // The OACK is progress: the timeouts spent on the request are not "in a row" with the ones to come.
        retries = 0;
        return ack(0);
    }

    /** A DATA with 16-bit {@code block}; reads {@code payload} without releasing it. */
    ClientStep onData(int block, ByteBuf payload) {
        if (done) {
            return ClientStep.Wait.INSTANCE;
        }
        answered = true;
        long index = Rollover.TO_ZERO.nearest(block, next);
        if (index < next) {
            duplicates++;
            if (windowSize == 1) {
                return ack(wire(next - 1));
            }
            // The server resent a window we already hold: our ACK was lost. Say where we are, once per position.
            if (reportedDuplicate == next) {
                return ClientStep.Wait.INSTANCE;
            }
            reportedDuplicate = next;
            windowStart = next;
            return ack(wire(next - 1));
        }
        if (index > next) {
            if (reportedGap == next) {
                return ClientStep.Wait.INSTANCE;
            }
            reportedGap = next;
            windowStart = next;
            return ack(wire(next - 1));
        }
        int length = payload.readableBytes();
        if (length > blockSize) {
            return fail("DATA " + block + " carries " + length + " bytes (expected: at most " + blockSize + ")", false);
        }
        if (!checker.accept(payload)) {
            return fail("content differs in block " + index, true);
        }
        next++;
        retries = 0;
        if (length < blockSize) {
            if (!checker.matchesAtEnd()) {
                return fail("content differs: transfer ended after " + checker.received() + " bytes", true);
            }
            if (transferSize >= 0 && transferSize != checker.received()) {
                return fail("tsize " + transferSize + " but " + checker.received() + " bytes arrived", true);
            }
            done = true;
            acksSent++;
            return new ClientStep.Complete(block);
        }
        if (index - windowStart + 1 >= windowSize) {
            windowStart = index + 1;
            return ack(block);
        }
        return ClientStep.Wait.INSTANCE;
    }

    /** An ERROR from the server ends the transfer. */
    ClientStep onError(ErrorPacket error) {
        if (done) {
            return ClientStep.Wait.INSTANCE;
        }
        done = true;
        return new ClientStep.Fail("server error " + error.code() + ": " + error.message(), false, false);
    }

    /** The client's own timer expired with nothing new received. */
    ClientStep onTimeout() {
        if (done) {
            return ClientStep.Wait.INSTANCE;
        }
        timeouts++;
        if (++retries > maxRetries) {
            return fail("timed out after " + maxRetries + " retries at block " + next, false);
        }
        if (!answered) {
            return ClientStep.SendRequest.INSTANCE;
        }
        windowStart = next;
        return ack(wire(next - 1));
    }

    private ClientStep ack(int block) {
        acksSent++;
        return new ClientStep.SendAck(block);
    }

    private ClientStep fail(String why, boolean mismatch) {
        done = true;
        return new ClientStep.Fail(why, mismatch, true);
    }

    private static int wire(long index) {
        return Rollover.TO_ZERO.wire(index);
    }

    private static long parse(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    boolean isDone() {
        return done;
    }

    /** Whether any packet came back from the server yet (for time to first DATA). */
    boolean answered() {
        return answered;
    }

    long bytesReceived() {
        return checker.received();
    }

    long duplicates() {
        return duplicates;
    }

    long timeouts() {
        return timeouts;
    }

    long acksSent() {
        return acksSent;
    }

    int blockSize() {
        return blockSize;
    }

    int windowSize() {
        return windowSize;
    }
}

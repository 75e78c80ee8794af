package io.floorflash.server.transfer;

import io.floorflash.protocol.BlockNumbers;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TransferOptions;

/**
 * The decisions of one read transfer, plain Java with no channel, clock or buffer: each event returns the
 * {@link Step} to carry out. Blocks are counted with absolute indices (1 is the first DATA; 0 stands for the OACK),
 * and a 16-bit ACK is mapped to the index nearest the window, so rollover past 65535 is just arithmetic.
 *
 * <ul>
 *   <li>Only the timer resends: a duplicate or stale ACK is ignored (RFC 1123 4.2.3.1, the Sorcerer's Apprentice).
 *   <li>An ACK that moves forward starts the next window from the block after it, so a client reporting a gap
 *       inside a window (RFC 7440) gets the rest again, and a whole window completes the same way.
 *   <li>With options, the OACK is sent first and resent until ACK 0 arrives.
 *   <li>Until the client's first valid ACK, it is unverified: anyone can send an RRQ with another's address. Its first
 *       packet is resent at most {@code maxUnverifiedRetries} times, and giving up sends no ERROR, so a silent or
 *       spoofed address receives at most {@code maxUnverifiedRetries + 1} copies of one datagram.
 *   <li>An empty file whose only, empty block is answered with ACK 0 ends as completed after one more DATA 1 from
 *       the timer (iPXE's way of acknowledging it; see {@link #onAck}).
 * </ul>
 */
public final class ReadTransfer {
    private final long size;
    private final TransferOptions options;
    private final Rollover rollover;
    private final int maxRetries;
    private final int maxUnverifiedRetries;
    private final long lastBlock;

    private boolean awaitingOptionAck;
    private boolean verified;
    private long lastAcked;
    private long highestSent;
    private int retries;
    private long retransmittedPackets;
    /** {@link #retransmittedPackets} when ACK 0 answered the empty block of an empty file; -1 before. */
    private long resentWhenAckedAsZero = -1;
    private boolean finished;

    /**
     * @param size       bytes the client receives
     * @param options    the negotiated options
     * @param rollover   how block numbers wrap past 65535
     * @param maxRetries retransmissions of one window before giving up
     */
    public ReadTransfer(long size, TransferOptions options, Rollover rollover, int maxRetries) {
        this(size, options, rollover, maxRetries, maxRetries);
    }

    /**
     * @param maxRetries           retransmissions of one window before giving up
     * @param maxUnverifiedRetries retransmissions of the first packet before the client's first ACK (at most
     *                             {@code maxRetries} count)
     */
    public ReadTransfer(long size, TransferOptions options, Rollover rollover, int maxRetries, int maxUnverifiedRetries) {
        if (maxRetries < 0 || maxUnverifiedRetries < 0) {
            throw new IllegalArgumentException("retries: " + maxRetries + ", unverified: " + maxUnverifiedRetries
                    + " (expected: at least 0)");
        }
        this.size = size;
        this.options = options;
        this.rollover = rollover;
        this.maxRetries = maxRetries;
        this.maxUnverifiedRetries = Math.min(maxRetries, maxUnverifiedRetries);
        this.lastBlock = BlockNumbers.blockCount(size, options.blockSize());
        if (!rollover.allows(lastBlock)) {
            throw new IllegalArgumentException("blocks: " + lastBlock + " (expected: at most 65535 when rollover is refused)");
        }
    }

    /** The first step: the OACK when options were accepted, else the first window of DATA. */
    public Step start() {
        if (options.needsOptionAck()) {
            awaitingOptionAck = true;
            return new Step.SendOptionAck(options.optionAck());
        }
        return sendFrom(1);
    }

    /** An ACK carrying 16-bit {@code block}. */
    public Step onAck(int block) {
        if (finished) {
            return Step.Ignore.INSTANCE;
        }
        if (awaitingOptionAck) {
            if (block != 0) {
                return Step.Ignore.INSTANCE;
            }
            awaitingOptionAck = false;
            verified = true;
            retries = 0;
            return sendFrom(1);
        }
        if (block == 0 && size == 0) {
            // iPXE counts the blocks it expects from tsize, none for 0 bytes, and acknowledges the first one missing:
            // ACK 0 for the empty DATA 1, and it is done. A client whose DATA 1 was lost asks with ACK 0 as well, so
            // the timer still resends DATA 1 once (that client then acknowledges block 1) before the end.
            resentWhenAckedAsZero = retransmittedPackets;
            return Step.Ignore.INSTANCE;
        }
        // Nearest the middle of the blocks in flight: a window wider than half the 16-bit space still maps one way.
        long acked = rollover.nearest(block, lastAcked + (highestSent - lastAcked + 1) / 2);
        if (acked <= lastAcked || acked > highestSent) {
            return Step.Ignore.INSTANCE;
        }
        lastAcked = acked;
        verified = true;
        retries = 0;
        if (acked == lastBlock) {
            finished = true;
            return new Step.Finish(TransferOutcome.COMPLETED);
        }
        return sendFrom(acked + 1);
    }

    /** An ERROR from the client ends the transfer quietly (a tsize probe ends this way). */
    public Step onError(ErrorPacket error) {
        if (finished) {
            return Step.Ignore.INSTANCE;
        }
        finished = true;
        return new Step.Finish(TransferOutcome.CLIENT_ERROR);
    }

    /** The retransmission timer expired with nothing new acknowledged. */
    public Step onTimeout() {
        if (finished) {
            return Step.Ignore.INSTANCE;
        }
        if (resentWhenAckedAsZero >= 0 && retransmittedPackets > resentWhenAckedAsZero) {
            finished = true;
            return new Step.Finish(TransferOutcome.COMPLETED);
        }
        if (!verified && retries >= maxUnverifiedRetries) {
            finished = true;
            int sends = retries + 1;
            return new Step.Abort(null, TransferOutcome.TIMED_OUT, "no answer to the first packet after " + sends
                    + (sends == 1 ? " try" : " tries") + " (no ERROR to a client that never acknowledged)");
        }
        if (retries >= maxRetries) {
            finished = true;
            int sends = retries + 1;
            return new Step.Abort(new ErrorPacket(ErrorCode.NOT_DEFINED,
                    "Timed out: no acknowledgement after " + sends + (sends == 1 ? " try" : " tries")), TransferOutcome.TIMED_OUT);
        }
        retries++;
        if (awaitingOptionAck) {
            retransmittedPackets++;
            return new Step.SendOptionAck(options.optionAck());
        }
        Step.SendBlocks resend = sendFrom(lastAcked + 1);
        retransmittedPackets += resend.count();
        return resend;
    }

    /** Ends the transfer from outside (deadline, shutdown): nothing more will be sent. */
    public Step abort(ErrorPacket error, TransferOutcome outcome) {
        if (finished) {
            return Step.Ignore.INSTANCE;
        }
        finished = true;
        return new Step.Abort(error, outcome);
    }

    private Step.SendBlocks sendFrom(long first) {
        long last = Math.min(first + options.windowSize() - 1, lastBlock);
        highestSent = Math.max(highestSent, last);
        return new Step.SendBlocks(first, last);
    }

    /** Byte offset of absolute block {@code index} in the image. */
    public long offsetOf(long index) {
        return (index - 1) * options.blockSize();
    }

    /** Payload length of absolute block {@code index}: the block size, less for the last (possibly 0). */
    public int lengthOf(long index) {
        return (int) Math.min(options.blockSize(), size - offsetOf(index));
    }

    /** The 16-bit number of absolute block {@code index}. */
    public int wireBlock(long index) {
        return rollover.wire(index);
    }

    /** Whether the client has acknowledged anything yet (ACK 0 of the OACK, or DATA). */
    public boolean verified() {
        return verified;
    }

    /** Retransmissions so far in this run of the timer: 0 after progress. */
    public int retries() {
        return retries;
    }

    /** Packets sent again because of timeouts, over the whole transfer. */
    public long retransmittedPackets() {
        return retransmittedPackets;
    }

    /** Bytes the client has acknowledged. */
    public long bytesAcknowledged() {
        return lastAcked == 0 ? 0 : Math.min(size, lastAcked * (long) options.blockSize());
    }

    public boolean isFinished() {
        return finished;
    }

    public TransferOptions options() {
        return options;
    }

    public long size() {
        return size;
    }
}

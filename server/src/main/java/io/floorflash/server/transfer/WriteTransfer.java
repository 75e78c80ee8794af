package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TransferOptions;

/**
 * The decisions of one write transfer (an upload), plain Java with no channel, clock, buffer or file: each event
 * returns the {@link Step} to carry out. Blocks are absolute indices (1 is the first DATA, 0 the WRQ's ACK); a 16-bit
 * DATA number is mapped to the index nearest the block expected, so rollover past 65535 is arithmetic.
 *
 * <ul>
 *   <li>The WRQ is answered with the OACK when options were accepted, else ACK 0; either is resent on timeout until
 *       DATA 1 arrives. Until then the client is unverified (anyone can send a WRQ with another's address): at most
 *       {@code maxUnverifiedRetries} resends, and giving up sends no ERROR.
 *   <li>Only the next block in order is kept ({@link Step.Store}). It is acknowledged every {@code windowsize} blocks
 *       (RFC 7440; every block in lock-step); the last block, shorter than the block size, only once the file is in
 *       place ({@link #committed()}), so an ACK of the last block means the file is stored.
 *   <li>A gap (a block past the next one) or an old block (a duplicate) is answered with the ACK of the last block
 *       in order, once for every {@code windowsize} such blocks: in lock-step every duplicate is re-acknowledged as
 *       RFC 1350 has it, and a whole window resent draws one ACK, not a window of them.
 *   <li>On timeout the ACK of the last block in order is sent again, with the same retry cap and give-up as reads.
 *   <li>More than {@code maxBytes} received ends the upload with ERROR 3; a DATA longer than the block size with
 *       ERROR 4.
 *   <li>After the last ACK the transfer dallies (RFC 1350 section 6): a repeated last block is acknowledged again
 *       until the timer fires once more, then it ends.
 * </ul>
 */
public final class WriteTransfer {
    private enum State { RECEIVING, COMMITTING, DALLYING, FINISHED }

    private final TransferOptions options;
    private final Rollover rollover;
    private final long maxBytes;
    private final int maxRetries;
    private final int maxUnverifiedRetries;

    private State state = State.RECEIVING;
    private boolean awaitingFirstData = true;
    /** The next block expected in order; every block before it is kept. */
    private long expected = 1;
    private long bytesReceived;
    private int sinceAck;
    /** Stale or out-of-order blocks since the last ACK they drew; -1 before any. */
    private int strayBlocks = -1;
    private int retries;
    private long retransmittedPackets;

    /**
     * @param options    the negotiated options
     * @param rollover   how the client's block numbers wrap past 65535
     * @param maxBytes   most bytes accepted
     * @param maxRetries resends of one ACK before giving up
     */
    public WriteTransfer(TransferOptions options, Rollover rollover, long maxBytes, int maxRetries, int maxUnverifiedRetries) {
        if (maxRetries < 0 || maxUnverifiedRetries < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("retries: " + maxRetries + ", unverified: " + maxUnverifiedRetries
                    + ", max bytes: " + maxBytes + " (expected: at least 0)");
        }
        this.options = options;
        this.rollover = rollover == Rollover.TO_ONE ? Rollover.TO_ONE : Rollover.TO_ZERO;
        this.maxBytes = maxBytes;
        this.maxRetries = maxRetries;
        this.maxUnverifiedRetries = Math.min(maxRetries, maxUnverifiedRetries);
    }

    /** The first step: the OACK when options were accepted, else ACK 0. */
    public Step start() {
        return options.needsOptionAck() ? new Step.SendOptionAck(options.optionAck()) : new Step.SendAck(0);
    }

    /** A DATA carrying 16-bit {@code block} with {@code length} bytes of payload. */
    public Step onData(int block, int length) {
        if (state == State.FINISHED || state == State.COMMITTING) {
            // Committing: the last block is being stored; its ACK goes out when it is.
            return Step.Ignore.INSTANCE;
        }
        long index = rollover.nearest(block, expected);
        if (state == State.DALLYING) {
            return index == expected - 1 ? new Step.SendAck(expected - 1) : Step.Ignore.INSTANCE;
        }
        if (index != expected) {
            return stray();
        }
        if (length > options.blockSize()) {
            return finish(new Step.Abort(new ErrorPacket(ErrorCode.ILLEGAL_OPERATION, "Illegal TFTP operation: DATA "
                    + block + " has " + length + " bytes (expected: at most the block size, " + options.blockSize() + ")"),
                    TransferOutcome.CLIENT_ERROR));
        }
        if (bytesReceived + length > maxBytes) {
            return finish(new Step.Abort(new ErrorPacket(ErrorCode.DISK_FULL, "Disk full or allocation exceeded: uploads"
                    + " are limited to " + maxBytes + " bytes"), TransferOutcome.QUOTA_EXCEEDED));
        }
        awaitingFirstData = false;
        retries = 0;
        strayBlocks = -1;
        bytesReceived += length;
        expected++;
        if (length < options.blockSize()) {
            state = State.COMMITTING;
            return new Step.Store(index, false, true);
        }
        if (++sinceAck >= options.windowSize()) {
            sinceAck = 0;
            return new Step.Store(index, true, false);
        }
        return new Step.Store(index, false, false);
    }

    /** A block that is not the next: the ACK of the last in order, once for every {@code windowsize} of them. */
    private Step stray() {
        if (strayBlocks >= 0 && ++strayBlocks < options.windowSize()) {
            return Step.Ignore.INSTANCE;
        }
        strayBlocks = 0;
        sinceAck = 0;
        return new Step.SendAck(expected - 1);
    }

    /** The last block is stored and the file in place: acknowledge it, then dally. */
    public Step committed() {
        if (state != State.COMMITTING) {
            return Step.Ignore.INSTANCE;
        }
        state = State.DALLYING;
        retries = 0;
        return new Step.SendAck(expected - 1);
    }

    /** An ERROR from the client ends the transfer quietly. */
    public Step onError(ErrorPacket error) {
        if (state == State.FINISHED) {
            return Step.Ignore.INSTANCE;
        }
        if (state == State.DALLYING) {
            return finish(new Step.Finish(TransferOutcome.COMPLETED));
        }
        return finish(new Step.Finish(TransferOutcome.CLIENT_ERROR));
    }

    /** The retransmission timer expired with no new block in order. */
    public Step onTimeout() {
        switch (state) {
            case FINISHED:
            case COMMITTING:
                return Step.Ignore.INSTANCE;
            case DALLYING:
                return finish(new Step.Finish(TransferOutcome.COMPLETED));
            default:
                break;
        }
        int sends = retries + 1;
        if (awaitingFirstData && retries >= maxUnverifiedRetries) {
            return finish(new Step.Abort(null, TransferOutcome.TIMED_OUT, "no DATA after " + sends
                    + (sends == 1 ? " try" : " tries") + " (no ERROR to a client that never sent any)"));
        }
        if (retries >= maxRetries) {
            return finish(new Step.Abort(new ErrorPacket(ErrorCode.NOT_DEFINED, "Timed out: no DATA after " + sends
                    + (sends == 1 ? " try" : " tries")), TransferOutcome.TIMED_OUT));
        }
        retries++;
        retransmittedPackets++;
        sinceAck = 0;
        if (awaitingFirstData && options.needsOptionAck()) {
            return new Step.SendOptionAck(options.optionAck());
        }
        return new Step.SendAck(expected - 1);
    }

    /** Ends the transfer from outside (deadline, shutdown, a disk failure); a stored file stays stored. */
    public Step abort(ErrorPacket error, TransferOutcome outcome) {
        if (state == State.FINISHED) {
            return Step.Ignore.INSTANCE;
        }
        if (state == State.DALLYING) {
            return finish(new Step.Finish(TransferOutcome.COMPLETED));
        }
        return finish(new Step.Abort(error, outcome));
    }

    private Step finish(Step step) {
        state = State.FINISHED;
        return step;
    }

    /** The ACK of every block kept so far, for a caller that held one back (see {@link Upload}). */
    public Step.SendAck acknowledgeKept() {
        sinceAck = 0;
        return new Step.SendAck(expected - 1);
    }

    /** The 16-bit number of absolute block {@code index}. */
    public int wireBlock(long index) {
        return rollover.wire(index);
    }

    /** Whether the client has sent its first block. */
    public boolean verified() {
        return !awaitingFirstData;
    }

    /** Whether the file is whole and the transfer only waits for a repeated last block. */
    public boolean dallying() {
        return state == State.DALLYING;
    }

    /** Whether the last block arrived and the file is being put in place. */
    public boolean committing() {
        return state == State.COMMITTING;
    }

    public boolean isFinished() {
        return state == State.FINISHED;
    }

    /** Resends so far in this run of the timer: 0 after progress. */
    public int retries() {
        return retries;
    }

    /** ACKs and OACKs sent again because of timeouts, over the whole transfer. */
    public long retransmittedPackets() {
        return retransmittedPackets;
    }

    /** Bytes received in order (kept) so far. */
    public long bytesReceived() {
        return bytesReceived;
    }

    public TransferOptions options() {
        return options;
    }
}

package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Opcode;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.codec.TftpDecodeException;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.protocol.timer.TimerWheel;
import io.floorflash.server.firmware.FirmwareImage;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O side of one read transfer on a shared {@link TransferPort}: feeds the client's datagrams and the timer to
 * {@link ReadTransfer} and carries out its {@link Step}s. It owns no channel, pipeline or scheduled task: its timer
 * is a node of the port's {@link TimerWheel}, re-armed from a stored time instead of being cancelled on every ACK,
 * and its datagrams are written to the port, which flushes a whole read batch at once. Confined to the port's
 * event loop, but for the published progress counters.
 */
public final class Transfer extends PortTransfer implements TransferProgress, TransferRegistry.Acknowledgements {
    private static final Logger log = LoggerFactory.getLogger(Transfer.class);

    private final TransferId id;
    private final FirmwareImage image;
    private final ReadTransfer transfer;
    private final RetransmitPolicy policy;
    private final long deadlineNanos;
    private final TransferListener listener;
    private final RoundTripEstimator rtt = new RoundTripEstimator();

    private TransferPort port;
    private TimerWheel.Timer timer;
    /** Whether this transfer's windows may go out as GSO sends (until the kernel refuses its segments). */
    private boolean segmenting = true;
    private boolean began;
    private long startedAt;
    private long deadlineAt;
    private long retransmitAt;
    private boolean reported;
    private String detail = "";
    /** When the packets now awaiting an ACK went out, and whether they went out once only (Karn's rule). */
    private long flightSentAt;
    private boolean flightSentOnce;
    // Published for readers on other threads (TransferProgress); written on the event loop only.
    private volatile long publishedBytes;
    private volatile long publishedAcknowledgedAt;
    private volatile long publishedRetransmits;
    private volatile long startedAtSystemNanos;

    /**
     * @param deadlineNanos how long the whole transfer may take
     * @param listener      told when the transfer starts and once when it ends
     */
    public Transfer(TransferId id, FirmwareImage image, ReadTransfer transfer, RetransmitPolicy policy,
                    long deadlineNanos, TransferListener listener) {
        this.id = id;
        this.image = image;
        this.transfer = transfer;
        this.policy = policy;
        this.deadlineNanos = deadlineNanos;
        this.listener = listener;
    }

    @Override
    void begin(TransferPort port, TimerWheel.Timer timer) {
        this.port = port;
        this.timer = timer;
        began = true;
        startedAt = port.now();
        startedAtSystemNanos = System.nanoTime();
        deadlineAt = startedAt + deadlineNanos;
        listener.transferStarted(this);
        apply(transfer.start());
    }

    @Override
    void expired(long now) {
        if (transfer.isFinished()) {
            return;
        }
        if (now - deadlineAt >= 0) {
            apply(transfer.abort(new ErrorPacket(ErrorCode.NOT_DEFINED,
                    "Transfer deadline of " + TimeUnit.NANOSECONDS.toSeconds(deadlineNanos) + " s exceeded"),
                    TransferOutcome.DEADLINE));
            return;
        }
        if (now - retransmitAt < 0) {
            port.arm(timer, firesAt());
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("{} timeout after {} bytes acknowledged, retransmission {}", id, transfer.bytesAcknowledged(),
                    transfer.retries() + 1);
        }
        rtt.backOff();
        apply(transfer.onTimeout());
    }

    /**
     * A datagram from the client. An ACK is read straight from its four bytes; anything else goes through the codec.
     * Does not release {@code datagram}.
     */
    @Override
    void received(ByteBuf datagram) {
        int at = datagram.readerIndex();
        if (datagram.readableBytes() == TftpPacketCodec.HEADER_LENGTH && datagram.getUnsignedShort(at) == Opcode.ACK.code()) {
            onAck(datagram.getUnsignedShort(at + 2));
            return;
        }
        TftpPacket packet;
        try {
            packet = TftpPacketCodec.decode(datagram);
        } catch (TftpDecodeException e) {
            log.debug("{} ignored malformed datagram: {}", id, e.getMessage());
            return;
        }
        if (packet instanceof ErrorPacket error) {
            detail = "client error " + error.code() + ": " + error.message();
            apply(transfer.onError(error));
        } else {
            log.debug("{} ignored {} on the transfer port", id, packet.opcode());
            ReferenceCountUtil.release(packet); // a DATA holds a slice of the datagram
        }
    }

    private void onAck(int block) {
        Step step = transfer.onAck(block);
        if (flightSentOnce && step != Step.Ignore.INSTANCE) {
            rtt.sample(port.now() - flightSentAt);
        }
        apply(step);
    }

    /**
     * Ends the transfer, on its event loop: with {@code error} sent to the client (a shutdown), or quietly when null
     * (the client asked for another file from the same port). Reported CANCELLED.
     */
    @Override
    void cancel(ErrorPacket error, String why) {
        detail = why;
        apply(transfer.abort(error, TransferOutcome.CANCELLED));
    }

    @Override
    void portClosed() {
        if (!reported) {
            detail = detail.isEmpty() ? "transfer port closed" : detail;
            port.disarm(timer);
            report(TransferOutcome.CANCELLED);
        }
    }

    /**
     * A GSO send of this transfer's window failed with {@code cause}: after a refusal of the segmentation itself its
     * windows go out as separate datagrams; either way the timer resends the window.
     */
    void segmentedSendFailed(Throwable cause) {
        if (port.offload().sendFailed(cause)) {
            segmenting = false;
            log.debug("{} UDP GSO refused for segments of {} bytes, separate datagrams from now on: {}", id,
                    TftpPacketCodec.HEADER_LENGTH + transfer.options().blockSize(), String.valueOf(cause));
        } else {
            log.debug("{} segmented send failed: {}", id, String.valueOf(cause));
        }
    }

    private void apply(Step step) {
        publish();
        if (step instanceof Step.SendBlocks blocks) {
            sendBlocks(blocks);
            sent();
        } else if (step instanceof Step.SendOptionAck optionAck) {
            port.send(optionAck.optionAck(), id.client());
            sent();
        } else if (step instanceof Step.Finish finish) {
            end(finish.outcome());
        } else if (step instanceof Step.Abort abort) {
            if (detail.isEmpty()) {
                detail = !abort.reason().isEmpty() ? abort.reason() : abort.error() != null ? abort.error().message() : "";
            }
            if (abort.error() != null) {
                port.send(abort.error(), id.client());
            }
            end(abort.outcome());
        } else if (step != Step.Ignore.INSTANCE) {
            throw new AssertionError("unknown step: " + step);
        }
    }

    /**
     * The one place DATA is built: each run of blocks goes out as one buffer, a plain datagram for one block or a
     * UDP GSO send of several (every segment full-sized but the file's last block, which ends the window).
     */
    private void sendBlocks(Step.SendBlocks blocks) {
        int segment = TftpPacketCodec.HEADER_LENGTH + transfer.options().blockSize();
        int perSend = blocks.count() > 1 && segmenting ? port.offload().segmentsPerSend(segment) : 1;
        for (long first = blocks.first(); first <= blocks.last(); first += perSend) {
            long last = Math.min(blocks.last(), first + perSend - 1);
            int bytes = (int) (last - first) * segment + TftpPacketCodec.HEADER_LENGTH + transfer.lengthOf(last);
            ByteBuf datagrams = port.alloc().directBuffer(bytes, bytes);
            for (long index = first; index <= last; index++) {
                TftpPacketCodec.encodeDataHeader(transfer.wireBlock(index), datagrams);
                image.copyTo(transfer.offsetOf(index), transfer.lengthOf(index), datagrams);
            }
            if (last > first) {
                port.sendSegmented(datagrams, segment, this);
            } else {
                port.send(datagrams, id.client());
            }
        }
    }

    /** Packets went out: start timing the round trip (fresh ones only) and arm the timer. */
    private void sent() {
        long now = port.now();
        flightSentAt = now;
        flightSentOnce = transfer.retries() == 0;
        retransmitAt = now + policy.waitNanos(transfer.retries(), ThreadLocalRandom.current().nextDouble(), rtt,
                port.retransmitFloorNanos());
        long firesAt = firesAt();
        // Only an earlier time moves the timer; a later one is taken up when the timer fires (see expired).
        if (!timer.isScheduled() || timer.dueNanos() - firesAt > 0) {
            port.arm(timer, firesAt);
        }
    }

    /** The retransmission time, or the deadline when that comes first. */
    private long firesAt() {
        return retransmitAt - deadlineAt < 0 ? retransmitAt : deadlineAt;
    }

    private void end(TransferOutcome outcome) {
        port.disarm(timer);
        port.ended(this);
        report(outcome);
    }

    private void report(TransferOutcome outcome) {
        if (reported) {
            return;
        }
        reported = true;
        listener.transferFinished(new TransferSummary(id, outcome, transfer.bytesAcknowledged(), transfer.size(),
                began ? port.now() - startedAt : 0, transfer.options().blockSize(), transfer.options().windowSize(),
                transfer.retransmittedPackets(), outcome == TransferOutcome.COMPLETED ? "" : detail, image.sha256(),
                image.name()));
    }

    private void publish() {
        long bytes = transfer.bytesAcknowledged();
        if (bytes != publishedBytes) {
            publishedAcknowledgedAt = System.nanoTime();
            publishedBytes = bytes;
        }
        long retransmits = transfer.retransmittedPackets();
        if (retransmits != publishedRetransmits) {
            publishedRetransmits = retransmits;
        }
    }

    @Override
    public TransferId id() {
        return id;
    }

    @Override
    public String served() {
        return image.name();
    }

    @Override
    public long size() {
        return transfer.size();
    }

    @Override
    public int blockSize() {
        return transfer.options().blockSize();
    }

    @Override
    public int windowSize() {
        return transfer.options().windowSize();
    }

    @Override
    public long startedAtNanos() {
        return startedAtSystemNanos;
    }

    @Override
    public long bytesAcknowledged() {
        return publishedBytes;
    }

    @Override
    public long acknowledgedAtNanos() {
        return publishedAcknowledgedAt;
    }

    @Override
    public long retransmits() {
        return publishedRetransmits;
    }
}

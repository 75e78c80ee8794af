package io.floorflash.server.transfer;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Opcode;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.codec.TftpDecodeException;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.protocol.timer.TimerWheel;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O side of one upload (WRQ) on a shared {@link TransferPort}: feeds the client's DATA and the timer to
 * {@link WriteTransfer}, carries out its {@link Step}s, and hands the bytes to an {@link UploadSink}, which writes them
 * off the event loop. Confined to the port's event loop, but for the published progress counters.
 *
 * <p>Memory and backpressure: each block kept is copied into a heap array (the datagram goes back to the pool at
 * once; the GC owns the copy), queued, and handed to the sink whenever no write of this upload is under way, so the
 * writes of one upload never overlap and a slow disk sees them batched. An ACK goes out only while the bytes not yet
 * written are at most {@code maxBufferedBytes}; past that it waits for the disk, and the client's window with it. The
 * timer then only watches the deadline. The last block is acknowledged only after the sink has made the file durable
 * and put it in place; any other end deletes the temporary file.
 */
public final class Upload extends PortTransfer implements TransferProgress, TransferRegistry.Acknowledgements {
    private static final Logger log = LoggerFactory.getLogger(Upload.class);
    /** How long a stored upload stays to acknowledge its repeated last block (RFC 1350 section 6's dally). */
    static final long DALLY_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final TransferId id;
    private final WriteTransfer transfer;
    private final RetransmitPolicy policy;
    private final long deadlineNanos;
    private final UploadSink sink;
    private final long maxBufferedBytes;
    /** The tsize the client announced, or -1. */
    private final long declaredSize;
    private final TransferListener listener;
    private final RoundTripEstimator rtt = new RoundTripEstimator();
    private final List<ByteBuffer> pending = new ArrayList<>();

    private TransferPort port;
    private TimerWheel.Timer timer;
    private boolean began;
    private long startedAt;
    private long deadlineAt;
    private long retransmitAt;
    private boolean reported;
    private String detail = "";
    private String sha256 = "";
    private long pendingBytes;
    private long writingBytes;
    /** A write or the commit of the sink is under way. */
    private boolean writing;
    private boolean lastBlockKept;
    private boolean commitAsked;
    /** The sink is committed or discarded: nothing more goes to it. */
    private boolean sinkClosed;
    /** A window's ACK waits for the disk to catch up. */
    private boolean ackHeld;
    private long flightSentAt;
    private boolean flightSentOnce;
    private volatile long publishedBytes;
    private volatile long publishedReceivedAt;
    private volatile long publishedRetransmits;
    private volatile long startedAtSystemNanos;

    /**
     * @param declaredSize     the client's tsize, or -1
     * @param maxBufferedBytes bytes kept but not yet written past which ACKs wait for the disk
     * @param listener         told when the upload starts and once when it ends
     */
    public Upload(TransferId id, WriteTransfer transfer, RetransmitPolicy policy, long deadlineNanos, UploadSink sink,
                  long declaredSize, long maxBufferedBytes, TransferListener listener) {
        this.id = id;
        this.transfer = transfer;
        this.policy = policy;
        this.deadlineNanos = deadlineNanos;
        this.sink = sink;
        this.declaredSize = declaredSize;
        this.maxBufferedBytes = maxBufferedBytes;
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
        if (!transfer.dallying() && now - deadlineAt >= 0) {
            apply(transfer.abort(new ErrorPacket(ErrorCode.NOT_DEFINED,
                    "Transfer deadline of " + TimeUnit.NANOSECONDS.toSeconds(deadlineNanos) + " s exceeded"),
                    TransferOutcome.DEADLINE));
            return;
        }
        if (now - retransmitAt < 0) {
            port.arm(timer, firesAt());
            return;
        }
        if (ackHeld || transfer.committing()) {
            // Waiting for the disk, not the client: only the deadline runs until the write is done.
            port.arm(timer, deadlineAt);
            return;
        }
        if (log.isDebugEnabled() && !transfer.dallying()) {
            log.debug("{} timeout after {} bytes received, retransmission {}", id, transfer.bytesReceived(),
                    transfer.retries() + 1);
        }
        rtt.backOff();
        apply(transfer.onTimeout());
    }

    /** A datagram from the client: a DATA is read straight from its bytes; anything else goes through the codec. */
    @Override
    void received(ByteBuf datagram) {
        int at = datagram.readerIndex();
        int length = datagram.readableBytes();
        if (length >= TftpPacketCodec.HEADER_LENGTH && datagram.getUnsignedShort(at) == Opcode.DATA.code()) {
            Step step = transfer.onData(datagram.getUnsignedShort(at + 2), length - TftpPacketCodec.HEADER_LENGTH);
            if (step instanceof Step.Store store) {
                if (flightSentOnce) {
                    rtt.sample(port.now() - flightSentAt);
                    flightSentOnce = false;
                }
                keep(store, datagram, at + TftpPacketCodec.HEADER_LENGTH, length - TftpPacketCodec.HEADER_LENGTH);
            } else if (!(ackHeld && step instanceof Step.SendAck)) {
                // While an ACK waits for the disk, a resent window draws none either: the held one goes when it can.
                apply(step);
            }
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
            ReferenceCountUtil.release(packet);
        }
    }

    /** Copies the block's payload, hands what is queued to the sink, and acknowledges the window if memory allows. */
    private void keep(Step.Store store, ByteBuf datagram, int offset, int length) {
        publish();
        if (length > 0) {
            byte[] copy = new byte[length];
            datagram.getBytes(offset, copy);
            pending.add(ByteBuffer.wrap(copy));
            pendingBytes += length;
        }
        lastBlockKept |= store.last();
        toDisk();
        if (store.acknowledge()) {
            if (pendingBytes + writingBytes > maxBufferedBytes) {
                ackHeld = true;
            } else {
                apply(new Step.SendAck(store.block()));
            }
        }
    }

    /** Starts the next write (everything queued) or, once all is written after the last block, the commit. */
    private void toDisk() {
        if (writing || sinkClosed) {
            return;
        }
        EventExecutor loop = port.executor();
        if (!pending.isEmpty()) {
            ByteBuffer[] chunks = pending.toArray(new ByteBuffer[0]);
            pending.clear();
            writingBytes = pendingBytes;
            pendingBytes = 0;
            writing = true;
            sink.write(chunks, failure -> loop.execute(() -> written(failure)));
        } else if (lastBlockKept && !commitAsked) {
            commitAsked = true;
            writing = true;
            sink.commit((digest, failure) -> loop.execute(() -> committed(digest, failure)));
        }
    }

    private void written(IOException failure) {
        writing = false;
        writingBytes = 0;
        if (transfer.isFinished()) {
            return; // ended meanwhile; the discard runs after this write
        }
        if (failure != null) {
            failed(failure);
            return;
        }
        toDisk();
        if (ackHeld && pendingBytes + writingBytes <= maxBufferedBytes) {
            ackHeld = false;
            apply(transfer.acknowledgeKept());
        }
        port.flushSoon();
    }

    private void committed(String digest, IOException failure) {
        writing = false;
        sinkClosed = true;
        if (transfer.isFinished()) {
            if (failure == null) {
                log.debug("{} was stored as it ended ({})", id, detail);
            }
            return;
        }
        if (failure != null) {
            failed(failure);
            return;
        }
        sha256 = digest;
        apply(transfer.committed());
        report(TransferOutcome.COMPLETED);
        port.flushSoon();
    }

    /** The disk refused: the client hears why, the temporary file goes. */
    private void failed(IOException failure) {
        ErrorPacket error;
        if (failure instanceof FileAlreadyExistsException) {
            error = new ErrorPacket(ErrorCode.FILE_EXISTS, "File already exists");
        } else if (String.valueOf(failure.getMessage()).contains("No space left")) {
            error = new ErrorPacket(ErrorCode.DISK_FULL, "Disk full or allocation exceeded");
        } else {
            error = new ErrorPacket(ErrorCode.NOT_DEFINED, "Cannot store the upload");
        }
        log.warn("{} upload failed: {}", id, String.valueOf(failure));
        detail = error.message() + " (" + failure + ")";
        apply(transfer.abort(error, TransferOutcome.CANCELLED));
        port.flushSoon();
    }

    @Override
    void cancel(ErrorPacket error, String why) {
        if (detail.isEmpty()) {
            detail = why;
        }
        apply(transfer.abort(error, TransferOutcome.CANCELLED));
    }

    @Override
    void portClosed() {
        discard();
        if (!reported) {
            detail = detail.isEmpty() ? "transfer port closed" : detail;
            port.disarm(timer);
            report(TransferOutcome.CANCELLED);
        }
    }

    private void apply(Step step) {
        publish();
        if (step instanceof Step.SendAck ack) {
            port.send(new Ack(transfer.wireBlock(ack.block())), id.client());
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

    /** An ACK or OACK went out: time the round trip (fresh ones only) and arm the timer; after the last, the dally. */
    private void sent() {
        long now = port.now();
        flightSentAt = now;
        flightSentOnce = transfer.retries() == 0;
        long wait = policy.waitNanos(transfer.retries(), ThreadLocalRandom.current().nextDouble(), rtt,
                port.retransmitFloorNanos());
        retransmitAt = now + (transfer.dallying() ? Math.max(wait, DALLY_NANOS) : wait);
        long firesAt = firesAt();
        if (!timer.isScheduled() || timer.dueNanos() - firesAt > 0) {
            port.arm(timer, firesAt);
        }
    }

    private long firesAt() {
        return transfer.dallying() || retransmitAt - deadlineAt < 0 ? retransmitAt : deadlineAt;
    }

    private void end(TransferOutcome outcome) {
        port.disarm(timer);
        port.ended(this);
        if (outcome != TransferOutcome.COMPLETED) {
            discard();
        }
        report(outcome);
    }

    private void discard() {
        if (!sinkClosed) {
            sinkClosed = true;
            pending.clear();
            pendingBytes = 0;
            sink.discard();
        }
    }

    private void report(TransferOutcome outcome) {
        if (reported) {
            return;
        }
        reported = true;
        listener.transferFinished(new TransferSummary(id, outcome, transfer.bytesReceived(), size(),
                began ? port.now() - startedAt : 0, transfer.options().blockSize(), transfer.options().windowSize(),
                transfer.retransmittedPackets(), outcome == TransferOutcome.COMPLETED ? "" : detail,
                outcome == TransferOutcome.COMPLETED ? sha256 : "", TransferDirection.WRITE));
    }

    private void publish() {
        long bytes = transfer.bytesReceived();
        if (bytes != publishedBytes) {
            publishedReceivedAt = System.nanoTime();
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

    /** The announced tsize, else the bytes received so far. */
    @Override
    public long size() {
        return declaredSize >= 0 ? declaredSize : publishedBytes;
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

    /** Bytes received in order so far. */
    @Override
    public long bytesAcknowledged() {
        return publishedBytes;
    }

    @Override
    public long acknowledgedAtNanos() {
        return publishedReceivedAt;
    }

    @Override
    public long retransmits() {
        return publishedRetransmits;
    }

    @Override
    public TransferDirection direction() {
        return TransferDirection.WRITE;
    }
}

package io.floorflash.server.transfer;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.codec.MalformedDatagram;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.server.firmware.FirmwareImage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.PortUnreachableException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O side of one read transfer, on its own channel (its own UDP port, the RFC 1350 TID, connected to the
 * client): feeds packets and timer expiries to {@link ReadTransfer} and carries out the {@link Step}s. One timer per
 * transfer on the channel's event loop, re-armed from a stored time instead of being cancelled on every ACK.
 */
public final class TransferHandler extends ChannelInboundHandlerAdapter implements TransferProgress {
    private static final Logger log = LoggerFactory.getLogger(TransferHandler.class);

    private final TransferId id;
    private final FirmwareImage image;
    private final ReadTransfer transfer;
    private final RetransmitPolicy policy;
    private final long deadlineNanos;
    private final TransferListener listener;
    private final SegmentOffload offload;
    private final ChannelFutureListener segmentedSendDone = this::segmentedSendDone;

    private ChannelHandlerContext ctx;
    /** Whether this transfer's windows may go out as GSO sends (until the kernel refuses its segments). */
    private boolean segmenting = true;
    private boolean began;
    private long startedAt;
    private long deadlineAt;
    private long retransmitAt;
    private long timerFiresAt;
    private ScheduledFuture<?> timer;
    private boolean reported;
    private String detail = "";
    private final RoundTripEstimator rtt = new RoundTripEstimator();
    /** When the packets now awaiting an ACK went out, and whether they went out once only (Karn's rule). */
    private long flightSentAt;
    private boolean flightSentOnce;
    // Published for readers on other threads (TransferProgress); written on the event loop only.
    private volatile long publishedBytes;
    private volatile long publishedRetransmits;
    private volatile long startedAtSystemNanos;

    /**
     * @param deadlineNanos how long the whole transfer may take
     * @param listener      told once when the transfer ends
     * @param offload       whether a window goes out as one UDP GSO send
     */
    public TransferHandler(TransferId id, FirmwareImage image, ReadTransfer transfer, RetransmitPolicy policy,
                           long deadlineNanos, TransferListener listener, SegmentOffload offload) {
        this.id = id;
        this.image = image;
        this.transfer = transfer;
        this.policy = policy;
        this.deadlineNanos = deadlineNanos;
        this.listener = listener;
        this.offload = offload;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Sends the first packet. Call on the channel's event loop once the channel is connected to the client. */
    public void begin() {
        began = true;
        startedAt = now();
        startedAtSystemNanos = System.nanoTime();
        deadlineAt = startedAt + deadlineNanos;
        listener.transferStarted(this);
        apply(transfer.start());
    }

    @Override
    public TransferId id() {
        return id;
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
    public long retransmits() {
        return publishedRetransmits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof AddressedEnvelope) {
                Object content = ((AddressedEnvelope<?, ?>) msg).content();
                if (content instanceof Ack) {
                    Step step = transfer.onAck(((Ack) content).block());
                    if (flightSentOnce && step != Step.Ignore.INSTANCE) {
                        rtt.sample(now() - flightSentAt);
                    }
                    apply(step);
                } else if (content instanceof ErrorPacket) {
                    ErrorPacket error = (ErrorPacket) content;
                    detail = "client error " + error.code() + ": " + error.message();
                    apply(transfer.onError(error));
                } else if (content instanceof TftpPacket) {
                    log.debug("{} ignored {} on the transfer port", id, ((TftpPacket) content).opcode());
                }
            } else if (msg instanceof MalformedDatagram) {
                log.debug("{} ignored malformed datagram: {}", id, ((MalformedDatagram) msg).cause().getMessage());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PortUnreachableException) {
            detail = "port unreachable";
            apply(transfer.abort(null, TransferOutcome.UNREACHABLE));
            return;
        }
        // A failed send (no buffer space, say) is like a lost packet: the timer resends.
        log.debug("{} I/O error: {}", id, String.valueOf(cause));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        if (!reported) {
            detail = detail.isEmpty() ? "channel closed" : detail;
            report(TransferOutcome.CANCELLED);
        }
        ctx.fireChannelInactive();
    }

    /** Ends the transfer with {@code error} sent to the client, e.g. on shutdown. Call on the event loop. */
    public void cancel(ErrorPacket error) {
        detail = error.message();
        apply(transfer.abort(error, TransferOutcome.CANCELLED));
    }

    private void apply(Step step) {
        publish();
        if (step instanceof Step.SendBlocks) {
            Step.SendBlocks blocks = (Step.SendBlocks) step;
            int segment = TftpPacketCodec.HEADER_LENGTH + transfer.options().blockSize();
            int perSend = blocks.count() > 1 && segmenting ? offload.segmentsPerSend(segment) : 1;
            for (long first = blocks.first(); first <= blocks.last(); first += perSend) {
                long last = Math.min(blocks.last(), first + perSend - 1);
                if (last > first) {
                    sendSegmented(first, last, segment);
                } else {
                    ctx.write(new Data(transfer.wireBlock(first), payload(first)), ctx.voidPromise());
                }
            }
            ctx.flush();
            sent();
        } else if (step instanceof Step.SendOptionAck) {
            ctx.writeAndFlush(((Step.SendOptionAck) step).optionAck(), ctx.voidPromise());
            sent();
        } else if (step instanceof Step.Finish) {
            end(((Step.Finish) step).outcome());
        } else if (step instanceof Step.Abort) {
            Step.Abort abort = (Step.Abort) step;
            if (abort.error() != null) {
                if (detail.isEmpty()) {
                    detail = abort.error().message();
                }
                ctx.writeAndFlush(abort.error(), ctx.voidPromise());
            }
            end(abort.outcome());
        }
    }

    /** Blocks {@code first} to {@code last} (the last may be short) in one buffer, one UDP GSO send. */
    private void sendSegmented(long first, long last, int segment) {
        int bytes = (int) (last - first) * segment + TftpPacketCodec.HEADER_LENGTH + transfer.lengthOf(last);
        ByteBuf datagrams = ctx.alloc().directBuffer(bytes, bytes);
        for (long index = first; index <= last; index++) {
            TftpPacketCodec.encodeData(transfer.wireBlock(index), payload(index), datagrams);
        }
        ctx.write(new SegmentedDatagramPacket(datagrams, segment, id.client())).addListener(segmentedSendDone);
    }

    private void segmentedSendDone(ChannelFuture future) {
        if (future.isSuccess()) {
            offload.sent();
            return;
        }
        Throwable cause = future.cause();
        // The timer resends the window; after a refusal of the segmentation itself, as separate datagrams.
        if (offload.sendFailed(cause)) {
            segmenting = false;
            log.debug("{} UDP GSO refused for segments of {} bytes, separate datagrams from now on: {}", id,
                    TftpPacketCodec.HEADER_LENGTH + transfer.options().blockSize(), String.valueOf(cause));
        } else {
            log.debug("{} segmented send failed: {}", id, String.valueOf(cause));
        }
    }

    /** The image's bytes of absolute block {@code index}, a view for this send. */
    private ByteBuf payload(long index) {
        return image.block(transfer.offsetOf(index), transfer.lengthOf(index));
    }

    /** Packets went out: start timing the round trip (fresh ones only) and arm the timer. */
    private void sent() {
        flightSentAt = now();
        flightSentOnce = transfer.retries() == 0;
        arm();
    }

    /**
     * Sets the next retransmission time; the timer fires then, or at the deadline when that comes first, so a long
     * retransmission wait never carries the transfer past its deadline.
     */
    private void arm() {
        long now = now();
        retransmitAt = now + policy.waitNanos(transfer.retries(), ThreadLocalRandom.current().nextDouble(), rtt);
        long firesAt = firesAt();
        if (timer == null || timerFiresAt - firesAt > 0) {
            cancelTimer();
            schedule(Math.max(0, firesAt - now));
        }
    }

    /** The retransmission time, or the deadline when that comes first. */
    private long firesAt() {
        return retransmitAt - deadlineAt < 0 ? retransmitAt : deadlineAt;
    }

    private void schedule(long delay) {
        timerFiresAt = now() + delay;
        timer = ctx.executor().schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        if (transfer.isFinished()) {
            return;
        }
        long now = now();
        if (now - deadlineAt >= 0) {
            apply(transfer.abort(new ErrorPacket(ErrorCode.NOT_DEFINED,
                    "Transfer deadline of " + TimeUnit.NANOSECONDS.toSeconds(deadlineNanos) + " s exceeded"),
                    TransferOutcome.DEADLINE));
            return;
        }
        if (now - retransmitAt < 0) {
            schedule(firesAt() - now);
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("{} timeout, retransmission {}", id, transfer.retries() + 1);
        }
        rtt.backOff();
        apply(transfer.onTimeout());
    }

    private void end(TransferOutcome outcome) {
        cancelTimer();
        report(outcome);
        ctx.close();
    }

    private void report(TransferOutcome outcome) {
        if (reported) {
            return;
        }
        reported = true;
        listener.transferFinished(new TransferSummary(id, outcome, transfer.bytesAcknowledged(), transfer.size(),
                began ? now() - startedAt : 0, transfer.options().blockSize(), transfer.options().windowSize(),
                transfer.retransmittedPackets(), outcome == TransferOutcome.COMPLETED ? "" : detail, image.sha256()));
    }

    private void publish() {
        long bytes = transfer.bytesAcknowledged();
        if (bytes != publishedBytes) {
            publishedBytes = bytes;
        }
        long retransmits = transfer.retransmittedPackets();
        if (retransmits != publishedRetransmits) {
            publishedRetransmits = retransmits;
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}

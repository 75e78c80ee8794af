package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Opcode;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.codec.TftpPacketEncoder;
import io.floorflash.protocol.timer.TimerWheel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket that serves every transfer its event loop is given, told apart by the client's address and port
 * (RFC 1350's TID is the pair: the client's port and this socket's). Per transfer there is no channel, pipeline or
 * scheduled task: a map the loop owns finds the {@link Transfer} for each datagram, one {@link TimerWheel} drives
 * every transfer's retransmission and deadline, and what a read batch (recvmmsg on epoll) or a timer tick produced
 * is flushed once, which the epoll channel sends with sendmmsg.
 *
 * <p>A datagram from an address and port with no transfer here gets ERROR 5 "Unknown transfer ID", at most
 * {@code unknownRepliesPerSecond} a second (never in answer to an ERROR); the transfer it may have been aimed at is
 * unaffected. On the listener's own socket ({@code single} port mode) such datagrams, and every request, go on to
 * the listener's stages instead.
 *
 * <p>Confined to its channel's event loop: every method but the constructor is called there.
 */
public final class TransferPort extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TransferPort.class);
    /**
     * The timer resolution: a retransmission fires at most this late. Small beside the 20 ms floor of the adaptive
     * wait, and only 500 wake-ups a second while transfers run.
     */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** One turn of the wheel is about 2 s: most waits fall within it; longer ones (deadlines) wait their turn. */
    private static final int WHEEL_SLOTS = 1024;
    /**
     * Windows in flight from which the port's round counts. Below it the transfers' own estimates serve: a few
     * transfers that wait out timeouts send little, and a rate measured over their waits would stretch the waits of
     * the next timeouts in turn (the tail of a lossy floor, one transfer left, waited seconds per loss).
     */
    static final int BUSY_WINDOWS = 64;
    /** How often the port's send rate is measured. */
    private static final long RATE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final ErrorPacket UNKNOWN_TRANSFER = new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID, "Unknown transfer ID");

    private final SegmentOffload offload;
    private final boolean passesRequests;
    private final double unknownRepliesPerSecond;
    private final double roundsBeforeResend;
    private final Map<InetSocketAddress, PortTransfer> transfers = new HashMap<>();
    private final Runnable tick = this::tick;
    private final Runnable flushTask = this::flushTask;
    /** Refusals decided on another thread, waiting for this port's loop (see sendErrorFromAnyThread). */
    private final Queue<PendingError> errorsToSend = PlatformDependent.newMpscQueue();
    private final AtomicBoolean errorsScheduled = new AtomicBoolean();

    private ChannelHandlerContext ctx;
    private TimerWheel wheel;
    private boolean tickScheduled;
    /** Datagrams written and not yet flushed. */
    private boolean unflushed;
    /** A flush will come by itself: the end of the read batch or timer tick under way, or a task already queued. */
    private boolean flushComing;
    private double unknownReplyAllowance;
    private long unknownReplyRefilledAt;
    private long unknownRepliesDropped;
    private long ticks;
    /** Datagrams sent so far, and when and at which count the send rate was last measured. */
    private long datagramsSent;
    private long rateMeasuredAt;
    private long datagramsAtMeasure;
    /** Datagrams sent a second, smoothed; 0 until measured. */
    private double sendRate;
    /** The windows of the transfers running here, added up: the datagrams the port has in flight at most. */
    private long windowsInFlight;

    /**
     * @param offload                 UDP GSO for windows, shared by the server's ports
     * @param passesRequests          on the listener's own socket: requests and datagrams of no transfer go on to
     *                                the next stage instead of being answered here
     * @param unknownRepliesPerSecond most ERROR 5 answers a second (0: none)
     * @param roundsBeforeResend      the least an adaptive retransmission waits, in rounds of the whole port (see
     *                                {@link #retransmitFloorNanos}); 0 leaves each transfer's own estimate alone
     */
    public TransferPort(SegmentOffload offload, boolean passesRequests, int unknownRepliesPerSecond,
                        double roundsBeforeResend) {
        this.offload = offload;
        this.passesRequests = passesRequests;
        this.unknownRepliesPerSecond = unknownRepliesPerSecond;
        this.roundsBeforeResend = roundsBeforeResend;
        this.unknownReplyAllowance = unknownRepliesPerSecond;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.wheel = new TimerWheel(TICK_NANOS, WHEEL_SLOTS, now());
        this.unknownReplyRefilledAt = now();
        this.rateMeasuredAt = now();
    }

    /**
     * Starts {@code transfer} on this port: it sends its first packet now. A transfer the same client still has here
     * (it asked for another file from the same port) ends quietly first.
     */
    public void start(PortTransfer transfer) {
        InetSocketAddress client = transfer.id().client();
        PortTransfer previous = transfers.get(client);
        if (previous != null) {
            // Ends it here first, so its end takes it (and its windows) off this port before the new one comes.
            previous.cancel(null, "superseded by the same client's request for " + transfer.id().file());
        }
        transfers.put(client, transfer);
        windowsInFlight += transfer.windowSize();
        transfer.begin(this, wheel.newTimer(transfer::expired));
        flushSoon();
    }

    /**
     * Ends {@code transfer} (started on this port) with {@code error} to its client, or quietly when null; reported
     * CANCELLED with {@code why}.
     */
    public void cancel(PortTransfer transfer, ErrorPacket error, String why) {
        transfer.cancel(error, why);
        flushSoon();
    }

    /** The event loop this port and its transfers run on. */
    public EventExecutor executor() {
        return ctx.executor();
    }

    /** Windows of the transfers running on this port now, added up. */
    long windowsInFlight() {
        return windowsInFlight;
    }

    /** Transfers running on this port now. */
    public int size() {
        return transfers.size();
    }

    /** Sends {@code error} to {@code client} from this port, e.g. a refusal of a request. On the port's loop. */
    public void sendError(ErrorPacket error, InetSocketAddress client) {
        send(error, client);
        flushSoon();
    }

    /**
     * {@link #sendError} from any thread (the listener's, deciding a refusal): queued, and every error queued until
     * the port's loop gets to them goes out in one task and one flush, not a task each.
     */
    public void sendErrorFromAnyThread(ErrorPacket error, InetSocketAddress client) {
        errorsToSend.add(new PendingError(error, client));
        if (errorsScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(this::sendQueuedErrors);
        }
    }

    private void sendQueuedErrors() {
        errorsScheduled.set(false);
        for (PendingError pending = errorsToSend.poll(); pending != null; pending = errorsToSend.poll()) {
            send(pending.error, pending.client);
        }
        flush();
    }

    private record PendingError(ErrorPacket error, InetSocketAddress client) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        flushComing = true;
        PortTransfer transfer = transfers.get(packet.sender());
        if (passesRequests && (transfer == null || isRequest(packet.content()))) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (transfer != null) {
                transfer.received(packet.content());
            } else {
                unknownTransfer(packet);
            }
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failed send (no buffer space, say) is like a lost packet: the transfer's timer resends.
        log.debug("transfer port {}: {}", ctx.channel().localAddress(), String.valueOf(cause));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (PortTransfer transfer : new ArrayList<>(transfers.values())) {
            transfer.portClosed();
        }
        transfers.clear();
        windowsInFlight = 0;
        ctx.fireChannelInactive();
    }

    private static boolean isRequest(ByteBuf datagram) {
        if (datagram.readableBytes() < 2) {
            return false;
        }
        int opcode = datagram.getUnsignedShort(datagram.readerIndex());
        return opcode == Opcode.RRQ.code() || opcode == Opcode.WRQ.code();
    }

    private void unknownTransfer(DatagramPacket packet) {
        ByteBuf content = packet.content();
        boolean isError = content.readableBytes() >= 2
                && content.getUnsignedShort(content.readerIndex()) == Opcode.ERROR.code();
        if (isError || !takeUnknownReply()) {
            return;
        }
        log.debug("datagram from {} with no transfer on this port: ERROR 5", packet.sender());
        send(UNKNOWN_TRANSFER, packet.sender());
    }

    /** Whether one more ERROR 5 may go now (a token bucket of one second's worth). */
    private boolean takeUnknownReply() {
        long now = now();
        unknownReplyAllowance = Math.min(unknownRepliesPerSecond,
                unknownReplyAllowance + (now - unknownReplyRefilledAt) * unknownRepliesPerSecond / 1e9);
        unknownReplyRefilledAt = now;
        if (unknownReplyAllowance >= 1) {
            unknownReplyAllowance--;
            return true;
        }
        unknownRepliesDropped++;
        return false;
    }

    /** ERROR 5 answers left out by the rate limit so far. */
    public long unknownRepliesDropped() {
        return unknownRepliesDropped;
    }

    /** Timer ticks run so far: at most one per tick length, however many timers fire. */
    long ticks() {
        return ticks;
    }

    // What a Transfer uses of its port.

    long now() {
        return ctx.executor().ticker().nanoTime();
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    SegmentOffload offload() {
        return offload;
    }

    /** Makes {@code timer} fire at {@code atNanos}; the wheel ticks while any timer waits. */
    void arm(TimerWheel.Timer timer, long atNanos) {
        wheel.schedule(timer, atNanos);
        if (!tickScheduled) {
            scheduleTick();
        }
    }

    void disarm(TimerWheel.Timer timer) {
        wheel.cancel(timer);
    }

    /** {@code transfer} has ended: datagrams from its client are no longer its. */
    void ended(PortTransfer transfer) {
        if (transfers.remove(transfer.id().client(), transfer)) {
            windowsInFlight -= transfer.windowSize();
        }
    }

    /**
     * The least a retransmission should wait on this port: {@code roundsBeforeResend} times the time the port takes to
     * send one window for every transfer on it. In lock-step that time is the transfers' mean round trip (each sends one datagram per round
     * trip), measured from every transfer's traffic at once; a transfer's own RFC 6298 estimate, one sample per
     * round trip, lags when a floor of phones starts together and the round trip grows with the queue, and its
     * timer then resends what is only waiting in line. 0 until the rate is measured, and while fewer than
     * {@link #BUSY_WINDOWS} windows are in flight.
     */
    long retransmitFloorNanos() {
        if (windowsInFlight < BUSY_WINDOWS || sendRate <= 0) {
            return 0;
        }
        return (long) (roundsBeforeResend * 1e9 * windowsInFlight / sendRate);
    }

    void send(TftpPacket packet, InetSocketAddress to) {
        send(TftpPacketEncoder.toBuffer(ctx.alloc(), packet), to);
    }

    /** Takes ownership of {@code datagram}. Flushed at the end of the batch, tick or task under way. */
    void send(ByteBuf datagram, InetSocketAddress to) {
        ctx.write(new DatagramPacket(datagram, to), ctx.voidPromise());
        unflushed = true;
        datagramsSent++;
    }

    /** Takes ownership of {@code datagrams}: segments of {@code segmentSize} bytes for the kernel to cut apart. */
    void sendSegmented(ByteBuf datagrams, int segmentSize, Transfer transfer) {
        datagramsSent += (datagrams.readableBytes() + segmentSize - 1) / segmentSize;
        ctx.write(new SegmentedDatagramPacket(datagrams, segmentSize, transfer.id().client()))
                .addListener((ChannelFuture future) -> {
                    if (future.isSuccess()) {
                        offload.sent();
                    } else {
                        transfer.segmentedSendFailed(future.cause());
                    }
                });
        unflushed = true;
    }

    private void tick() {
        // tickScheduled stays true while expiries re-arm their timers: the one next tick is scheduled below.
        ticks++;
        flushComing = true;
        long now = now();
        measureSendRate(now);
        wheel.advance(now);
        flush();
        if (wheel.isEmpty()) {
            tickScheduled = false;
        } else {
            scheduleTick();
        }
    }

    /** Every {@link #RATE_PERIOD_NANOS} while transfers run: datagrams a second, smoothed by a quarter. */
    private void measureSendRate(long now) {
        long elapsed = now - rateMeasuredAt;
        if (elapsed < RATE_PERIOD_NANOS) {
            return;
        }
        // After a pause of the ticks (no timer waited) the count spans idle time: start measuring again from here.
        if (elapsed <= 4 * RATE_PERIOD_NANOS) {
            double rate = (datagramsSent - datagramsAtMeasure) * 1e9 / elapsed;
            sendRate = sendRate == 0 ? rate : (3 * sendRate + rate) / 4;
        }
        rateMeasuredAt = now;
        datagramsAtMeasure = datagramsSent;
    }

    /** The next tick at the next whole multiple of the tick, where the wheel's ticks end: a timer fires when due. */
    private void scheduleTick() {
        tickScheduled = true;
        ctx.executor().schedule(tick, TICK_NANOS - Math.floorMod(now(), TICK_NANOS), TimeUnit.NANOSECONDS);
    }

    /** Outside a read batch or tick (a transfer started by a task): one flush after the tasks queued now. */
    void flushSoon() {
        if (!flushComing && unflushed) {
            flushComing = true;
            ctx.executor().execute(flushTask);
        }
    }

    private void flushTask() {
        flush();
    }

    private void flush() {
        flushComing = false;
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }
}

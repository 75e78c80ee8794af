package io.floorflash.loadtest;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Opcode;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.codec.TftpDecodeException;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.protocol.timer.TimerWheel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One simulated phone on its own UDP socket (its own TID): sends the request, locks onto the port the server
 * answers from (a packet from any other port gets ERROR 5, as RFC 1350 says), carries out {@link ClientTransfer}'s
 * steps, runs its own retry timer, and dallies after the last ACK to answer a repeated last block.
 *
 * <p>It reads {@link DatagramPacket}s itself: a DATA's opcode and block number are read in place and its payload is
 * checked where it lies, and an ACK goes out as a 4-byte datagram, so the packets that make up nearly all the traffic
 * cost no decoded packet, envelope or slice. The rarer packets (OACK, ERROR, the request) go through
 * {@link TftpPacketCodec}.
 *
 * <p>The retry timer is one {@link TimerWheel.Timer} on its loop's wheel, kept for the phone's life: a packet only
 * moves the stored deadline, and the timer moves itself there when it fires early.
 */
final class SimulatedPhone extends ChannelInboundHandlerAdapter {
    private final InetSocketAddress server;
    private final ReadRequest request;
    private final ClientTransfer transfer;
    private final long timeoutNanos;
    private final LossModel loss;
    private final LongAdder bytesReceived;
    private final Consumer<PhoneResult> done;
    private final LoopTimers timers;

    private ChannelHandlerContext ctx;
    private LoopTimers.LoopWheel wheel;
    private TimerWheel.Timer timer;
    private InetSocketAddress serverTid;
    private long startedAt;
    private long firstAnswerAt = -1;
    private long retryAt;
    private boolean reported;
    private boolean dallying;
    private long dataPackets;

    SimulatedPhone(InetSocketAddress server, ReadRequest request, ClientTransfer transfer, long timeoutNanos,
                   LossModel loss, LongAdder bytesReceived, LoopTimers timers, Consumer<PhoneResult> done) {
        this.server = server;
        this.request = request;
        this.transfer = transfer;
        this.timeoutNanos = timeoutNanos;
        this.loss = loss;
        this.bytesReceived = bytesReceived;
        this.done = done;
        this.timers = timers;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.wheel = timers.of(ctx.executor());
        this.timer = wheel.newTimer(this::onTimer);
    }

    /** Sends the request; call on the channel's event loop once it is bound. */
    void begin() {
        startedAt = now();
        apply(transfer.start());
    }

    /** Takes ownership of {@code msg}. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket datagram && !loss.dropReceived()) {
                receive(datagram.content(), datagram.sender());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void receive(ByteBuf content, InetSocketAddress sender) {
        int start = content.readerIndex();
        int length = content.readableBytes();
        boolean data = length >= TftpPacketCodec.HEADER_LENGTH && content.getUnsignedShort(start) == Opcode.DATA.code();
        TftpPacket packet = null;
        if (!data) {
            try {
                packet = TftpPacketCodec.decode(content);
            } catch (TftpDecodeException e) {
                // Not TFTP: as good as lost, and no reason to lock onto its sender.
                return;
            }
        }
        if (serverTid == null) {
            serverTid = sender;
        } else if (!serverTid.equals(sender)) {
            send(new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID, "Unknown transfer ID"), sender);
            return;
        }
        if (!dallying) {
            arm();
        }
        if (firstAnswerAt < 0 && (data || packet instanceof OptionAck)) {
            firstAnswerAt = now();
        }
        if (data) {
            dataPackets++;
            int block = content.getUnsignedShort(start + 2);
            if (dallying) {
                sendAck(block);
                return;
            }
            // The payload is what follows the header: the datagram is ours to move through until it is released.
            content.readerIndex(start + TftpPacketCodec.HEADER_LENGTH);
            long before = transfer.bytesReceived();
            apply(transfer.onData(block, content));
            bytesReceived.add(transfer.bytesReceived() - before);
        } else if (packet instanceof OptionAck oack) {
            apply(transfer.onOptionAck(oack));
        } else if (packet instanceof ErrorPacket error) {
            apply(transfer.onError(error));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors and failed sends are like lost packets: the retry timer covers them.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        if (!reported) {
            report(false, false, "socket closed");
        }
        ctx.fireChannelInactive();
    }

    /**
     * Ends the phone on its event loop, e.g. when the run's time is up. Returns false when its socket was never
     * bound, so the caller reports it.
     */
    boolean stopOnItsLoop(String why) {
        ChannelHandlerContext context = ctx;
        if (context == null) {
            return false;
        }
        context.executor().execute(() -> {
            if (!reported) {
                report(false, false, why);
            }
            context.close();
        });
        return true;
    }

    private void apply(ClientStep step) {
        if (step instanceof ClientStep.SendAck ack) {
            sendAck(ack.block());
            arm();
        } else if (step instanceof ClientStep.SendRequest) {
            send(request, server);
            arm();
        } else if (step instanceof ClientStep.Complete complete) {
            sendAck(complete.block());
            report(true, false, "");
            dallying = true;
            // Dally: answer a repeated last block for one timeout, then close (RFC 1350 section 6).
            wheel.schedule(timer, now() + timeoutNanos);
        } else if (step instanceof ClientStep.Fail) {
            ClientStep.Fail fail = (ClientStep.Fail) step;
            if (fail.sendError() && serverTid != null) {
                send(new ErrorPacket(ErrorCode.NOT_DEFINED, fail.error()), serverTid);
            }
            report(false, fail.mismatch(), fail.error());
            cancelTimer();
            ctx.close();
        }
    }

    /** An ACK of 16-bit {@code block} to the server's port, written straight into a 4-byte buffer. */
    private void sendAck(int block) {
        if (loss.dropSent()) {
            return;
        }
        ByteBuf ack = ctx.alloc().directBuffer(TftpPacketCodec.HEADER_LENGTH, TftpPacketCodec.HEADER_LENGTH);
        ack.writeInt(Opcode.ACK.code() << 16 | block);
        ctx.writeAndFlush(new DatagramPacket(ack, serverTid), ctx.voidPromise());
    }

    private void send(TftpPacket packet, InetSocketAddress to) {
        if (loss.dropSent()) {
            return;
        }
        ByteBuf buffer = ctx.alloc().buffer();
        boolean success = false;
        try {
            TftpPacketCodec.encode(packet, buffer);
            success = true;
        } finally {
            if (!success) {
                buffer.release();
            }
        }
        ctx.writeAndFlush(new DatagramPacket(buffer, to), ctx.voidPromise());
    }

    private void arm() {
        retryAt = now() + timeoutNanos;
        if (!timer.isScheduled()) {
            wheel.schedule(timer, retryAt);
        }
    }

    private void onTimer() {
        if (dallying) {
            ctx.close();
            return;
        }
        if (reported) {
            return;
        }
        if (retryAt - now() > 0) {
            wheel.schedule(timer, retryAt);
            return;
        }
        apply(transfer.onTimeout());
    }

    private void cancelTimer() {
        if (timer != null) {
            wheel.cancel(timer);
        }
    }

    private void report(boolean ok, boolean mismatch, String error) {
        if (reported) {
            return;
        }
        reported = true;
        long end = now();
        done.accept(new PhoneResult(ok, mismatch, error, transfer.bytesReceived(),
                firstAnswerAt < 0 ? -1 : firstAnswerAt - startedAt, end - startedAt, transfer.timeouts(),
                transfer.duplicates(), transfer.acksSent(), loss.droppedReceived(), loss.droppedSent(), dataPackets));
    }

    private long now() {
        return wheel.now();
    }
}

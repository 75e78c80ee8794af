package io.floorflash.loadtest;

import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.Ack;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultAddressedEnvelope;
import io.floorflash.protocol.timer.TimerWheel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One simulated phone on its own UDP socket (its own TID): sends the request, locks onto the port the server
 * answers from (a packet from any other port gets ERROR 5, as RFC 1350 says), carries out {@link ClientTransfer}'s
 * steps, runs its own retry timer, and dallies after the last ACK to answer a repeated last block.
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

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof AddressedEnvelope) || loss.dropReceived()) {
                return;
            }
            AddressedEnvelope<?, ?> envelope = (AddressedEnvelope<?, ?>) msg;
            InetSocketAddress sender = (InetSocketAddress) envelope.sender();
            if (serverTid == null) {
                serverTid = sender;
            } else if (!serverTid.equals(sender)) {
                send(new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID, "Unknown transfer ID"), sender);
                return;
            }
            Object packet = envelope.content();
            if (!dallying) {
                arm();
            }
            if (firstAnswerAt < 0 && (packet instanceof Data || packet instanceof OptionAck)) {
                firstAnswerAt = now();
            }
            if (packet instanceof Data) {
                dataPackets++;
                Data data = (Data) packet;
                if (dallying) {
                    send(new Ack(data.block()), serverTid);
                    return;
                }
                long before = transfer.bytesReceived();
                apply(transfer.onData(data.block(), data.content()));
                bytesReceived.add(transfer.bytesReceived() - before);
            } else if (packet instanceof OptionAck) {
                apply(transfer.onOptionAck((OptionAck) packet));
            } else if (packet instanceof ErrorPacket) {
                apply(transfer.onError((ErrorPacket) packet));
            }
        } finally {
            ReferenceCountUtil.release(msg);
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
        if (step instanceof ClientStep.SendAck) {
            send(new Ack(((ClientStep.SendAck) step).block()), serverTid);
            arm();
        } else if (step instanceof ClientStep.SendRequest) {
            send(request, server);
            arm();
        } else if (step instanceof ClientStep.Complete) {
            send(new Ack(((ClientStep.Complete) step).block()), serverTid);
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

    private void send(TftpPacket packet, InetSocketAddress to) {
        if (loss.dropSent()) {
            return;
        }
        ctx.writeAndFlush(new DefaultAddressedEnvelope<>(packet, to), ctx.voidPromise());
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

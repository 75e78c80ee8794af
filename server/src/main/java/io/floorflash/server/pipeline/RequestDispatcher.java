package io.floorflash.server.pipeline;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Opcode;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.WriteRequest;
import io.floorflash.protocol.codec.MalformedDatagram;
import io.floorflash.server.transfer.RefusalReason;
import io.floorflash.server.transfer.TransferId;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's last stage: read requests go to the {@link TransferLauncher}; write requests to the
 * {@link UploadLauncher} when uploads are on, else they are refused (from a port of their own, like every answer to
 * a request); a datagram that claims a TFTP opcode but is malformed gets
 * ERROR 4 from the listener, and an ACK, DATA or OACK gets ERROR 5; anything else is dropped. Those two answers go out
 * at most {@code unsolicitedRepliesPerSecond} a second from each listening socket, like a transfer port's ERROR 5:
 * they answer whatever source address a datagram claims, and a 2-byte datagram would otherwise draw a 60-byte ERROR,
 * as fast as anyone sends. Logs at DEBUG and keeps serving: it never closes the listener.
 */
public final class RequestDispatcher extends ChannelInboundHandlerAdapter {
    /**
     * The stages before the decoders of the listener's sockets that keep them, together, under {@code perSecond}
     * datagrams a second: one for each socket, all on the listener's one event loop.
     */
    public static Supplier<ChannelInboundHandlerAdapter> intakeLimits(int perSecond) {
        IntakeLimit.Budget budget = new IntakeLimit.Budget(perSecond);
        return () -> new IntakeLimit(budget);
    }

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final TransferLauncher launcher;
    /** Null when uploads are off: write requests are refused. */
    private final UploadLauncher uploads;
    private final double unsolicitedRepliesPerSecond;
    private double replyAllowance;
    private long replyRefilledAt;
    private long repliesDropped;

    /**
     * @param unsolicitedRepliesPerSecond most ERROR 4 and ERROR 5 answers a second (0: none); requests are answered
     *                                    through the launcher, not counted here
     */
    public RequestDispatcher(TransferLauncher launcher, int unsolicitedRepliesPerSecond) {
        this(launcher, null, unsolicitedRepliesPerSecond);
    }

    /** @param uploads where write requests go, or null to refuse them (uploads off) */
    public RequestDispatcher(TransferLauncher launcher, UploadLauncher uploads, int unsolicitedRepliesPerSecond) {
        this.launcher = launcher;
        this.uploads = uploads;
        this.unsolicitedRepliesPerSecond = unsolicitedRepliesPerSecond;
        this.replyAllowance = unsolicitedRepliesPerSecond;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        replyRefilledAt = ctx.executor().ticker().nanoTime();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof MalformedDatagram) {
                onMalformed(ctx, (MalformedDatagram) msg);
            } else if (msg instanceof AddressedEnvelope) {
                @SuppressWarnings("unchecked")
                AddressedEnvelope<TftpPacket, InetSocketAddress> envelope = (AddressedEnvelope<TftpPacket, InetSocketAddress>) msg;
                onPacket(ctx, envelope);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onPacket(ChannelHandlerContext ctx, AddressedEnvelope<TftpPacket, InetSocketAddress> envelope) {
        TftpPacket packet = envelope.content();
        InetSocketAddress client = envelope.sender();
        switch (packet.opcode()) {
            case RRQ:
                launcher.launch(ctx.channel(), (ReadRequest) packet, client, envelope.recipient());
                break;
            case WRQ:
                if (uploads != null) {
                    uploads.launch(ctx.channel(), (WriteRequest) packet, client, envelope.recipient());
                    break;
                }
                String file = ((WriteRequest) packet).filename();
                launcher.refuse(ctx.channel(), new TransferId(client, file), envelope.recipient(), new ErrorPacket(ErrorCode.ACCESS_VIOLATION,
                        "Access violation: uploads are not accepted; this server only serves firmware"),
                        RefusalReason.WRITE_REQUEST);
                break;
            case ERROR:
                log.debug("ignored ERROR on the listener from {}", describe(client));
                break;
            default:
                log.debug("{} from {} on the listener: unknown transfer", packet.opcode(), describe(client));
                reply(ctx, client, new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID,
                        "Unknown transfer ID: " + packet.opcode() + " sent to the request port"));
                break;
        }
    }

    private void onMalformed(ChannelHandlerContext ctx, MalformedDatagram malformed) {
        String reason = malformed.cause().getMessage();
        log.debug("malformed datagram from {}: {}", describe(malformed.sender()), reason);
        Opcode opcode = Opcode.fromCode(malformed.cause().opcode());
        // Only a sender that speaks TFTP (a known opcode) is answered, and never with an ERROR to an ERROR.
        if (opcode != null && opcode != Opcode.ERROR) {
            reply(ctx, malformed.sender(), new ErrorPacket(ErrorCode.ILLEGAL_OPERATION, "Illegal TFTP operation: " + reason));
        }
    }

    private void reply(ChannelHandlerContext ctx, InetSocketAddress client, ErrorPacket error) {
        if (takeReply(ctx)) {
            ctx.writeAndFlush(new DefaultAddressedEnvelope<>(error, client), ctx.voidPromise());
        }
    }

    /** Whether one more unsolicited answer may go now (a token bucket of one second's worth). */
    private boolean takeReply(ChannelHandlerContext ctx) {
        long now = ctx.executor().ticker().nanoTime();
        replyAllowance = Math.min(unsolicitedRepliesPerSecond,
                replyAllowance + (now - replyRefilledAt) * unsolicitedRepliesPerSecond / 1e9);
        replyRefilledAt = now;
        if (replyAllowance >= 1) {
            replyAllowance--;
            return true;
        }
        repliesDropped++;
        return false;
    }

    /** ERROR 4 and ERROR 5 answers left out by the rate limit so far. */
    long repliesDropped() {
        return repliesDropped;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors for replies to departed clients and the like: the listener keeps serving.
        log.debug("listener error: {}", String.valueOf(cause));
    }

    static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}

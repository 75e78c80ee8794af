package io.floorflash.server.pipeline;

import io.floorflash.config.TransferSettings;
import io.floorflash.protocol.BlockNumbers;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TransferOptions;
import io.floorflash.protocol.codec.TftpDatagramDecoder;
import io.floorflash.protocol.codec.TftpPacketEncoder;
import io.floorflash.server.Transport;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.transfer.ReadTransfer;
import io.floorflash.server.transfer.RetransmitPolicy;
import io.floorflash.server.transfer.SegmentOffload;
import io.floorflash.server.transfer.TransferHandler;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferProgress;
import io.floorflash.server.transfer.TransferSummary;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.socket.DatagramChannel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts read transfers: claims the client's address and port, asks the store for the image (off the event loop),
 * negotiates options, and opens the transfer's own UDP port on the address the request arrived on, connected to
 * the client. A refusal (the store's ERROR, rollover, busy) is sent from a port of its own too, see {@link #refuse}.
 * Once {@link #stopAccepting} is called, every new request is refused with {@link #SHUTTING_DOWN}, and
 * {@link #cancelAll} ends the transfers still running.
 */
public final class TransferLauncher {
    private static final Logger log = LoggerFactory.getLogger(TransferLauncher.class);
    /** ACKs and client ERRORs only (an ERROR's text is at most a few hundred bytes): one datagram per read. */
    private static final RecvByteBufAllocator TRANSFER_RECEIVE = new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(1);
    /** The answer to a request during a drain, and the end of a transfer still running after it. */
    public static final ErrorPacket SHUTTING_DOWN = new ErrorPacket(ErrorCode.NOT_DEFINED,
            "Server shutting down; try again shortly");

    private final FirmwareStore store;
    private final TransferSettings settings;
    private final Transport transport;
    private final EventLoopGroup group;
    private final ActiveTransfers active;
    private final TransferListener listener;
    private final Rollover rollover;
    private final OptionLimits ipv4Limits;
    private final OptionLimits ipv6Limits;
    /** UDP GSO for windows, shared by every transfer: one refusal by the kernel turns it off for all. */
    private final SegmentOffload offload;
    /** Transfers begun and not yet finished, by their reservation token: how to cancel each from any thread. */
    private final Map<Object, Consumer<ErrorPacket>> running = new ConcurrentHashMap<>();
    private volatile boolean accepting = true;

    public TransferLauncher(FirmwareStore store, TransferSettings settings, Transport transport, EventLoopGroup group,
                            ActiveTransfers active, TransferListener listener) {
        this.store = store;
        this.settings = settings;
        this.transport = transport;
        this.group = group;
        this.active = active;
        this.listener = listener;
        this.rollover = rolloverOf(settings.rollover());
        this.ipv4Limits = new OptionLimits(settings.maxBlockSize(), settings.maxWindowSize());
        this.ipv6Limits = new OptionLimits(settings.maxBlockSizeIpv6(), settings.maxWindowSize());
        this.offload = SegmentOffload.of(settings.udpGso() && transport.segmentOffload());
        if (settings.udpGso() && transport == Transport.EPOLL && !offload.enabled()) {
            log.info("UDP GSO is not available on this kernel; windows go out as separate datagrams");
        }
    }

    /**
     * Handles one RRQ that arrived on {@code listener}, from {@code client}, addressed to {@code recipient} (the
     * address to answer from, when the transport reports it).
     */
    public void launch(Channel listenerChannel, ReadRequest request, InetSocketAddress client, InetSocketAddress recipient) {
        Object token = new Object();
        switch (active.reserve(client, token)) {
            case DUPLICATE:
                log.debug("client={} repeated its RRQ while its transfer runs: ignored", RequestDispatcher.describe(client));
                return;
            case FULL:
                log.warn("client={} file={} refused: {} transfers running (floorflash.transfer.max-active-transfers)",
                        RequestDispatcher.describe(client), request.filename(), active.size());
                refuse(listenerChannel, new TransferId(client, request.filename()), recipient, new ErrorPacket(ErrorCode.NOT_DEFINED,
                        "Server busy: too many transfers running; try again shortly"));
                return;
            default:
                break;
        }
        if (!accepting) {
            refuseWhileStopping(listenerChannel, new TransferId(client, request.filename()), recipient, token);
            return;
        }
        EventLoop loop = group.next();
        store.open(request.filename(), request.mode()).whenCompleteAsync((image, error) -> {
            if (error != null) {
                active.release(client, token);
                FirmwareException refusal = asRefusal(error);
                log.info("refused client={} file={} error={} reason=\"{}\"", RequestDispatcher.describe(client),
                        request.filename(), refusal.code().code(), refusal.getMessage());
                refuse(listenerChannel, new TransferId(client, request.filename()), recipient, refusal.toErrorPacket());
                return;
            }
            start(loop, listenerChannel, request, client, recipient, image, token);
        }, loop);
    }

    private void start(EventLoop loop, Channel listenerChannel, ReadRequest request, InetSocketAddress client,
                       InetSocketAddress recipient, FirmwareImage image, Object token) {
        TransferId id = new TransferId(client, request.filename());
        if (!accepting) {
            // The drain began while the image was being loaded.
            refuseWhileStopping(listenerChannel, id, recipient, token);
            return;
        }
        OptionLimits limits = client.getAddress() instanceof Inet6Address ? ipv6Limits : ipv4Limits;
        TransferOptions options = TransferOptions.negotiate(request.options(), limits, image.size());
        long blocks = BlockNumbers.blockCount(image.size(), options.blockSize());
        if (!rollover.allows(blocks)) {
            active.release(client, token);
            String why = image.name() + " is " + image.size() + " bytes: " + blocks + " blocks of " + options.blockSize()
                    + " bytes, more than 65535, and this server does not roll block numbers over. Ask with a larger"
                    + " blksize, fetch it over HTTP, or set floorflash.transfer.rollover = zero";
            log.info("refused {} reason=\"{}\"", id, why);
            refuse(listenerChannel, id, recipient, new ErrorPacket(ErrorCode.NOT_DEFINED, why));
            return;
        }
        ReadTransfer transfer = new ReadTransfer(image.size(), options, rollover, settings.retransmit().maxRetries());
        TransferListener release = new TransferListener() {
            @Override
            public void transferStarted(TransferProgress progress) {
                listener.transferStarted(progress);
            }

            @Override
            public void transferFinished(TransferSummary summary) {
                // Listeners first: a drain that sees the server idle has heard every end.
                try {
                    listener.transferFinished(summary);
                } finally {
                    running.remove(token);
                    active.release(client, token);
                }
            }
        };
        TransferHandler handler = new TransferHandler(id, image, transfer,
                RetransmitPolicy.of(settings.retransmit(), options.timeoutSeconds()), settings.deadline().toNanos(), release,
                offload);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.datagramChannel())
                .option(ChannelOption.SO_SNDBUF, sendBuffer(options))
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline()
                                .addLast(PipelineNames.DECODER, TftpDatagramDecoder.INSTANCE)
                                .addLast(PipelineNames.ENCODER, TftpPacketEncoder.INSTANCE)
                                .addLast(PipelineNames.TRANSFER, handler);
                    }
                });
        if (transport == Transport.EPOLL) {
            // One ACK per window arrives on a transfer port: level-triggered, one recvmsg per readiness, without the
            // second recvmsg that edge-triggered reading spends to meet EAGAIN (about 10% less server CPU in lock-step).
            bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, TRANSFER_RECEIVE);
        }
        InetSocketAddress local = new InetSocketAddress(answerFrom(listenerChannel, recipient), 0);
        bootstrap.connect(client, local).addListener((ChannelFuture future) -> {
            if (future.isSuccess()) {
                running.put(token, error -> loop.execute(() -> handler.cancel(error)));
                handler.begin();
                return;
            }
            active.release(client, token);
            log.warn("{} could not open a transfer port on {}: {}", id, local.getAddress().getHostAddress(),
                    String.valueOf(future.cause()));
            fromListener(listenerChannel, client, new ErrorPacket(ErrorCode.NOT_DEFINED,
                    "Server out of resources: cannot open a transfer port; try again shortly"));
        });
    }

    /** From now on every new request is refused with {@link #SHUTTING_DOWN}; running transfers go on. */
    public void stopAccepting() {
        accepting = false;
    }

    /** UDP GSO for windows, as every transfer of this launcher uses it. */
    public SegmentOffload segmentOffload() {
        return offload;
    }

    /** Whether new requests are taken on (until {@link #stopAccepting}). */
    public boolean accepting() {
        return accepting;
    }

    /**
     * Ends every running transfer with {@code error} to its client (a CANCELLED outcome), on each transfer's own
     * event loop; returns at once.
     *
     * @return how many transfers were told to end
     */
    public int cancelAll(ErrorPacket error) {
        int told = 0;
        for (Consumer<ErrorPacket> cancel : running.values()) {
            cancel.accept(error);
            told++;
        }
        return told;
    }

    private void refuseWhileStopping(Channel listenerChannel, TransferId id, InetSocketAddress recipient, Object token) {
        active.release(id.client(), token);
        log.debug("refused {}: shutting down", id);
        refuse(listenerChannel, id, recipient, SHUTTING_DOWN);
    }

    /** The address the request arrived on: the listener's own when bound to one, else the datagram's destination. */
    private static InetAddress answerFrom(Channel listenerChannel, InetSocketAddress recipient) {
        InetAddress bound = listenerChannel.localAddress() instanceof InetSocketAddress local ? local.getAddress() : null;
        if (bound != null && !bound.isAnyLocalAddress()) {
            return bound;
        }
        if (recipient != null && !recipient.getAddress().isAnyLocalAddress()) {
            return recipient.getAddress();
        }
        return bound;
    }

    /** Room for two windows of the largest datagrams, so a burst is not refused by the kernel. */
    private static int sendBuffer(TransferOptions options) {
        long window = (long) options.windowSize() * (options.blockSize() + 4 + 64);
        return (int) Math.max(64 * 1024, Math.min(4L * 1024 * 1024, 2 * window));
    }

    /**
     * Answers a well-formed request with {@code error} from a new port on the address the request arrived on, then
     * closes that port. RFC 1350 (section 4) has the response to a request come from a TID the server chooses, and
     * strict clients drop a reply from the request port: commons-net's {@code TFTPClient} answers it with "Incorrect
     * source port" and never shows the error. When no port can be opened, the listener answers instead. The
     * {@link TransferListener} is told.
     */
    public void refuse(Channel listenerChannel, TransferId id, InetSocketAddress recipient, ErrorPacket error) {
        listener.requestRefused(id, error);
        InetSocketAddress client = id.client();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.datagramChannel())
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(PipelineNames.ENCODER, TftpPacketEncoder.INSTANCE);
                    }
                });
        InetSocketAddress local = new InetSocketAddress(answerFrom(listenerChannel, recipient), 0);
        bootstrap.connect(client, local).addListener((ChannelFuture future) -> {
            if (future.isSuccess()) {
                future.channel().writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            log.debug("client={} no port for the refusal, answering from the listener: {}", RequestDispatcher.describe(client),
                    String.valueOf(future.cause()));
            fromListener(listenerChannel, client, error);
        });
    }

    private static void fromListener(Channel listenerChannel, InetSocketAddress client, ErrorPacket error) {
        listenerChannel.writeAndFlush(new DefaultAddressedEnvelope<>(error, client), listenerChannel.voidPromise());
    }

    private static FirmwareException asRefusal(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof FirmwareException) {
            return (FirmwareException) cause;
        }
        log.error("unexpected failure opening firmware", cause);
        return new FirmwareException(ErrorCode.NOT_DEFINED, "Internal server error");
    }

    static Rollover rolloverOf(TransferSettings.RolloverSetting setting) {
        switch (setting) {
            case ONE:
                return Rollover.TO_ONE;
            case REFUSE:
                return Rollover.REFUSE;
            default:
                return Rollover.TO_ZERO;
        }
    }
}

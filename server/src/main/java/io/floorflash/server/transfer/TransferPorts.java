package io.floorflash.server.transfer;

import io.floorflash.config.TransferPortMode;
import io.floorflash.config.TransferPortMode.Mode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.epoll.EpollChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The server's transfer ports, by port mode ({@code floorflash.transfer.ports}): which event loop a client's
 * transfers run on, and the {@link TransferPort} they answer from there.
 *
 * <ul>
 *   <li>{@code shared} and a port range: each event loop opens {@code socketsPerLoop} sockets per local address that
 *       requests arrive on (one address in all, unless the listener is bound to a wildcard and the machine has
 *       several), on ports the kernel picks or the next free ones of the range. A client's transfers always run on
 *       the same loop and socket (a hash of its address and port), so its repeated or superseding request meets its
 *       running transfer. Several sockets per loop cost nothing per packet; each adds a receive buffer for the ACKs
 *       of a floor that outgrows one.
 *   <li>{@code single}: the listener's own socket, whose first stage is a {@link TransferPort} (see
 *       {@link #listenerStage}); every transfer runs on the listener's loop.
 * </ul>
 * Opening a socket is asynchronous; a transfer waits for its port's future. Thread-safe.
 */
public final class TransferPorts {
    /** Datagrams one recvmmsg call reads at most on epoll: a batch of ACKs from as many transfers. */
    private static final int DATAGRAMS_PER_READ = 32;
    /** The largest datagram read whole on a transfer port: ACKs are 4 bytes, a client's ERROR rarely past 100. */
    private static final int MAX_DATAGRAM = 2048;
    /**
     * An adaptive retransmission waits at least two rounds of its port (the time the port takes to send a window for
     * each of its transfers): one round is only the mean, and a floor of thousands resent what was waiting in line
     * with less (the numbers are in the commit that chose two).
     */
    private static final double ROUNDS_BEFORE_RESEND = 2;
    /** Room for many windows of large datagrams from every transfer of a loop. */
    private static final int SEND_BUFFER = 4 * 1024 * 1024;

    /**
     * What a transfer socket is opened with: the channels for a local address (of its address family), whether they
     * are epoll's (recvmmsg), and SO_RCVBUF (0 for the system's).
     */
    public record Sockets(Function<InetAddress, ChannelFactory<DatagramChannel>> channels, boolean epoll,
                          int receiveBuffer) {
    }

    private record Key(EventLoop loop, InetAddress address, int socket) {
    }

    private final TransferPortMode mode;
    private final Sockets sockets;
    private final List<EventLoop> loops;
    private final SegmentOffload offload;
    private final int unknownRepliesPerSecond;
    private final int socketsPerLoop;
    private final ConcurrentHashMap<Key, CompletableFuture<TransferPort>> ports = new ConcurrentHashMap<>();
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextInRange = new AtomicInteger();
    /** The listener's own port, in single mode; null otherwise. */
    private final TransferPort single;
    private volatile EventLoop listenerLoop;

    /**
     * @param socketsPerLoop transfer sockets each loop opens per local address (shared and range modes): a client's
     *                       transfers use one of them by a hash of its address and port; each socket's receive buffer
     *                       holds the ACKs of its own share of the floor
     */
    public TransferPorts(TransferPortMode mode, Sockets sockets, List<EventLoop> loops,
                         SegmentOffload offload, int unknownRepliesPerSecond, int socketsPerLoop) {
        if (loops.isEmpty()) {
            throw new IllegalArgumentException("transfer ports: no event loop");
        }
        this.mode = mode;
        this.sockets = sockets;
        this.loops = List.copyOf(loops);
        this.offload = offload;
        this.unknownRepliesPerSecond = unknownRepliesPerSecond;
        this.socketsPerLoop = socketsPerLoop;
        this.single = mode.mode() == Mode.SINGLE ? new TransferPort(offload, true, unknownRepliesPerSecond, ROUNDS_BEFORE_RESEND) : null;
    }

    /**
     * In single mode, the stage the listener's pipeline starts with (transfers answer from the listener's socket);
     * null in the other modes.
     */
    public TransferPort listenerStage() {
        return single;
    }

    /** The listener is bound: in single mode its loop runs every transfer. */
    public void listenerBound(Channel listener) {
        listenerLoop = listener.eventLoop();
    }

    /** The event loop {@code client}'s transfers run on. */
    public EventLoop loopFor(InetSocketAddress client) {
        if (single != null) {
            return Objects.requireNonNull(listenerLoop, "listener not bound");
        }
        return loops.get(Math.floorMod(spread(client), loops.size()));
    }

    /** The client's hash, mixed so that consecutive ports spread over the loops and their sockets alike. */
    private static int spread(InetSocketAddress client) {
        int h = client.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /**
     * The port that answers {@code client} from {@code address} (the address its request arrived on), on the loop
     * {@link #loopFor} gives, opened on first use. Completes on that loop, or at once when it is open already; fails
     * when no socket can be bound (a range with every port taken).
     */
    public CompletableFuture<TransferPort> portFor(InetSocketAddress client, InetAddress address) {
        if (single != null) {
            return CompletableFuture.completedFuture(single);
        }
        int socket = Math.floorMod(spread(client) / loops.size(), socketsPerLoop);
        Key key = new Key(loopFor(client), address, socket);
        CompletableFuture<TransferPort> port = ports.get(key);
        if (port != null) {
            return port;
        }
        CompletableFuture<TransferPort> opening = new CompletableFuture<>();
        port = ports.putIfAbsent(key, opening);
        if (port != null) {
            return port;
        }
        int attempts = mode.mode() == Mode.RANGE ? mode.last() - mode.first() + 1 : 1;
        open(key, attempts, opening);
        opening.whenComplete((ok, failure) -> {
            if (failure != null) {
                ports.remove(key, opening); // a later request tries again
            }
        });
        return opening;
    }

    private void open(Key key, int attemptsLeft, CompletableFuture<TransferPort> result) {
        int port = 0;
        if (mode.mode() == Mode.RANGE) {
            int size = mode.last() - mode.first() + 1;
            port = mode.first() + Math.floorMod(nextInRange.getAndIncrement(), size);
        }
        TransferPort handler = new TransferPort(offload, false, unknownRepliesPerSecond, ROUNDS_BEFORE_RESEND);
        Bootstrap bootstrap = new Bootstrap()
                .group(key.loop())
                .channelFactory(sockets.channels().apply(key.address()))
                .option(ChannelOption.SO_SNDBUF, SEND_BUFFER)
                .handler(handler);
        if (sockets.receiveBuffer() > 0) {
            bootstrap.option(ChannelOption.SO_RCVBUF, sockets.receiveBuffer());
        }
        if (sockets.epoll()) {
            // recvmmsg: one system call reads a batch of ACKs from many transfers.
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * DATAGRAMS_PER_READ));
        }
        InetSocketAddress local = new InetSocketAddress(key.address(), port);
        bootstrap.bind(local).addListener((ChannelFuture future) -> {
            if (future.isSuccess()) {
                channels.add(future.channel());
                result.complete(handler);
            } else if (attemptsLeft > 1) {
                open(key, attemptsLeft - 1, result);
            } else {
                result.completeExceptionally(new IllegalStateException("cannot open a transfer port on "
                        + describe(local) + (mode.mode() == Mode.RANGE ? " or any other of range " + mode : "") + ": "
                        + future.cause().getMessage(), future.cause()));
            }
        });
    }

    private static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** The local addresses of the transfer sockets open now (not the listener's), for logs and tests. */
    public List<InetSocketAddress> openPorts() {
        return channels.stream().map(ch -> (InetSocketAddress) ch.localAddress()).toList();
    }

    /** Closes every transfer socket; the transfers still on them are reported CANCELLED. Returns at once. */
    public void close() {
        for (Channel channel : channels) {
            channel.close();
        }
    }
}

package io.floorflash.server;

import io.floorflash.config.ListenerSettings.TransportKind;
import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The socket transport: Linux native epoll where it loads, NIO everywhere else; io_uring when asked for. */
public enum Transport {
    EPOLL {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        DatagramChannel newDatagramChannel(SocketProtocolFamily family) {
            return new EpollDatagramChannel(family);
        }

        @Override
        public Class<? extends ServerSocketChannel> serverSocketChannel() {
            return EpollServerSocketChannel.class;
        }

        @Override
        public boolean segmentOffload() {
            return io.netty.channel.epoll.SegmentedDatagramPacket.isSupported();
        }
    },
    IO_URING {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        DatagramChannel newDatagramChannel(SocketProtocolFamily family) {
            return new IoUringDatagramChannel(family);
        }

        @Override
        public Class<? extends ServerSocketChannel> serverSocketChannel() {
            return IoUringServerSocketChannel.class;
        }

        @Override
        public boolean segmentOffload() {
            return false;
        }
    },
    NIO {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        DatagramChannel newDatagramChannel(SocketProtocolFamily family) {
            return new NioDatagramChannel(family);
        }

        @Override
        public Class<? extends ServerSocketChannel> serverSocketChannel() {
            return NioServerSocketChannel.class;
        }

        @Override
        public boolean segmentOffload() {
            return false;
        }
    };

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    public abstract IoHandlerFactory ioHandlerFactory();

    /** A datagram channel of {@code family} (Netty's default is a dual-stack IPv6 socket). */
    abstract DatagramChannel newDatagramChannel(SocketProtocolFamily family);

    /**
     * Datagram channels for a socket bound to {@code address}: IPv4 sockets for an IPv4 address (the wildcard
     * 0.0.0.0 included), so every packet takes the kernel's IPv4 paths instead of the IPv6 ones of a dual-stack
     * socket; IPv6 otherwise.
     */
    public ChannelFactory<DatagramChannel> datagramChannels(InetAddress address) {
        SocketProtocolFamily family = address instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return () -> newDatagramChannel(family);
    }

    /** The TCP listening channel of the operator HTTP side. */
    public abstract Class<? extends ServerSocketChannel> serverSocketChannel();

    /** Whether its datagram channels can send UDP GSO ({@code SegmentedDatagramPacket}): epoll on a kernel with UDP_SEGMENT. */
    public abstract boolean segmentOffload();

    /**
     * The transport for {@code kind}: AUTO takes epoll when its native library loads and says why not otherwise.
     *
     * @throws IllegalStateException when epoll is demanded but does not load
     */
    public static Transport select(TransportKind kind) {
        switch (kind) {
            case NIO:
                return NIO;
            case IO_URING:
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("floorflash.tftp.transport = io-uring, but io_uring is not available: "
                            + IoUring.unavailabilityCause());
                }
                return IO_URING;
            case EPOLL:
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("floorflash.tftp.transport = epoll, but native epoll is not available: "
                            + Epoll.unavailabilityCause());
                }
                return EPOLL;
            default:
                if (Epoll.isAvailable()) {
                    return EPOLL;
                }
                log.info("native epoll not available ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
                return NIO;
        }
    }
}

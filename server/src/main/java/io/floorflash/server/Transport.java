package io.floorflash.server;

import io.floorflash.config.ListenerSettings.TransportKind;
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
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
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
        public Class<? extends DatagramChannel> datagramChannel() {
            return EpollDatagramChannel.class;
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
        public Class<? extends DatagramChannel> datagramChannel() {
            return IoUringDatagramChannel.class;
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
        public Class<? extends DatagramChannel> datagramChannel() {
            return NioDatagramChannel.class;
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

    public abstract Class<? extends DatagramChannel> datagramChannel();

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

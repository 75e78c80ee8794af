package io.floorflash.config;

import java.net.InetAddress;

/**
 * The TFTP listener: where it binds and how its sockets are driven.
 *
 * @param address          address to bind (a wildcard listens on all)
 * @param port             UDP port, 0-65535 (0 picks a free one, for tests)
 * @param transport        native epoll, NIO, or whichever loads
 * @param eventLoopThreads event-loop threads, 0 meaning one per core
 * @param receiveBuffer    SO_RCVBUF of the listening socket in bytes
 * @param sockets          listening sockets on the one port (SO_REUSEPORT, native epoll only), each with its own
 *                         receive buffer for a burst of requests
 * @param maxRequestsPerSecond datagrams the listener reads a second at most, all sockets together; 0 for no limit
 */
public record ListenerSettings(InetAddress address, int port, TransportKind transport, int eventLoopThreads,
                               int receiveBuffer, int sockets, int maxRequestsPerSecond) {
    /** The socket transports floorflash can run on. */
    public enum TransportKind { AUTO, EPOLL, IO_URING, NIO }
}

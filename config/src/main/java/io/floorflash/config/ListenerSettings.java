package io.floorflash.config;

import java.net.InetAddress;
import java.util.Objects;

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

    private static final int MAX_THREADS = 1024;
    private static final int MAX_SOCKETS = 64;
    private static final int MAX_REQUESTS_PER_SECOND = 10_000_000;
    /** The intake budget is cut into 10 ms slices: below 100 a second a socket's slice would be empty. */
    private static final int MIN_REQUESTS_PER_SOCKET = 100;

    public ListenerSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(transport, "transport");
        Bounds.intIn("port", port, 0, 65535);
        Bounds.intIn("event-loop-threads", eventLoopThreads, 0, MAX_THREADS);
        Bounds.intIn("receive-buffer", receiveBuffer, 0, Integer.MAX_VALUE);
        Bounds.intIn("sockets", sockets, 1, MAX_SOCKETS);
        Bounds.intIn("max-requests-per-second", maxRequestsPerSecond, 0, MAX_REQUESTS_PER_SECOND);
        checkIntake(maxRequestsPerSecond, sockets);
    }

    private static void checkIntake(int maxRequestsPerSecond, int sockets) {
        if (maxRequestsPerSecond > 0 && maxRequestsPerSecond < MIN_REQUESTS_PER_SOCKET * sockets) {
            throw new IllegalArgumentException("max-requests-per-second: " + maxRequestsPerSecond + " (expected: 0, or at"
                    + " least " + MIN_REQUESTS_PER_SOCKET + " per listening socket, " + MIN_REQUESTS_PER_SOCKET * sockets + ")");
        }
    }

    /** Reads {@code floorflash.tftp}. */
    static ListenerSettings read(ConfigReader in) {
        InetAddress address = in.address("address");
        int port = in.intIn("port", 0, 65535);
        TransportKind transport = in.enumValue("transport", TransportKind.class);
        int eventLoopThreads = in.intIn("event-loop-threads", 0, MAX_THREADS);
        int receiveBuffer = (int) in.bytesIn("receive-buffer", 0, Integer.MAX_VALUE);
        int sockets = in.intIn("sockets", 1, MAX_SOCKETS);
        int maxRequestsPerSecond = in.intIn("max-requests-per-second", 0, MAX_REQUESTS_PER_SECOND);
        in.check(() -> checkIntake(maxRequestsPerSecond, sockets), "max-requests-per-second", "sockets");
        return in.build(() -> new ListenerSettings(address, port, transport, eventLoopThreads, receiveBuffer, sockets,
                maxRequestsPerSecond));
    }
}

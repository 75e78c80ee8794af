package io.floorflash.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The operator HTTP side: the floor page, {@code /api/transfers}, health and readiness.
 *
 * @param enabled        whether the HTTP side runs at all
 * @param address        address to bind (loopback by default: the page shows every phone's address)
 * @param port           TCP port, 0-65535 (0 picks a free one, for tests)
 * @param maxRequestBytes largest request body accepted before the answer is 413 (the routes take no body)
 * @param idleTimeout    a connection with no traffic either way for this long is closed
 * @param floor          what the floor view keeps
 */
public record HttpSettings(boolean enabled, InetAddress address, int port, int maxRequestBytes, Duration idleTimeout,
                           FloorSettings floor) {
    public HttpSettings {
        Objects.requireNonNull(floor, "floor");
    }
}

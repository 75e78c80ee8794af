package io.floorflash.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP sides: the operator side (the floor page, {@code /api/transfers}, {@code /metrics}, health and readiness)
 * and, in {@link #firmware()}, the phone-facing firmware downloads, each on a port of its own.
 *
 * @param enabled         whether the operator side runs at all
 * @param address         address the operator side binds (loopback by default: the page shows every phone's address)
 * @param port            TCP port of the operator side, 0-65535 (0 picks a free one, for tests)
 * @param tokenFile       file holding the token every operator request must carry, or empty for none
 * @param allowedHosts    names besides the address connected to (and {@code localhost} on loopback) the operator side
 *                        answers to in the Host header
 * @param maxConnections  connections the operator side holds at once; more are closed as they come
 * @param headerTimeout   time a request has to arrive whole (line, headers and body), on both sides
 * @param maxRequestBytes largest request body accepted before the answer is 413 (the routes take no body)
 * @param idleTimeout     a connection with no traffic either way for this long is closed, on both sides
 * @param firmware        the phone-facing firmware side
 * @param floor           what the floor view keeps
 */
public record HttpSettings(boolean enabled, InetAddress address, int port, Optional<Path> tokenFile,
                           List<AllowedHost> allowedHosts, int maxConnections, Duration headerTimeout, int maxRequestBytes,
                           Duration idleTimeout, FirmwareHttpSettings firmware, FloorSettings floor) {
    public HttpSettings {
        Objects.requireNonNull(tokenFile, "tokenFile");
        allowedHosts = List.copyOf(allowedHosts);
        Objects.requireNonNull(firmware, "firmware");
        Objects.requireNonNull(floor, "floor");
    }
}

package io.floorflash.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The phone-facing HTTP side: {@code GET} and {@code HEAD /firmware/NAME} (and {@code /healthz}) and nothing else,
 * on a port of its own, off unless asked for.
 *
 * @param enabled        whether it runs
 * @param address        address it binds: the phones' network
 * @param port           TCP port, 0-65535 (0 picks a free one, for tests)
 * @param maxConnections connections it holds at once; more are closed as they come
 */
public record FirmwareHttpSettings(boolean enabled, InetAddress address, int port, int maxConnections) {
    static final int MAX_CONNECTIONS = 100_000;

    public FirmwareHttpSettings {
        Objects.requireNonNull(address, "address");
        Bounds.intIn("port", port, 0, 65535);
        Bounds.intIn("max-connections", maxConnections, 1, MAX_CONNECTIONS);
    }

    /** Reads {@code floorflash.http.firmware}. */
    static FirmwareHttpSettings read(ConfigReader in) {
        boolean enabled = in.bool("enabled");
        InetAddress address = in.address("address");
        int port = in.intIn("port", 0, 65535);
        int maxConnections = in.intIn("max-connections", 1, MAX_CONNECTIONS);
        return in.build(() -> new FirmwareHttpSettings(enabled, address, port, maxConnections));
    }
}

package io.floorflash.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;

    public HttpSettings {
        Objects.requireNonNull(address, "address");
        Bounds.intIn("port", port, 0, 65535);
        Objects.requireNonNull(tokenFile, "tokenFile");
        allowedHosts = List.copyOf(allowedHosts);
        Bounds.intIn("max-connections", maxConnections, 1, FirmwareHttpSettings.MAX_CONNECTIONS);
        Objects.requireNonNull(headerTimeout, "header-timeout");
        Bounds.intIn("max-request-bytes", maxRequestBytes, 0, MAX_REQUEST_BYTES);
        Objects.requireNonNull(idleTimeout, "idle-timeout");
        Objects.requireNonNull(firmware, "firmware");
        Objects.requireNonNull(floor, "floor");
    }

    /** Reads {@code floorflash.http}, with its {@code firmware} and {@code floor} sections. */
    static HttpSettings read(ConfigReader in) {
        boolean enabled = in.bool("enabled");
        InetAddress address = in.address("address");
        int port = in.intIn("port", 0, 65535);
        Optional<Path> tokenFile = in.optionalPath("token-file");
        List<AllowedHost> allowedHosts = allowedHosts(in);
        int maxConnections = in.intIn("max-connections", 1, FirmwareHttpSettings.MAX_CONNECTIONS);
        Duration headerTimeout = in.durationIn("header-timeout", Duration.ofMillis(100), Duration.ofHours(1));
        int maxRequestBytes = (int) in.bytesIn("max-request-bytes", 0, MAX_REQUEST_BYTES);
        Duration idleTimeout = in.durationIn("idle-timeout", Duration.ofSeconds(1), Duration.ofHours(1));
        FirmwareHttpSettings firmware = FirmwareHttpSettings.read(in.at("firmware"));
        FloorSettings floor = FloorSettings.read(in.at("floor"));
        return in.build(() -> new HttpSettings(enabled, address, port, tokenFile, allowedHosts, maxConnections,
                headerTimeout, maxRequestBytes, idleTimeout, firmware, floor));
    }

    /** Each entry of {@code allowed-hosts}, a problem under its index when it is not a host. */
    private static List<AllowedHost> allowedHosts(ConfigReader in) {
        List<String> raw = in.strings("allowed-hosts");
        List<AllowedHost> hosts = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String entry = raw.get(i);
            AllowedHost host = in.read("allowed-hosts[" + i + "]", k -> AllowedHost.parse(entry), null);
            if (host != null) {
                hosts.add(host);
            }
        }
        return hosts;
    }
}

package io.floorflash.config;

import java.util.Locale;
import java.util.Objects;

/**
 * A name the operator HTTP side answers to in the Host header besides its own address: the DNS name (or an address
 * of a proxy or NAT) operators reach it by.
 *
 * @param host a host name in lower case, an IPv4 address, or an IPv6 address in brackets ({@code [2001:db8::5]})
 * @param port the port the Host header must name, or 0 when it may name none or the port the side listens on
 */
public record AllowedHost(String host, int port) {
    public AllowedHost {
        Objects.requireNonNull(host, "host");
        host = host.toLowerCase(Locale.ROOT);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    @Override
    public String toString() {
        return port == 0 ? host : host + ":" + port;
    }
}

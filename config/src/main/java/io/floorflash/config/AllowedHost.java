package io.floorflash.config;

import java.net.Inet6Address;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A name the operator HTTP side answers to in the Host header besides its own address: the DNS name (or an address
 * of a proxy or NAT) operators reach it by.
 *
 * @param host a host name in lower case, an IPv4 address, or an IPv6 address in brackets ({@code [2001:db8::5]})
 * @param port the port the Host header must name, or 0 when it may name none or the port the side listens on
 */
public record AllowedHost(String host, int port) {
    /** A DNS name (labels of letters, digits and inner hyphens), a dotted quad or a bracketed IPv6 address; a port. */
    private static final Pattern HOST_AND_PORT = Pattern.compile(
            "((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?");

    public AllowedHost {
        Objects.requireNonNull(host, "host");
        host = host.toLowerCase(Locale.ROOT);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /**
     * A host name, an IPv4 address or a bracketed IPv6 address, optionally with {@code :port}, as written in
     * {@code floorflash.http.allowed-hosts}; no DNS lookups.
     *
     * @throws IllegalArgumentException "'entry' (expected: ...)" for anything else
     */
    public static AllowedHost parse(String entry) {
        String raw = entry.strip();
        Matcher m = HOST_AND_PORT.matcher(raw);
        boolean valid = m.matches();
        String host = valid ? m.group(1) : "";
        int port = valid && m.group(2) != null ? Integer.parseInt(m.group(2)) : 0;
        if (valid && host.startsWith("[")) {
            valid = IpLiterals.parse(host.substring(1, host.length() - 1)) instanceof Inet6Address;
        } else if (valid && IpLiterals.looksLikeIpv4(host)) {
            valid = IpLiterals.parse(host) != null;
        }
        if (!valid || port > 65535 || (m.group(2) != null && port == 0)) {
            throw new IllegalArgumentException("'" + raw + "' (expected: a host name, an IPv4 address or an IPv6 address"
                    + " in brackets, optionally with :port, such as floor.example.com or 10.0.0.5:8069)");
        }
        return new AllowedHost(host, port);
    }

    @Override
    public String toString() {
        return port == 0 ? host : host + ":" + port;
    }
}

package io.floorflash.server.http;

import io.floorflash.config.AllowedHost;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Whether a request's Host header names the operator side: the address the client connected to (as an IP literal),
 * {@code localhost} when that address is loopback, or one of the allowed hosts; with no port, or the port connected
 * to (an allowed host written with a port needs exactly that one).
 *
 * <p>This is what defeats DNS rebinding: a web page from {@code evil.example} whose name is re-pointed at
 * {@code 127.0.0.1} reaches this port from an operator's browser, but the browser still sends
 * {@code Host: evil.example}, which gets 421 before any route runs. No name is ever looked up in DNS here.
 */
final class HostCheck {
    /** What {@link #check} found. */
    enum Verdict {
        /** The Host header names this side. */
        OK,
        /** No Host header on an HTTP/1.1 request, or several: 400 (RFC 9112 section 3.2). */
        MISSING,
        /** A Host header naming something else: 421 Misdirected Request. */
        MISDIRECTED
    }

    private final List<AllowedHost> allowed;

    HostCheck(List<AllowedHost> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Checks {@code request}, which arrived on a connection to {@code local}. */
    Verdict check(HttpRequest request, SocketAddress local) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty()) {
            // HTTP/1.0 does not require a Host header, and no browser leaves it out: nothing to rebind.
            return HttpVersion.HTTP_1_0.equals(request.protocolVersion()) ? Verdict.OK : Verdict.MISSING;
        }
        if (hosts.size() > 1) {
            return Verdict.MISSING;
        }
        return names(hosts.get(0).strip(), local) ? Verdict.OK : Verdict.MISDIRECTED;
    }

    /** Whether {@code hostHeader} ({@code host}, {@code host:port}, {@code [v6]:port}) names {@code local} or an allowed host. */
    boolean names(String hostHeader, SocketAddress local) {
        String host;
        String portText;
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = hostHeader.substring(0, close + 1);
            String rest = hostHeader.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return false;
            }
            portText = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = hostHeader.indexOf(':');
            if (colon != hostHeader.lastIndexOf(':')) {
                return false;
            }
            host = colon < 0 ? hostHeader : hostHeader.substring(0, colon);
            portText = colon < 0 ? null : hostHeader.substring(colon + 1);
        }
        int port = 0;
        if (portText != null) {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
            port = Integer.parseInt(portText);
        }
        host = host.toLowerCase(Locale.ROOT);
        InetAddress literal = literal(host);
        if (local instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress connected = normalize(inet.getAddress());
            boolean self = connected.equals(literal) || (host.equals("localhost") && connected.isLoopbackAddress());
            if (self && (port == 0 || port == inet.getPort())) {
                return true;
            }
        }
        int localPort = local instanceof InetSocketAddress inet ? inet.getPort() : -1;
        for (AllowedHost candidate : allowed) {
            boolean sameHost = candidate.host().equals(host) || (literal != null && literal.equals(literal(candidate.host())));
            boolean samePort = candidate.port() == 0 ? port == 0 || port == localPort : port == candidate.port();
            if (sameHost && samePort) {
                return true;
            }
        }
        return false;
    }

    /** {@code host} as an address when it is an IP literal ({@code 10.0.0.5}, {@code [::1]}), else null. */
    private static InetAddress literal(String host) {
        InetAddress address;
        if (host.startsWith("[") && host.endsWith("]")) {
            String inner = host.substring(1, host.length() - 1);
            address = NetUtil.isValidIpV6Address(inner) ? NetUtil.createInetAddressFromIpAddressString(inner) : null;
        } else {
            address = NetUtil.isValidIpV4Address(host) ? NetUtil.createInetAddressFromIpAddressString(host) : null;
        }
        return address == null ? null : normalize(address);
    }

    /** Without a scope, and an IPv4-mapped IPv6 address as the IPv4 address it maps. */
    private static InetAddress normalize(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address was refused", e);
        }
    }
}

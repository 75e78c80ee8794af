package io.floorflash.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP addresses as written in the configuration, parsed without ever asking DNS. */
final class IpLiterals {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpLiterals() {
    }

    /** Whether {@code raw} looks like a dotted quad (its parts may still be above 255). */
    static boolean looksLikeIpv4(String raw) {
        return IPV4.matcher(raw).matches();
    }

    /** {@code raw} as an IPv4 or IPv6 literal (never a DNS lookup), or null. */
    static InetAddress parse(String raw) {
        boolean ipv4 = looksLikeIpv4(raw);
        boolean ipv6 = raw.indexOf(':') >= 0 && IPV6_CHARS.matcher(raw).matches();
        if (ipv4) {
            for (String part : raw.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(raw);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}

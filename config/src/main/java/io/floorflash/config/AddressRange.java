package io.floorflash.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A single address ({@code 10.0.5.17}) or a network ({@code 10.0.5.0/24}, {@code fd00::/64}), written as a literal:
 * never a DNS lookup.
 *
 * @param network      the address, with the host bits below {@code prefixLength} cleared
 * @param prefixLength network bits: 32 (IPv4) or 128 (IPv6) for a single address
 */
public record AddressRange(InetAddress network, int prefixLength) {
    private static final Pattern PREFIX = Pattern.compile("\\d{1,3}");

    public AddressRange {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length: " + prefixLength + " (expected: 0-" + bits + ")");
        }
    }

    /** {@code raw} as an address or a network, host bits cleared; empty when it is neither. */
    public static Optional<AddressRange> parse(String raw) {
        String text = raw.strip();
        int slash = text.indexOf('/');
        InetAddress address = IpLiterals.parse(slash < 0 ? text : text.substring(0, slash));
        if (address == null) {
            return Optional.empty();
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            if (!PREFIX.matcher(digits).matches() || Integer.parseInt(digits) > bits) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(digits);
        }
        byte[] network = address.getAddress();
        for (int bit = prefix; bit < bits; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return Optional.of(new AddressRange(InetAddress.getByAddress(network), prefix));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address was refused", e);
        }
    }

    /** A single address rather than a network. */
    public boolean isSingleAddress() {
        return prefixLength == network.getAddress().length * 8;
    }

    /** Whether {@code address} lies in this range (same family, same first {@code prefixLength} bits). */
    public boolean contains(InetAddress address) {
        return contains(network, prefixLength, address);
    }

    /** Whether {@code address} shares the first {@code prefixLength} bits of {@code network} (and its family). */
    static boolean contains(InetAddress network, int prefixLength, InetAddress address) {
        byte[] mine = network.getAddress();
        byte[] theirs = address.getAddress();
        if (mine.length != theirs.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (mine[i] != theirs[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (mine[full] & mask) == (theirs[full] & mask);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + (isSingleAddress() ? "" : "/" + prefixLength);
    }
}

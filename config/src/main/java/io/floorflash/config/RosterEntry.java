package io.floorflash.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One line of the roster: a single phone ({@code 10.0.5.17}) or a network ({@code 10.0.5.0/24}), with an optional
 * name shown on the floor page.
 *
 * @param network      the address, with the host bits below {@code prefixLength} cleared
 * @param prefixLength network bits: 32 (IPv4) or 128 (IPv6) for a single phone
 * @param name         label on the page, or empty
 */
public record RosterEntry(InetAddress network, int prefixLength, String name) {
    public RosterEntry {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(name, "name");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length: " + prefixLength + " (expected: 0-" + bits + ")");
        }
    }

    /** A single phone rather than a network. */
    public boolean isSingleAddress() {
        return prefixLength == network.getAddress().length * 8;
    }

    /** Whether {@code address} lies in this entry (same family, same first {@code prefixLength} bits). */
    public boolean contains(InetAddress address) {
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
        return network.getHostAddress() + (isSingleAddress() ? "" : "/" + prefixLength) + (name.isEmpty() ? "" : " " + name);
    }
}

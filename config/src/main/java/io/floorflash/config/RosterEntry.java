package io.floorflash.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Set;

/**
 * One line of the roster: a single phone ({@code 10.0.5.17}) or a network ({@code 10.0.5.0/24}), with an optional
 * name shown on the floor page.
 *
 * @param network      the address, with the host bits below {@code prefixLength} cleared
 * @param prefixLength network bits: 32 (IPv4) or 128 (IPv6) for a single phone
 * @param name         label on the page, or empty
 */
public record RosterEntry(InetAddress network, int prefixLength, String name) {
    private static final int MAX_NAME_LENGTH = 64;
    private static final String ADDRESS_EXPECTED =
            " (expected: an IP address such as 10.0.5.17 or a network such as 10.0.5.0/24)";

    public RosterEntry {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(name, "name");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length: " + prefixLength + " (expected: 0-" + bits + ")");
        }
        checkName(name);
    }

    private static void checkName(String name) {
        if (name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("name: '" + name.replaceAll("\\p{Cntrl}", "?") + "' (expected: at most "
                    + MAX_NAME_LENGTH + " characters, no control characters)");
        }
    }

    /**
     * Reads one entry of {@code floorflash.http.floor.roster}: {@code { address = "10.0.5.0/24", name = "Floor 5" }},
     * the address an IP literal (never a DNS lookup) with an optional prefix length. Null when it has a problem.
     */
    static RosterEntry read(ConfigReader in) {
        String name = in.has("name") ? in.string("name").strip() : "";
        in.check(() -> checkName(name), "name");
        RosterEntry entry = in.has("address") ? address(in, name) : null;
        if (!in.has("address")) {
            in.problem("address", "missing" + ADDRESS_EXPECTED);
        }
        // Read after the entry, so an entry with a stray key still counts (a duplicate of it is reported too).
        in.onlyKeys(Set.of("address", "name"));
        return entry;
    }

    private static RosterEntry address(ConfigReader in, String name) {
        String raw = in.string("address").strip();
        int slash = raw.indexOf('/');
        InetAddress address = IpLiterals.parse(slash < 0 ? raw : raw.substring(0, slash));
        if (address == null) {
            in.problem("address", "'" + raw + "'" + ADDRESS_EXPECTED);
            return null;
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = raw.substring(slash + 1);
            prefix = digits.matches("\\d{1,3}") ? Integer.parseInt(digits) : -1;
            if (prefix < 0 || prefix > bits) {
                in.problem("address", "'" + raw + "' (expected: a prefix length of 0-" + bits + " after the /)");
                return null;
            }
        }
        byte[] network = address.getAddress();
        for (int bit = prefix; bit < bits; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        InetAddress masked;
        try {
            masked = InetAddress.getByAddress(network);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address was refused", e);
        }
        int prefixLength = prefix;
        return in.build(() -> new RosterEntry(masked, prefixLength, name));
    }

    /** A single phone rather than a network. */
    public boolean isSingleAddress() {
        return prefixLength == network.getAddress().length * 8;
    }

    /** Whether {@code address} lies in this entry (same family, same first {@code prefixLength} bits). */
    public boolean contains(InetAddress address) {
        return AddressRange.contains(network, prefixLength, address);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + (isSingleAddress() ? "" : "/" + prefixLength) + (name.isEmpty() ? "" : " " + name);
    }
}

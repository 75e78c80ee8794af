package io.floorflash.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which clients a rule or a group is for: addresses, networks and names of roster entries (each name standing for
 * every roster entry of that name), as written and as ranges. Empty: every client.
 *
 * @param written the entries as the operator wrote them, for explanations
 * @param ranges  every address range they stand for
 */
public record Clients(List<String> written, List<AddressRange> ranges) {
    /** Every client. */
    public static final Clients ANY = new Clients(List.of(), List.of());

    public Clients {
        written = List.copyOf(Objects.requireNonNull(written, "written"));
        ranges = List.copyOf(Objects.requireNonNull(ranges, "ranges"));
        if (!written.isEmpty() && ranges.isEmpty()) {
            throw new IllegalArgumentException("clients: " + written + " (expected: addresses, networks or roster names"
                    + " standing for at least one address)");
        }
    }

    /** Whether {@code client} is one of them; an unknown client (null) is only one of every client. */
    public boolean matches(InetAddress client) {
        if (written.isEmpty()) {
            return true;
        }
        if (client == null) {
            return false;
        }
        for (AddressRange range : ranges) {
            if (range.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the list at {@code key}: each entry an address, a network or the name of roster entries ({@code roster}
     * null: the roster could not be read, so names are neither resolved nor reported; its own problems stand).
     */
    static Clients read(ConfigReader in, String key, List<RosterEntry> roster) {
        if (!in.has(key)) {
            return ANY;
        }
        List<String> written = in.strings(key);
        List<AddressRange> ranges = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            String entry = written.get(i).strip();
            var range = AddressRange.parse(entry);
            if (range.isPresent()) {
                ranges.add(range.get());
                continue;
            }
            if (roster == null) {
                continue;
            }
            boolean named = false;
            for (RosterEntry rosterEntry : roster) {
                if (rosterEntry.name().equals(entry)) {
                    ranges.add(new AddressRange(rosterEntry.network(), rosterEntry.prefixLength()));
                    named = true;
                }
            }
            if (!named) {
                String nearest = KeyNames.nearest(entry, roster.stream().map(RosterEntry::name)
                        .filter(n -> !n.isEmpty()).distinct().toList()).map(n -> "; did you mean '" + n + "'?").orElse("");
                in.problem(key + "[" + i + "]", "'" + entry + "' (expected: an address such as 10.0.5.17, a network such"
                        + " as 10.0.5.0/24, or the name of a floorflash.http.floor.roster entry" + nearest + ")");
            }
        }
        if (written.isEmpty()) {
            in.problem(key, "[] (expected: at least one address, network or roster name; leave the key out for every"
                    + " client)");
        }
        // With a problem above the caller's record is not built: ANY only keeps this one constructible.
        return ranges.isEmpty() ? ANY : new Clients(written, ranges);
    }

    @Override
    public String toString() {
        return written.isEmpty() ? "every client" : String.join(", ", written);
    }
}

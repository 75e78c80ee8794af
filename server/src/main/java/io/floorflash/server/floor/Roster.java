package io.floorflash.server.floor;

import io.floorflash.config.RosterEntry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The phones expected on the floor: single addresses (tiles from the start) and networks (labels only). */
final class Roster {
    private final Map<InetAddress, String> singles = new LinkedHashMap<>();
    /** Most specific first, so the narrowest network names a phone. */
    private final List<RosterEntry> networks = new ArrayList<>();

    Roster(List<RosterEntry> entries) {
        for (RosterEntry entry : entries) {
            if (entry.isSingleAddress()) {
                singles.putIfAbsent(entry.network(), entry.name());
            } else {
                networks.add(entry);
            }
        }
        networks.sort(Comparator.comparingInt(RosterEntry::prefixLength).reversed());
    }

    /** The single addresses, in configuration order. */
    Iterable<InetAddress> singleAddresses() {
        return singles.keySet();
    }

    boolean isListed(InetAddress address) {
        return singles.containsKey(address);
    }

    /** Name and expectedness of {@code address}; a single address's name wins over its network's. */
    Label label(InetAddress address) {
        boolean expected = singles.isEmpty() && networks.isEmpty();
        String name = singles.get(address);
        if (name != null) {
            expected = true;
        }
        for (RosterEntry network : networks) {
            if (network.contains(address)) {
                expected = true;
                if (name == null || name.isEmpty()) {
                    name = network.name();
                }
                if (!name.isEmpty()) {
                    break;
                }
            }
        }
        return new Label(name == null ? "" : name, expected);
    }

    /** What the roster says about one address. */
    record Label(String name, boolean expected) {
    }
}

package io.floorflash.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The floor view behind the page and {@code /api/transfers}.
 *
 * @param maxPhones         phones (client addresses) remembered; the oldest finished ones are forgotten first,
 *                          while running transfers and roster addresses are always kept
 * @param throughputHistory how far back the throughput chart goes (one sample a second)
 * @param roster            the phones expected on the floor, in configuration order
 */
public record FloorSettings(int maxPhones, Duration throughputHistory, List<RosterEntry> roster) {
    private static final int MAX_PHONES = 1_000_000;

    public FloorSettings {
        Bounds.intIn("max-phones", maxPhones, 1, MAX_PHONES);
        Objects.requireNonNull(throughputHistory, "throughput-history");
        if (throughputHistory.isNegative() || throughputHistory.isZero()) {
            throw new IllegalArgumentException("throughput-history: " + throughputHistory + " (expected: more than zero)");
        }
        roster = List.copyOf(roster);
        checkRosterSize(roster.size(), maxPhones);
    }

    private static void checkRosterSize(int entries, int maxPhones) {
        if (entries > maxPhones) {
            throw new IllegalArgumentException("roster: " + entries + " entries (expected: at most max-phones, " + maxPhones
                    + ")");
        }
    }

    /** Reads {@code floorflash.http.floor}, with its roster. */
    static FloorSettings read(ConfigReader in) {
        int maxPhones = in.intIn("max-phones", 1, MAX_PHONES);
        Duration throughputHistory = in.durationIn("throughput-history", Duration.ofSeconds(10), Duration.ofHours(24));
        List<ConfigReader> items = in.items("roster");
        List<RosterEntry> roster = new ArrayList<>();
        in.check(() -> checkRosterSize(items.size(), maxPhones), "roster", "max-phones");
        if (items.size() <= maxPhones) {
            Map<InetAddress, String> singles = new HashMap<>();
            for (ConfigReader item : items) {
                RosterEntry entry = RosterEntry.read(item);
                if (entry == null) {
                    continue;
                }
                String before = entry.isSingleAddress() ? singles.putIfAbsent(entry.network(), item.name()) : null;
                if (before != null) {
                    item.problem("address", entry.network().getHostAddress() + " is listed twice (also " + before + ")");
                } else {
                    roster.add(entry);
                }
            }
        }
        return in.build(() -> new FloorSettings(maxPhones, throughputHistory, roster));
    }
}

package io.floorflash.config;

import java.time.Duration;
import java.util.List;

/**
 * The floor view behind the page and {@code /api/transfers}.
 *
 * @param maxPhones         phones (client addresses) remembered; the oldest finished ones are forgotten first,
 *                          while running transfers and roster addresses are always kept
 * @param throughputHistory how far back the throughput chart goes (one sample a second)
 * @param roster            the phones expected on the floor, in configuration order
 */
public record FloorSettings(int maxPhones, Duration throughputHistory, List<RosterEntry> roster) {
    public FloorSettings {
        roster = List.copyOf(roster);
    }
}

package io.floorflash.server.floor;

import java.util.List;

/**
 * The floor at one moment: every remembered phone (sorted by address), the counters, and the throughput series.
 *
 * @param phones          one entry per client address, sorted by address
 * @param throughput      aggregate bytes per second, one sample a second, oldest first
 */
public record FloorSnapshot(List<PhoneView> phones, Counters counters, List<Long> throughput) {
    public FloorSnapshot {
        phones = List.copyOf(phones);
        throughput = List.copyOf(throughput);
    }

    /**
     * How many phones are in each state.
     *
     * @param transfers  transfers running now (a phone may run more than one: only its newest counts for its state)
     * @param unexpected phones not on the roster (0 without a roster)
     */
    public record Counters(int phones, int waiting, int loading, int done, int failed, int unexpected, int transfers) {
    }
}

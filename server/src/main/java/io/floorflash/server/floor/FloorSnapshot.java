package io.floorflash.server.floor;

import java.util.List;

/**
 * The floor at one moment: every remembered phone (sorted by address), the counters, and the throughput series.
 *
 * @param phones          one entry per client address, sorted by address
 * @param throughput      aggregate bytes per second, one sample a second, oldest first
 * @param groups          each rollout group (floorflash.groups) with its release and counts, in configuration order
 */
public record FloorSnapshot(List<PhoneView> phones, Counters counters, List<Long> throughput, List<GroupView> groups) {
    public FloorSnapshot {
        phones = List.copyOf(phones);
        throughput = List.copyOf(throughput);
        groups = List.copyOf(groups);
    }

    /** A snapshot without rollout groups. */
    public FloorSnapshot(List<PhoneView> phones, Counters counters, List<Long> throughput) {
        this(phones, counters, throughput, List.of());
    }

    /**
     * One rollout group on the floor: the phones the floor view knows in it (seen, or waiting on the roster) and
     * how far they are with its release.
     *
     * @param release      the folder its phones are served from ("" for the root)
     * @param done         phones whose newest transfer completed from this release
     * @param otherRelease phones whose newest transfer completed from elsewhere (an earlier release, before a promotion)
     * @param loading      phones loading now
     * @param failed       phones whose newest transfer or request failed
     * @param neverCame    roster phones in the group that have not asked yet
     */
    public record GroupView(String name, String release, int phones, int done, int otherRelease, int loading,
                            int failed, int neverCame) {
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

package io.floorflash.server.floor;

import io.floorflash.config.FloorSettings;
import io.floorflash.config.GroupSettings;
import io.floorflash.config.RosterEntry;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.SafeText;
import io.floorflash.server.transfer.TransferDirection;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferProgress;
import io.floorflash.server.transfer.TransferSummary;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The floor as the operator sees it: one entry per phone (client address), decided by that address's newest transfer
 * or refusal, plus the aggregate throughput once a second.
 *
 * <p>Events arrive on the transfers' event loops and only replace one immutable entry in a {@link ConcurrentHashMap}
 * (a short per-bin lock, no I/O). Running transfers are read live through their {@link TransferProgress} when a
 * snapshot is taken, on any thread. Memory is bounded: above {@code max-phones}, the phones that finished longest ago
 * are forgotten; running ones and roster addresses stay.
 *
 * <p>{@link #sample()} must be called about once a second from one thread at a time (the HTTP side schedules it).
 */
public final class FloorView implements TransferListener {
    private static final Comparator<InetAddress> BY_ADDRESS = (a, b) -> {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        return x.length != y.length ? Integer.compare(x.length, y.length) : Arrays.compareUnsigned(x, y);
    };

    private final int maxPhones;
    /** Replaced whole by a reload. */
    private volatile Roster roster;
    /** The rollout groups, replaced whole by a reload. */
    private volatile List<GroupSettings> groups;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<InetAddress, Phone> phones = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TransferId, TransferProgress> active = new ConcurrentHashMap<>();
    /** Phones that finished, oldest first; may hold entries already replaced (skipped when polled, purged in bulk). */
    private final ConcurrentLinkedQueue<Phone> finishedOrder = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedOrderSize = new AtomicInteger();
    private final AtomicBoolean purging = new AtomicBoolean();
    /** Transfers ended since the last sample, for the throughput. */
    private final ConcurrentLinkedQueue<Ended> ended = new ConcurrentLinkedQueue<>();

    // Owned by the sampling thread.
    private final Map<TransferProgress, Long> counted = new IdentityHashMap<>();
    private long lastSampleAt;
    // Guarded by itself: written by the sampler, read by snapshots.
    private final long[] ring;
    private int ringNext;
    private int ringCount;

    public FloorView(FloorSettings settings) {
        this(settings, List.of());
    }

    /** @param groups the rollout groups, counted in each snapshot */
    public FloorView(FloorSettings settings, List<GroupSettings> groups) {
        this(settings, groups, System::nanoTime);
    }

    /** @param nanoClock the {@link System#nanoTime()} of tests */
    FloorView(FloorSettings settings, LongSupplier nanoClock) {
        this(settings, List.of(), nanoClock);
    }

    FloorView(FloorSettings settings, List<GroupSettings> groups, LongSupplier nanoClock) {
        this.maxPhones = settings.maxPhones();
        this.roster = new Roster(settings.roster());
        this.groups = List.copyOf(groups);
        this.nanoClock = nanoClock;
        this.ring = new long[(int) Math.max(1, settings.throughputHistory().toSeconds())];
        this.lastSampleAt = nanoClock.getAsLong();
        for (InetAddress address : roster.singleAddresses()) {
            phones.put(address, Phone.waiting(address, roster));
        }
    }

    /**
     * Puts a reloaded roster and groups in force: every phone is labelled anew (when next shown), roster phones that
     * never came and are no longer listed are forgotten, and newly listed ones wait.
     */
    public void reconfigure(List<RosterEntry> entries, List<GroupSettings> newGroups) {
        Roster next = new Roster(entries);
        roster = next;
        groups = List.copyOf(newGroups);
        phones.values().removeIf(phone -> phone.id == null && !next.isListed(phone.address));
        for (InetAddress address : next.singleAddresses()) {
            phones.putIfAbsent(address, Phone.waiting(address, next));
        }
    }

    @Override
    public void transferStarted(TransferProgress progress) {
        active.put(progress.id(), progress);
        InetAddress address = progress.id().client().getAddress();
        phones.compute(address, (a, old) -> Phone.loading(a, labelOf(a, old), progress));
    }

    @Override
    public void transferFinished(TransferSummary summary) {
        TransferProgress progress = active.get(summary.id());
        // Queued before leaving the active map, so a sample counts its bytes once: either still active or ended.
        ended.add(new Ended(progress, summary.bytes()));
        if (progress != null) {
            active.remove(summary.id(), progress);
        }
        Phone[] made = new Phone[1];
        phones.computeIfPresent(summary.id().client().getAddress(), (a, old) -> {
            if (old.live == null || !old.id.equals(summary.id())) {
                return old; // a newer request of this phone decides its state
            }
            made[0] = Phone.finished(old, summary);
            return made[0];
        });
        if (made[0] != null) {
            remember(made[0]);
        }
    }

    @Override
    public void requestRefused(TransferId id, ErrorPacket error) {
        Phone[] made = new Phone[1];
        phones.compute(id.client().getAddress(), (a, old) -> made[0] = Phone.refused(a, labelOf(a, old), id, error));
        remember(made[0]);
    }

    /** The roster that labels {@code address} now (its label is computed once per roster). */
    private Labelled labelOf(InetAddress address, Phone old) {
        Roster current = roster;
        return old != null && old.labelled.roster == current ? old.labelled : new Labelled(current, current.label(address));
    }

    /** A label and the roster it came from: a reloaded roster labels the phone anew. */
    private record Labelled(Roster roster, Roster.Label label) {
    }

    /** Keeps the number of phones near the bound by forgetting the ones that finished longest ago. */
    private void remember(Phone finished) {
        finishedOrder.add(finished);
        int queued = finishedOrderSize.incrementAndGet();
        while (phones.size() > maxPhones) {
            Phone oldest = finishedOrder.poll();
            if (oldest == null) {
                break;
            }
            finishedOrderSize.decrementAndGet();
            if (!roster.isListed(oldest.address)) {
                phones.remove(oldest.address, oldest); // only if no newer request replaced it
            }
        }
        // Phones that keep retrying leave replaced entries behind: drop them now and then (amortized O(1)).
        if (queued > 2 * maxPhones + 64 && purging.compareAndSet(false, true)) {
            try {
                finishedOrder.removeIf(p -> phones.get(p.address) != p);
                finishedOrderSize.set(finishedOrder.size());
            } finally {
                purging.set(false);
            }
        }
    }

    /**
     * Adds one throughput sample: the bytes acknowledged since the last sample, across running and ended transfers,
     * per second. Call about once a second, from one thread at a time.
     */
    public void sample() {
        long now = nanoClock.getAsLong();
        long delta = 0;
        List<Ended> endedNow = new ArrayList<>();
        for (Ended e; (e = ended.poll()) != null; ) {
            endedNow.add(e);
        }
        for (TransferProgress progress : active.values()) {
            long bytes = progress.bytesAcknowledged();
            Long before = counted.put(progress, bytes);
            delta += bytes - (before == null ? 0 : before);
        }
        for (Ended e : endedNow) {
            Long before = e.progress == null ? null : counted.remove(e.progress);
            delta += e.bytes - (before == null ? 0 : before);
        }
        long elapsed = Math.max(1, now - lastSampleAt);
        lastSampleAt = now;
        long perSecond = Math.max(0, Math.round(delta * 1e9 / elapsed));
        synchronized (ring) {
            ring[ringNext] = perSecond;
            ringNext = (ringNext + 1) % ring.length;
            ringCount = Math.min(ringCount + 1, ring.length);
        }
    }

    /** Every remembered phone, the counters and the throughput series. Any thread; weakly consistent. */
    public FloorSnapshot snapshot() {
        long now = nanoClock.getAsLong();
        List<PhoneView> views = new ArrayList<>(phones.size() + 16);
        int waiting = 0;
        int loading = 0;
        int done = 0;
        int failed = 0;
        int unexpected = 0;
        Roster current = roster;
        for (Phone phone : phones.values()) {
            PhoneView view = phone.view(now, current);
            views.add(view);
            switch (view.state()) {
                case WAITING:
                    waiting++;
                    break;
                case LOADING:
                    loading++;
                    break;
                case DONE:
                    done++;
                    break;
                default:
                    failed++;
            }
            if (!view.expected()) {
                unexpected++;
            }
        }
        views.sort(Comparator.comparing(PhoneView::address, BY_ADDRESS));
        return new FloorSnapshot(views, new FloorSnapshot.Counters(views.size(), waiting, loading, done, failed,
                unexpected, active.size()), throughput(), groupViews(views));
    }

    /** Each group's counts: a phone counts in the first group that lists it, as requests are decided. */
    private List<FloorSnapshot.GroupView> groupViews(List<PhoneView> views) {
        List<GroupSettings> current = groups;
        if (current.isEmpty()) {
            return List.of();
        }
        int[][] counts = new int[current.size()][6];
        for (PhoneView view : views) {
            for (int g = 0; g < current.size(); g++) {
                GroupSettings group = current.get(g);
                if (!group.clients().matches(view.address())) {
                    continue;
                }
                int[] c = counts[g];
                c[0]++;
                switch (view.state()) {
                    case DONE:
                        boolean fromRelease = group.release().isEmpty()
                                || view.served().startsWith(group.release() + "/");
                        c[fromRelease ? 1 : 2]++;
                        break;
                    case LOADING:
                        c[3]++;
                        break;
                    case FAILED:
                        c[4]++;
                        break;
                    default:
                        c[5]++;
                }
                break;
            }
        }
        List<FloorSnapshot.GroupView> out = new ArrayList<>(current.size());
        for (int g = 0; g < current.size(); g++) {
            int[] c = counts[g];
            out.add(new FloorSnapshot.GroupView(current.get(g).name(), current.get(g).release(), c[0], c[1], c[2], c[3],
                    c[4], c[5]));
        }
        return out;
    }

    private List<Long> throughput() {
        synchronized (ring) {
            List<Long> series = new ArrayList<>(ringCount);
            int first = (ringNext - ringCount + ring.length) % ring.length;
            for (int i = 0; i < ringCount; i++) {
                series.add(ring[(first + i) % ring.length]);
            }
            return series;
        }
    }

    private record Ended(TransferProgress progress, long bytes) {
    }

    /** The newest request of one address. Immutable; identity matters (eviction removes only the same entry). */
    private static final class Phone {
        final InetAddress address;
        final Labelled labelled;
        final TransferId id;
        final TransferProgress live;
        final TransferSummary summary;
        final ErrorPacket refusal;

        private Phone(InetAddress address, Labelled labelled, TransferId id, TransferProgress live,
                      TransferSummary summary, ErrorPacket refusal) {
            this.address = address;
            this.labelled = labelled;
            this.id = id;
            this.live = live;
            this.summary = summary;
            this.refusal = refusal;
        }

        static Phone waiting(InetAddress address, Roster roster) {
            return new Phone(address, new Labelled(roster, roster.label(address)), null, null, null, null);
        }

        static Phone loading(InetAddress address, Labelled label, TransferProgress progress) {
            return new Phone(address, label, progress.id(), progress, null, null);
        }

        static Phone finished(Phone loading, TransferSummary summary) {
            return new Phone(loading.address, loading.labelled, summary.id(), null, summary, null);
        }

        static Phone refused(InetAddress address, Labelled label, TransferId id, ErrorPacket error) {
            return new Phone(address, label, id, null, null, error);
        }

        PhoneView view(long now, Roster current) {
            Roster.Label label = labelled.roster == current ? labelled.label : current.label(address);
            if (live != null) {
                long bytes = live.bytesAcknowledged();
                long elapsed = Math.max(0, now - live.startedAtNanos());
                return view(label, PhoneState.LOADING, id.file(), live.served(), bytes, live.size(), rate(bytes, elapsed),
                        live.retransmits(), elapsed, "", live.direction() == TransferDirection.WRITE);
            }
            if (summary != null) {
                boolean completed = summary.outcome() == TransferOutcome.COMPLETED;
                return view(label, completed ? PhoneState.DONE : PhoneState.FAILED, id.file(), summary.served(),
                        summary.bytes(), summary.size(),
                        rate(summary.bytes(), summary.durationNanos()), summary.retransmits(), summary.durationNanos(),
                        completed ? "" : reason(summary), summary.direction() == TransferDirection.WRITE);
            }
            if (refusal != null) {
                String message = refusal.message().isEmpty() ? "error " + refusal.code() : refusal.message();
                return view(label, PhoneState.FAILED, id.file(), "", 0, 0, 0, 0, 0, message, false);
            }
            return view(label, PhoneState.WAITING, "", "", 0, 0, 0, 0, 0, "", false);
        }

        private PhoneView view(Roster.Label label, PhoneState state, String file, String served, long bytes, long size,
                               long rate, long retransmits, long elapsedNanos, String reason, boolean upload) {
            // Names and error texts come from clients: the page shows their control characters as escapes.
            return new PhoneView(address, label.name(), label.expected(), state, SafeText.escape(file),
                    SafeText.escape(served), bytes, size, rate, retransmits, TimeUnit.NANOSECONDS.toMillis(elapsedNanos),
                    SafeText.escape(reason), upload);
        }

        private static long rate(long bytes, long nanos) {
            return nanos <= 0 ? 0 : Math.round(bytes * 1e9 / nanos);
        }

        /** "timed out", "deadline: Transfer deadline of 1800 s exceeded", "client error 0: cancelled", ... */
        private static String reason(TransferSummary summary) {
            String what = summary.outcome().label().replace('-', ' ');
            String detail = summary.detail();
            if (detail.isEmpty()) {
                return what;
            }
            return detail.startsWith(what) ? detail : what + ": " + detail;
        }
    }
}

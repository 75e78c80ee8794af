package io.floorflash.protocol.timer;

/**
 * A hashed timer wheel for thousands of timers owned by one thread (an event loop): scheduling, moving and
 * cancelling a timer are O(1) and allocate nothing, and one periodic call to {@link #advance} fires every timer
 * that is due. Not thread-safe: every method must be called from the owning thread.
 *
 * <p>Time is split into ticks of {@code tickNanos}; a timer fires at the first {@link #advance} whose time is at or
 * past its due time, rounded up to a whole tick, so it fires at most one tick (plus the caller's lateness) after
 * it is due and never before. A timer due more than a full turn of the wheel ahead waits in its slot and is
 * skipped until its turn comes. A timer scheduled from an expiry for a time already past fires at the next tick,
 * never within the same {@link #advance}, so an expiry that keeps re-arming itself cannot spin.
 *
 * <p>Each {@link Timer} is an intrusive list node: a transfer keeps one for its whole life and moves it with
 * {@link #schedule} instead of allocating a task per retransmission.
 */
public final class TimerWheel {
    /** What a timer does when it fires; called on the owning thread with the time {@link #advance} was given. */
    @FunctionalInterface
    public interface Expiry {
        void expired(long nowNanos);
    }

    /** One timer: scheduled at most once at a time, reusable after it fired or was cancelled. */
    public static final class Timer {
        private final Expiry expiry;
        private Timer prev;
        private Timer next;
        private int slot = -1;
        /** The tick the timer fires at: its due time rounded up, never before the next unwalked tick. */
        private long tick;
        private long dueNanos;

        private Timer(Expiry expiry) {
            this.expiry = expiry;
        }

        /** Whether the timer waits to fire. */
        public boolean isScheduled() {
            return slot >= 0;
        }

        /** When the timer is due, while it is scheduled. */
        public long dueNanos() {
            return dueNanos;
        }
    }

    private final long tickNanos;
    private final Timer[] slots;
    private final int mask;
    /** The last tick whose slot has been walked. */
    private long processedTick;
    /** The earliest tick a timer is placed at: after the last walked one, and during an advance after its end. */
    private long floorTick;
    private int size;

    /**
     * @param tickNanos  the resolution: how late a timer may fire at most (plus the caller's lateness)
     * @param slotCount  slots in one turn of the wheel, rounded up to a power of two
     * @param nowNanos   the current time; nothing is due before it
     */
    public TimerWheel(long tickNanos, int slotCount, long nowNanos) {
        if (tickNanos <= 0 || slotCount < 1 || slotCount > 1 << 20) {
            throw new IllegalArgumentException("timer wheel: tick=" + tickNanos + "ns slots=" + slotCount
                    + " (expected: tick > 0, 1-1048576 slots)");
        }
        this.tickNanos = tickNanos;
        int count = slotCount == 1 ? 1 : Integer.highestOneBit(slotCount - 1) << 1;
        this.slots = new Timer[count];
        this.mask = count - 1;
        this.processedTick = Math.floorDiv(nowNanos, tickNanos);
        this.floorTick = processedTick + 1;
    }

    /** A new, unscheduled timer that calls {@code expiry} when it fires. */
    public Timer newTimer(Expiry expiry) {
        return new Timer(expiry);
    }

    public long tickNanos() {
        return tickNanos;
    }

    /** Timers waiting to fire. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Makes {@code timer} fire once at {@code dueNanos} (or the next tick, when that is past); moves it if it waits already. */
    public void schedule(Timer timer, long dueNanos) {
        if (timer.isScheduled()) {
            unlink(timer);
        }
        long tick = Math.max(ceilDiv(dueNanos, tickNanos), floorTick);
        timer.dueNanos = dueNanos;
        timer.tick = tick;
        int slot = (int) (tick & mask);
        timer.slot = slot;
        Timer head = slots[slot];
        timer.prev = null;
        timer.next = head;
        if (head != null) {
            head.prev = timer;
        }
        slots[slot] = timer;
        size++;
    }

    /** Stops {@code timer} from firing; nothing when it does not wait. */
    public void cancel(Timer timer) {
        if (timer.isScheduled()) {
            unlink(timer);
        }
    }

    /**
     * Fires every timer due at or before {@code nowNanos}, each once, in no particular order within a tick. An expiry
     * may schedule or cancel any timer, itself included.
     *
     * @return how many timers fired
     */
    public int advance(long nowNanos) {
        long nowTick = Math.floorDiv(nowNanos, tickNanos);
        // Past a whole turn, each slot is walked once: a walk fires every due timer in it whatever its round.
        long from = Math.max(processedTick + 1, nowTick - mask);
        // Whatever an expiry schedules goes after this advance, even when it walks several ticks.
        floorTick = Math.max(floorTick, nowTick + 1);
        int fired = 0;
        for (long tick = from; tick <= nowTick && size > 0; tick++) {
            processedTick = tick;
            fired += fire((int) (tick & mask), tick, nowNanos);
        }
        processedTick = Math.max(processedTick, nowTick);
        return fired;
    }

    private int fire(int slot, long tick, long nowNanos) {
        int fired = 0;
        Timer timer = slots[slot];
        while (timer != null) {
            Timer next = timer.next;
            if (timer.tick <= tick) {
                unlink(timer);
                fired++;
                timer.expiry.expired(nowNanos);
                // The expiry may have cancelled or moved the next timer: walk the slot again from its head. Timers
                // it placed are due at a later tick, so the walk ends.
                if (next != null && next.slot != slot) {
                    next = slots[slot];
                }
            }
            timer = next;
        }
        return fired;
    }

    private void unlink(Timer timer) {
        if (timer.prev != null) {
            timer.prev.next = timer.next;
        } else {
            slots[timer.slot] = timer.next;
        }
        if (timer.next != null) {
            timer.next.prev = timer.prev;
        }
        timer.prev = null;
        timer.next = null;
        timer.slot = -1;
        size--;
    }

    private static long ceilDiv(long x, long y) {
        return -Math.floorDiv(-x, y);
    }
}

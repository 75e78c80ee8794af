package io.floorflash.loadtest;

import io.floorflash.protocol.timer.TimerWheel;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One {@link TimerWheel} per event loop for the phones' retry and dally timers, each advanced by one task that
 * reschedules itself every tick on its loop: a thousand phones cost one scheduled task per loop instead of one each.
 * Times are the loop's {@link EventExecutor#ticker()} nanoseconds; the wheel counts from the moment it was made, so
 * a timer due a whole number of ticks after then fires exactly on time (tests with frozen time rely on it).
 */
final class LoopTimers {
    private static final int SLOTS = 1024;

    private final long tickNanos;
    private final Map<EventExecutor, LoopWheel> wheels = new ConcurrentHashMap<>();

    LoopTimers(long tickNanos) {
        this.tickNanos = tickNanos;
    }

    /** The wheel of {@code loop}, made and started on first use. Call on {@code loop}. */
    LoopWheel of(EventExecutor loop) {
        return wheels.computeIfAbsent(loop, l -> new LoopWheel(l, tickNanos));
    }

    /** One loop's wheel; every method on that loop only. */
    static final class LoopWheel {
        private final EventExecutor loop;
        private final long tickNanos;
        private final long origin;
        private final TimerWheel wheel;
        private final Runnable tick = this::tick;

        private LoopWheel(EventExecutor loop, long tickNanos) {
            this.loop = loop;
            this.tickNanos = tickNanos;
            this.origin = loop.ticker().nanoTime();
            this.wheel = new TimerWheel(tickNanos, SLOTS, 0);
            loop.schedule(tick, tickNanos, TimeUnit.NANOSECONDS);
        }

        /** The loop's clock, in nanoseconds. */
        long now() {
            return loop.ticker().nanoTime();
        }

        TimerWheel.Timer newTimer(Runnable expiry) {
            return wheel.newTimer(ignored -> expiry.run());
        }

        /** Makes {@code timer} fire at {@code dueNanos} on the loop's clock (moved if it waits already). */
        void schedule(TimerWheel.Timer timer, long dueNanos) {
            wheel.schedule(timer, dueNanos - origin);
        }

        void cancel(TimerWheel.Timer timer) {
            wheel.cancel(timer);
        }

        private void tick() {
            wheel.advance(now() - origin);
            loop.schedule(tick, tickNanos, TimeUnit.NANOSECONDS);
        }
    }
}

package io.floorflash.server.http;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most so many connections open on one HTTP side; a connection beyond them is closed as soon as it is accepted,
 * before anything is read from it, and counted. One WARN when the cap is first hit, then at most one a minute.
 */
final class ConnectionCap {
    private static final Logger log = LoggerFactory.getLogger(ConnectionCap.class);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final HttpSide side;
    private final int max;
    private final GuardCounters counters;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
    private final AtomicLong refusedSinceWarning = new AtomicLong();

    ConnectionCap(HttpSide side, int max, GuardCounters counters) {
        this.side = side;
        this.max = max;
        this.counters = counters;
    }

    /** Counts {@code channel} in until it closes, or closes it at once when the cap is reached: false then. */
    boolean admit(Channel channel) {
        if (counters.open.incrementAndGet() > max) {
            counters.open.decrementAndGet();
            counters.refused.increment();
            refusedSinceWarning.incrementAndGet();
            warn();
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(closed -> counters.open.decrementAndGet());
        return true;
    }

    private void warn() {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("{} holds {} connections, its max-connections: closing new ones ({} closed since the last warning)",
                    side, max, refusedSinceWarning.getAndSet(0));
        }
    }
}

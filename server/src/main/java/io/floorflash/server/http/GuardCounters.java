package io.floorflash.server.http;

import io.floorflash.server.metrics.FloorflashMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What one HTTP side's guards did, for {@code /metrics}: one instance per side, shared by its connections. */
public final class GuardCounters implements FloorflashMetrics.HttpGuardStats {
    final AtomicInteger open = new AtomicInteger();
    final LongAdder refused = new LongAdder();
    final LongAdder headerTimeouts = new LongAdder();
    final LongAdder deniedByHost = new LongAdder();
    final LongAdder deniedByToken = new LongAdder();

    @Override
    public int connectionsOpen() {
        return open.get();
    }

    @Override
    public long connectionsRefused() {
        return refused.sum();
    }

    @Override
    public long headerTimeouts() {
        return headerTimeouts.sum();
    }

    @Override
    public long deniedByHost() {
        return deniedByHost.sum();
    }

    @Override
    public long deniedByToken() {
        return deniedByToken.sum();
    }
}

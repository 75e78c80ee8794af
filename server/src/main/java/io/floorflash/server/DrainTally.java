package io.floorflash.server;

import io.floorflash.protocol.ErrorPacket;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.util.concurrent.atomic.LongAdder;

/** Counts how transfers end and how many requests are refused once a drain has begun, for its closing log line. */
final class DrainTally implements TransferListener {
    private final LongAdder finished = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private volatile boolean draining;

    void begin() {
        draining = true;
    }

    @Override
    public void transferFinished(TransferSummary summary) {
        if (draining) {
            (summary.outcome() == TransferOutcome.CANCELLED ? cancelled : finished).increment();
        }
    }

    @Override
    public void requestRefused(TransferId id, ErrorPacket error) {
        if (draining) {
            refused.increment();
        }
    }

    /** Transfers that ended on their own (completed, timed out, ...) during the drain. */
    long finished() {
        return finished.sum();
    }

    /** Transfers the server ended. */
    long cancelled() {
        return cancelled.sum();
    }

    /** Requests refused during the drain. */
    long refused() {
        return refused.sum();
    }
}

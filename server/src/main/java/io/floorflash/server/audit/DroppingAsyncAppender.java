package io.floorflash.server.audit;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AsyncAppender} that never blocks the caller and counts what it drops: when its queue is full the line is
 * dropped, counted, and the first drop is reported in a WARN. (Logback's own {@code neverBlock} drops silently;
 * it stays on so a line that races past the check is still never waited for.)
 */
final class DroppingAsyncAppender extends AsyncAppender {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

    private final LongAdder dropped = new LongAdder();

    @Override
    protected void append(ILoggingEvent event) {
        if (getRemainingCapacity() == 0) {
            dropped.increment();
            if (dropped.sum() == 1) {
                log.warn("audit log: queue of {} lines full, the disk does not keep up: dropping audit lines", getQueueSize());
            }
            return;
        }
        super.append(event);
    }

    long dropped() {
        return dropped.sum();
    }
}

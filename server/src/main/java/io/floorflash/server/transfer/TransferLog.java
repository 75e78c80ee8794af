package io.floorflash.server.transfer;

import io.floorflash.protocol.SafeText;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the one INFO line each finished transfer gets. */
public final class TransferLog implements TransferListener {
    private static final Logger log = LoggerFactory.getLogger(TransferLog.class);

    /** "transfer" for a read, "upload" for a write. */
    private static String noun(TransferSummary s) {
        return s.direction() == TransferDirection.WRITE ? "upload" : "transfer";
    }

    @Override
    public void transferFinished(TransferSummary s) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(s.durationNanos());
        if (s.detail().isEmpty()) {
            log.info("{} {} outcome={} bytes={} ms={} blksize={} windowsize={} retransmits={}", noun(s), s.id(),
                    s.outcome().label(), s.bytes(), ms, s.blockSize(), s.windowSize(), s.retransmits());
        } else {
            log.info("{} {} outcome={} bytes={}/{} ms={} blksize={} windowsize={} retransmits={} reason=\"{}\"", noun(s), s.id(),
                    s.outcome().label(), s.bytes(), s.size(), ms, s.blockSize(), s.windowSize(), s.retransmits(), SafeText.escape(s.detail()));
        }
    }
}

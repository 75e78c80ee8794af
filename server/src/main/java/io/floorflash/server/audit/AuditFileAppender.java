package io.floorflash.server.audit;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logback's rolling file appender (daily and by size, as configured) writing through {@link AuditFile}: each line
 * reaches the file whole, or is counted in {@link #unwritten()} when the file system refuses it (a full disk). The
 * first refused line logs a WARN with the reason, the first line written again after refusals a WARN with how many
 * were lost; {@code /metrics} shows the count.
 */
final class AuditFileAppender extends RollingFileAppender<ILoggingEvent> implements AuditFile.Lines {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

    private final LongAdder unwritten = new LongAdder();
    /** Lines lost in the current run of refusals; written by the appender's one writing thread only. */
    private long losing;
    /** The file open now. */
    private volatile Path current;

    /** Opens {@code fileName} (at start and after each roll) through {@link AuditFile} instead of Logback's stream. */
    @Override
    public void openFile(String fileName) throws IOException {
        streamWriteLock.lock();
        try {
            Path file = Path.of(fileName).toAbsolutePath();
            Files.createDirectories(file.getParent());
            RandomAccessFile opened = new RandomAccessFile(file.toFile(), "rw");
            boolean success = false;
            try {
                setOutputStream(new AuditFile(opened, this));
                current = file;
                success = true;
            } finally {
                if (!success) {
                    opened.close();
                }
            }
        } finally {
            streamWriteLock.unlock();
        }
    }

    @Override
    public void written() {
        if (losing > 0) {
            log.warn("audit log: writing to {} again; {} lines were lost ({} since the start)", current, losing,
                    unwritten.sum());
            losing = 0;
        }
    }

    @Override
    public void lost(IOException cause) {
        unwritten.increment();
        if (losing++ == 0) {
            log.warn("audit log: cannot write to {} ({}): lines are lost until it can, and counted"
                    + " (floorflash_audit_lines_lost_total{reason=\"write-failed\"})", current, cause.getMessage());
        }
    }

    /** Lines the file system refused so far. */
    long unwritten() {
        return unwritten.sum();
    }
}

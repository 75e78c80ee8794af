package io.floorflash.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AuditFileAppenderTest {
    @TempDir
    Path dir;

    private final Logger trailLog = (Logger) LoggerFactory.getLogger(AuditTrail.class);
    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    @BeforeEach
    void capture() {
        warnings.start();
        trailLog.addAppender(warnings);
    }

    @AfterEach
    void release() {
        trailLog.detachAppender(warnings);
    }

    @Test
    void countsEveryRefusedLineAndWarnsWhenLosingStartsAndWhenItEnds() throws IOException {
        AuditFileAppender appender = new AuditFileAppender();
        Path file = dir.resolve("logs/audit.jsonl");
        appender.openFile(file.toString());
        IOException full = new IOException("No space left on device");

        appender.lost(full);
        appender.lost(full);
        appender.lost(full);
        appender.written();
        appender.written();
        appender.lost(full);

        assertThat(appender.unwritten()).isEqualTo(4);
        String losing = "audit log: cannot write to " + file + " (No space left on device): lines are lost until it can,"
                + " and counted (floorflash_audit_lines_lost_total{reason=\"write-failed\"})";
        assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(losing,
                "audit log: writing to " + file + " again; 3 lines were lost (3 since the start)", losing);
        appender.getOutputStream().close();
    }
}

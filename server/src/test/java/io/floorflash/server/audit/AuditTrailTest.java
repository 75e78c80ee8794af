package io.floorflash.server.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.floorflash.config.AuditSettings;
import io.floorflash.server.ServerStartException;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AuditTrailTest {
    @TempDir
    Path dir;

    private AuditSettings settings(Path file) {
        return new AuditSettings(true, file, 10L << 20, 7, 100L << 20);
    }

    @Test
    void writesEachFinishedTransferAsOneLineOfItsFile() throws Exception {
        Path file = dir.resolve("logs/audit.jsonl");
        AuditLog audit = new AuditLog("edge-1");
        TransferSummary summary = new TransferSummary(new TransferId(new InetSocketAddress("10.0.0.7", 41000), "snom\"320.bin"),
                TransferOutcome.CANCELLED, 512, 3000, 0, 512, 1, 0, "Server shutting down", "ab",
                "releases/b/snom320.bin");

        try (AuditTrail trail = AuditTrail.open(settings(file))) {
            audit.transferFinished(summary);
            audit.transferFinished(summary);
            assertThat(trail.dropped()).isZero();
        }

        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line)
                .startsWith("{\"ts\":\"")
                .contains("\"file\":\"snom\\\"320.bin\"", "\"outcome\":\"cancelled\"", "\"reason\":\"Server shutting down\"")
                .endsWith("}"));
        assertThat(((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(AuditLog.LOGGER)).iteratorForAppenders().hasNext())
                .as("closed: nothing left attached").isFalse();
    }

    @Test
    void rollsToDatedCompressedFilesBesideTheFile() {
        assertThat(AuditTrail.rolledPattern(Path.of("/var/log/floorflash/audit.jsonl")))
                .isEqualTo("/var/log/floorflash/audit.%d{yyyy-MM-dd}.%i.jsonl.gz");
        assertThat(AuditTrail.rolledPattern(Path.of("/var/log/audit")))
                .isEqualTo("/var/log/audit.%d{yyyy-MM-dd}.%i.gz");
    }

    @Test
    void refusesToStartWhenTheFolderCannotBeMade() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");

        ServerStartException failure = catchThrowableOfType(ServerStartException.class,
                () -> AuditTrail.open(settings(notAFolder.resolve("audit.jsonl"))));

        assertThat(failure).isNotNull().hasMessageStartingWith("cannot write the audit log " + notAFolder.resolve("audit.jsonl"))
                .hasMessageEndingWith("(set floorflash.audit.file to a writable place, or floorflash.audit.enabled = false)");
    }

    @Test
    void dropsAndCountsLinesInsteadOfBlockingWhenTheQueueIsFull() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        CountDownLatch diskStalls = new CountDownLatch(1);
        AtomicInteger written = new AtomicInteger();
        AppenderBase<ILoggingEvent> stalledDisk = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                try {
                    diskStalls.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.incrementAndGet();
            }
        };
        stalledDisk.setContext(context);
        stalledDisk.start();
        DroppingAsyncAppender async = new DroppingAsyncAppender();
        async.setContext(context);
        async.setQueueSize(3);
        async.setDiscardingThreshold(0);
        async.setNeverBlock(true);
        async.addAppender(stalledDisk);
        async.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("audit-test");

        // Three lines wait in the queue, and the stalled writer holds at most one line and a queue's worth more (it
        // takes one, then drains what has been queued meanwhile): the rest cannot be queued, and the loop returns
        // instead of waiting. Between 3 and 7 lines are taken, so 13 to 17 are dropped.
        for (int i = 0; i < 20; i++) {
            async.doAppend(new LoggingEvent(getClass().getName(), logger, ch.qos.logback.classic.Level.INFO, "line " + i, null, null));
        }

        assertThat(async.dropped()).isBetween(20L - (1 + 2 * 3), 20L - 3);
        diskStalls.countDown();
        async.stop();
        assertThat(written.get() + async.dropped()).as("every line either written or counted as dropped").isEqualTo(20);
    }
}

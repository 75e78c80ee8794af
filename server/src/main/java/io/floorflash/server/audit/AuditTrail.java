package io.floorflash.server.audit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import io.floorflash.config.AuditSettings;
import io.floorflash.server.ServerStartException;
import io.floorflash.server.metrics.FloorflashMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's file, set up from {@link AuditSettings} when the process starts: an {@link AuditFileAppender} (Logback's
 * rolling file appender, daily and by size, bounded in days and total bytes, pattern {@code %msg%n}) behind a
 * {@link DroppingAsyncAppender}, attached to the logger {@value AuditLog#LOGGER}.
 *
 * <p>Why in code and not in {@code logback.xml}: the file's place and limits are floorflash settings (HOCON, validated
 * with the rest, overridable per installation), and Logback reads its XML before those settings are known. The
 * shipped {@code logback.xml} only declares the logger (INFO, additivity false), so audit lines never reach the
 * console. An operator who configures appenders for that logger in a {@code logback.xml} of their own keeps them:
 * nothing is added then.
 *
 * <p>Why the writer never blocks: a transfer's event loop also runs the timers of hundreds of other transfers, and a
 * stalled disk must not stall a floor of phones. The queue holds {@value #QUEUE_SIZE} lines (a burst of that many
 * transfers ending at once); beyond that, lines are dropped, counted and reported in a WARN. Lines the disk refuses
 * (full, failing) are counted too, and the file takes lines again as soon as it can: either way the server keeps
 * serving, and {@link #lost()} tells how much of the trail is missing.
 */
public final class AuditTrail implements AutoCloseable, FloorflashMetrics.AuditLoss {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    static final int QUEUE_SIZE = 8192;
    /** How long {@link #close} waits for queued lines to reach the file. */
    private static final int MAX_FLUSH_MILLIS = 5000;

    private final ch.qos.logback.classic.Logger logger;
    private final DroppingAsyncAppender appender;
    private final AuditFileAppender file;

    private AuditTrail(ch.qos.logback.classic.Logger logger, DroppingAsyncAppender appender, AuditFileAppender file) {
        this.logger = logger;
        this.appender = appender;
        this.file = file;
    }

    /**
     * Opens the audit file (creating its folder) and attaches it to the audit logger.
     *
     * @throws ServerStartException when the file cannot be written; the message names the setting
     */
    public static AuditTrail open(AuditSettings settings) throws ServerStartException {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext)) {
            throw new ServerStartException("the audit log needs Logback, but SLF4J is bound to "
                    + factory.getClass().getName() + " (set floorflash.audit.enabled = false)", null);
        }
        LoggerContext context = (LoggerContext) factory;
        ch.qos.logback.classic.Logger logger = context.getLogger(AuditLog.LOGGER);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        if (logger.iteratorForAppenders().hasNext()) {
            log.info("audit log: written by the appenders logback.xml gives logger {}; floorflash.audit.file is not used",
                    AuditLog.LOGGER);
            return new AuditTrail(logger, null, null);
        }
        Path file = settings.file();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw cannotWrite(file, "cannot create " + file.getParent() + ": " + e, e);
        }
        if (!Files.isWritable(file.getParent()) || (Files.exists(file) && !Files.isWritable(file))) {
            throw cannotWrite(file, "not writable by this user", null);
        }
        long started = System.currentTimeMillis();
        AuditFileAppender fileAppender = new AuditFileAppender();
        fileAppender.setContext(context);
        fileAppender.setName("floorflash-audit-file");
        fileAppender.setFile(file.toString());

        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(fileAppender);
        policy.setFileNamePattern(rolledPattern(file));
        policy.setMaxFileSize(new FileSize(settings.maxFileSize()));
        policy.setMaxHistory(settings.maxHistory());
        policy.setTotalSizeCap(new FileSize(settings.totalSizeCap()));
        policy.start();
        fileAppender.setRollingPolicy(policy);

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        fileAppender.setEncoder(encoder);
        fileAppender.start();
        if (!fileAppender.isStarted()) {
            policy.stop();
            throw cannotWrite(file, lastError(context, started), null);
        }

        DroppingAsyncAppender async = new DroppingAsyncAppender();
        async.setContext(context);
        async.setName("floorflash-audit");
        async.setQueueSize(QUEUE_SIZE);
        // By default AsyncAppender throws INFO lines away once the queue is 80% full; every audit line counts.
        async.setDiscardingThreshold(0);
        async.setNeverBlock(true);
        async.setMaxFlushTime(MAX_FLUSH_MILLIS);
        async.addAppender(fileAppender);
        async.start();
        logger.addAppender(async);
        log.info("audit log: {} (rolled daily and at {} bytes, {} days and {} bytes kept)", file, settings.maxFileSize(),
                settings.maxHistory(), settings.totalSizeCap());
        return new AuditTrail(logger, async, fileAppender);
    }

    /** {@code dir/audit.jsonl} rolls to {@code dir/audit.2025-05-01.0.jsonl.gz}. */
    static String rolledPattern(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        return file.resolveSibling(stem + ".%d{yyyy-MM-dd}.%i" + extension + ".gz").toString();
    }

    private static ServerStartException cannotWrite(Path file, String why, Throwable cause) {
        return new ServerStartException("cannot write the audit log " + file + ": " + why
                + " (set floorflash.audit.file to a writable place, or floorflash.audit.enabled = false)", cause);
    }

    private static String lastError(LoggerContext context, long since) {
        String message = "the appender did not start";
        for (Status status : context.getStatusManager().getCopyOfStatusList()) {
            if (status.getLevel() == Status.ERROR && status.getTimestamp() >= since) {
                message = status.getMessage() + (status.getThrowable() != null ? ": " + status.getThrowable() : "");
            }
        }
        return message;
    }

    /** Lines dropped so far because the queue was full. */
    @Override
    public long dropped() {
        return appender == null ? 0 : appender.dropped();
    }

    /** Lines the file system refused so far (a full disk). */
    @Override
    public long unwritten() {
        return file == null ? 0 : file.unwritten();
    }

    /** Lines missing from the trail so far, for either reason. */
    public long lost() {
        return dropped() + unwritten();
    }

    /** Writes what is queued (waiting at most a few seconds), closes the file and detaches it from the logger. */
    @Override
    public void close() {
        if (appender == null) {
            return;
        }
        logger.detachAppender(appender);
        appender.stop();
        if (lost() > 0) {
            log.warn("audit log: {} lines were lost: {} dropped because the disk did not keep up, {} refused by it",
                    lost(), dropped(), unwritten());
        }
    }
}

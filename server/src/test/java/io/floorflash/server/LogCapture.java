package io.floorflash.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Keeps the events of a few loggers in memory, at the level asked, and out of the console while it is open; the
 * loggers' levels and console output come back on {@link #close}.
 */
public final class LogCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();
    private final List<Boolean> additive = new ArrayList<>();

    public LogCapture(Level level, Class<?>... classes) {
        appender.start();
        for (Class<?> type : classes) {
            Logger logger = (Logger) LoggerFactory.getLogger(type);
            loggers.add(logger);
            levels.add(logger.getLevel());
            additive.add(logger.isAdditive());
            logger.setLevel(level);
            logger.setAdditive(false);
            logger.addAppender(appender);
        }
    }

    /** The formatted messages so far that {@code filter} accepts. */
    public List<String> messages(Predicate<ILoggingEvent> filter) {
        return appender.list.stream().filter(filter).map(e -> e.getLevel() + " " + e.getLoggerName() + ": "
                + e.getFormattedMessage()).collect(Collectors.toList());
    }

    public void clear() {
        appender.list.clear();
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            Logger logger = loggers.get(i);
            logger.detachAppender(appender);
            logger.setLevel(levels.get(i));
            logger.setAdditive(additive.get(i));
        }
        appender.stop();
    }
}

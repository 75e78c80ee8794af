package io.floorflash.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Catches what Netty's leak detector reports while it is open. The detector reports a leaked buffer only after the
 * garbage collector has found it, and only when later buffers are tracked: {@link #assertNoLeaks} collects, then
 * allocates and releases tracked buffers, then looks at what was reported. Needs the leak detector at paranoid
 * (the build's test argLine) to see every buffer.
 */
public final class LeakWatch implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LeakWatch() {
        assertThat(ResourceLeakDetector.getLevel()).as("leak detection level (see test.argLine)")
                .isEqualTo(ResourceLeakDetector.Level.PARANOID);
        appender.start();
        logger.addAppender(appender);
    }

    /** Collects garbage and has the detector report; fails with each LEAK line it printed. */
    public void assertNoLeaks() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            for (ByteBufAllocator allocator : List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                    UnpooledByteBufAllocator.DEFAULT)) {
                for (int i = 0; i < 100; i++) {
                    ByteBuf probe = allocator.directBuffer(64);
                    probe.release();
                }
            }
        }
        List<String> leaks = appender.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("LEAK")).collect(Collectors.toList());
        assertThat(leaks).as("Netty leak reports").isEmpty();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}

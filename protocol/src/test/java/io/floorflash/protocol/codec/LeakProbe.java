package io.floorflash.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Hears every leak Netty's detector finds in buffers while it is open, whatever logging backend is on the class
 * path: it listens on the detector that every {@link AbstractByteBuf} is tracked by. The detector reports a leak only
 * once the garbage collector has found the buffer and later buffers are tracked, so {@link #assertNoLeaks} collects
 * and allocates first. Needs the detector at paranoid (the build's test argLine) to see every buffer.
 */
public final class LeakProbe implements AutoCloseable {
    private final ResourceLeakDetector<ByteBuf> detector = detector();
    private final Queue<String> leaks = new ConcurrentLinkedQueue<>();

    public LeakProbe() {
        assertThat(ResourceLeakDetector.getLevel()).as("leak detection level (see test.argLine)")
                .isEqualTo(ResourceLeakDetector.Level.PARANOID);
        detector.setLeakListener((type, records) -> leaks.add(type + records));
    }

    /** Collects garbage, has the detector look, and fails with every leak it reported since the probe opened. */
    public void assertNoLeaks() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            for (ByteBufAllocator allocator : List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                    UnpooledByteBufAllocator.DEFAULT)) {
                for (int i = 0; i < 100; i++) {
                    allocator.directBuffer(64).release();
                }
            }
        }
        assertThat(leaks).as("buffers Netty's leak detector found unreleased").isEmpty();
    }

    @Override
    public void close() {
        detector.setLeakListener(null);
    }

    @SuppressWarnings("unchecked")
    private static ResourceLeakDetector<ByteBuf> detector() {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return (ResourceLeakDetector<ByteBuf>) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Netty's buffer leak detector moved: update LeakProbe", e);
        }
    }
}

package io.floorflash.server.firmware;

import io.floorflash.protocol.ErrorCode;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Every byte of image held in direct memory, whoever holds it: the cache, running transfers pinning an image the
 * cache has evicted (or never kept: larger than the cache), netascii conversions and the octets they were made
 * from. Each buffer is counted when allocated and uncounted when the garbage collector frees it (a {@link Cleaner},
 * the moment its direct memory is freed too), so the count is the memory itself, not an estimate.
 *
 * <p>An allocation that would go past the budget first asks for a collection and waits up to {@link #WAIT_NANOS}
 * for unreachable images to be freed (the JDK does the same for its own direct memory limit); then it is refused
 * with ERROR 0. Loads run on the load threads, never on an event loop, so the wait blocks no transfer.
 *
 * <p>Images alive are also found again by version: a request for a version some transfer still holds gets that
 * image, even when the cache no longer has it, instead of a second copy read from disk.
 */
final class ImageMemory {
    /** How long an allocation waits for freed memory before it is refused. */
    static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Cleaner CLEANER = Cleaner.create();

    private final long budget;
    private final AtomicLong used = new AtomicLong();
    private final LongAdder refused = new LongAdder();
    private final ConcurrentHashMap<FirmwareStore.ImageKey, WeakReference<FirmwareImage>> alive = new ConcurrentHashMap<>();

    ImageMemory(long budget) {
        this.budget = budget;
    }

    /**
     * A direct buffer of {@code size} bytes, counted until it is collected.
     *
     * @throws FirmwareException (ERROR 0) when the budget stays exhausted
     */
    ByteBuffer allocate(int size, String name) {
        if (!reserve(size)) {
            long deadline = System.nanoTime() + WAIT_NANOS;
            System.gc();
            long pause = TimeUnit.MILLISECONDS.toNanos(1);
            while (!reserve(size)) {
                if (System.nanoTime() - deadline >= 0) {
                    refused.increment();
                    throw new FirmwareException(ErrorCode.NOT_DEFINED, "Server out of memory for images: " + name
                            + " needs " + size + " bytes, " + used.get() + " of " + budget
                            + " are held (floorflash.firmware.memory-budget); try again shortly");
                }
                LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(64));
            }
        }
        ByteBuffer buffer;
        try {
            buffer = ByteBuffer.allocateDirect(size);
        } catch (OutOfMemoryError e) {
            used.addAndGet(-size);
            refused.increment();
            throw new FirmwareException(ErrorCode.NOT_DEFINED, "Server out of direct memory for " + name
                    + " (-XX:MaxDirectMemorySize is below floorflash.firmware.memory-budget); try again shortly");
        }
        CLEANER.register(buffer, new Release(used, size));
        return buffer;
    }

    private boolean reserve(int size) {
        while (true) {
            long now = used.get();
            if (now + size > budget) {
                return false;
            }
            if (used.compareAndSet(now, now + size)) {
                return true;
            }
        }
    }

    /** The image of {@code key} if some holder still has it. */
    FirmwareImage alive(FirmwareStore.ImageKey key) {
        WeakReference<FirmwareImage> found = alive.get(key);
        return found == null ? null : found.get();
    }

    /** Remembers {@code image} as {@code key}'s until it is collected. */
    void remember(FirmwareStore.ImageKey key, FirmwareImage image) {
        WeakReference<FirmwareImage> reference = new WeakReference<>(image);
        alive.put(key, reference);
        CLEANER.register(image, () -> alive.remove(key, reference));
    }

    /** Bytes of image held in direct memory now. */
    long used() {
        return used.get();
    }

    long budget() {
        return budget;
    }

    /** Loads refused because the budget stayed exhausted. */
    long refused() {
        return refused.sum();
    }

    /** Gives a buffer's bytes back; holds no reference to the buffer, or it would never be collected. */
    private record Release(AtomicLong used, long size) implements Runnable {
        @Override
        public void run() {
            used.addAndGet(-size);
        }
    }
}

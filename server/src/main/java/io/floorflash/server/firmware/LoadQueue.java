package io.floorflash.server.firmware;

import io.floorflash.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the store's blocking file-system work (path checks, reads) with at most {@code concurrency} tasks at once,
 * each with a deadline. A task past its deadline fails its caller with ERROR 0 and stops counting against the
 * concurrency, so a stuck read (a hung network file system, a FIFO swapped in for a file) frees the request's slot
 * and cannot starve the loads behind it; its thread is left to finish on its own. While a task for one subject
 * (a file) is stuck, new tasks for it fail at once instead of sticking another thread, and the subject is logged
 * once when it sticks and once when it comes back. At most {@code maxStuck} tasks may be stuck at a time; beyond
 * that every new task fails at once.
 *
 * <p>Threads come from {@code threads}, which must not bound them below {@code concurrency + maxStuck} (a cached
 * pool): the bound is kept here.
 */
final class LoadQueue {
    private static final Logger log = LoggerFactory.getLogger(LoadQueue.class);
    /** Watches deadlines for every store; a deadline is cancelled (and forgotten) when its task ends in time. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    private final Executor threads;
    private final int concurrency;
    private final long deadlineNanos;
    private final int maxStuck;
    private final ArrayDeque<Task<?>> waiting = new ArrayDeque<>();
    private final Set<Object> stuckSubjects = ConcurrentHashMap.newKeySet();
    private int running;
    private int stuck;

    LoadQueue(Executor threads, int concurrency, Duration deadline, int maxStuck) {
        this.threads = threads;
        this.concurrency = concurrency;
        this.deadlineNanos = deadline.toNanos();
        this.maxStuck = maxStuck;
    }

    /**
     * Runs {@code work} when a place is free, for {@code subject} (a file: named in the log, and refused at once
     * while an earlier task for it is stuck). {@code what} says what is done, for messages ("reading snom320.bin").
     */
    <T> CompletableFuture<T> run(Object subject, String what, Callable<T> work) {
        if (stuckSubjects.contains(subject)) {
            return CompletableFuture.failedFuture(new FirmwareException(ErrorCode.NOT_DEFINED,
                    what + " is still stuck after " + limit() + "; try again later"));
        }
        Task<T> task = new Task<>(subject, what, work);
        synchronized (this) {
            if (stuck >= maxStuck) {
                return CompletableFuture.failedFuture(new FirmwareException(ErrorCode.NOT_DEFINED,
                        "Server cannot read firmware now: " + stuck + " reads are stuck; try again later"));
            }
            waiting.add(task);
        }
        startWaiting();
        return task.result;
    }

    /** Tasks stuck past their deadline whose threads have not returned yet. */
    synchronized int stuck() {
        return stuck;
    }

    private void startWaiting() {
        while (true) {
            Task<?> next;
            synchronized (this) {
                if (running >= concurrency || waiting.isEmpty()) {
                    return;
                }
                next = waiting.poll();
                running++;
            }
            next.start();
        }
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "floorflash-load-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** The deadline as said in messages: "30 s", or "300 ms" below a second. */
    private String limit() {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos);
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private final class Task<T> implements Runnable {
        private final Object subject;
        private final String what;
        private final Callable<T> work;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        /** Guarded by the queue: set when the deadline passed first. */
        private boolean timedOut;
        private boolean finished;
        private ScheduledFuture<?> deadline;

        Task(Object subject, String what, Callable<T> work) {
            this.subject = subject;
            this.what = what;
            this.work = work;
        }

        void start() {
            deadline = DEADLINES.schedule(this::deadlinePassed, deadlineNanos, TimeUnit.NANOSECONDS);
            threads.execute(this);
        }

        @Override
        public void run() {
            long started = System.nanoTime();
            try {
                result.complete(work.call());
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            } finally {
                boolean wasStuck;
                synchronized (LoadQueue.this) {
                    finished = true;
                    wasStuck = timedOut;
                    // A task that ended in time leaves no trace: its scheduled deadline would keep it (and the image
                    // it loaded) reachable until then.
                    deadline.cancel(false);
                    if (wasStuck) {
                        stuck--;
                    } else {
                        running--;
                    }
                }
                if (wasStuck && stuckSubjects.remove(subject)) {
                    log.info("{} finished after {} ms, past its deadline; requests for it are served again", what,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                }
                startWaiting();
            }
        }

        private void deadlinePassed() {
            synchronized (LoadQueue.this) {
                if (finished) {
                    return;
                }
                timedOut = true;
                running--;
                stuck++;
            }
            result.completeExceptionally(new FirmwareException(ErrorCode.NOT_DEFINED,
                    what + " did not finish within " + limit() + "; try again later"));
            if (stuckSubjects.add(subject)) {
                log.warn("{} did not finish within {} (a hung file system? a FIFO?): its requests get ERROR 0 until"
                        + " it does; the other loads go on (floorflash.firmware.load-timeout)", what, limit());
            }
            startWaiting();
        }
    }
}

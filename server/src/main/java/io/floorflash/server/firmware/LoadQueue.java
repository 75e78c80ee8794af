package io.floorflash.server.firmware;

import io.floorflash.protocol.ErrorCode;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
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
 * Runs the store's blocking file-system work (path lookups, reads) with at most {@code concurrency} tasks at once,
 * each with a deadline. A task past its deadline fails its caller with ERROR 0 and stops counting against the
 * concurrency, so a stuck read (a hung network file system, a FIFO swapped in for a file) frees the request's slot
 * and cannot starve the work behind it; its thread is left to return on its own. While a task for one subject (a
 * file) is stuck, new tasks for it fail at once instead of sticking another thread, and the subject is logged once
 * when it sticks and once when it comes back. At most {@code maxStuck} tasks may be stuck at a time; beyond that
 * every new task fails at once.
 *
 * <p>Cheap per task, for a flood of requests for missing files: a runner thread drains the queue until it is empty
 * (no hand-off to another thread per task), and deadlines are checked by one sweep a tenth of the deadline apart,
 * not scheduled per task. Threads come from {@code threads}, which must not bound them below
 * {@code concurrency + maxStuck} (a cached pool): the bound is kept here.
 */
final class LoadQueue {
    private static final Logger log = LoggerFactory.getLogger(LoadQueue.class);
    /** Sweeps every store's running tasks for passed deadlines. */
    private static final ScheduledThreadPoolExecutor SWEEPER = sweeper();

    private final Executor threads;
    private final int concurrency;
    private final long deadlineNanos;
    private final int maxStuck;
    private final ArrayDeque<Task<?>> waiting = new ArrayDeque<>();
    private final List<Runner> runners = new ArrayList<>();
    private final Set<Object> stuckSubjects = ConcurrentHashMap.newKeySet();
    private int stuck;

    LoadQueue(Executor threads, int concurrency, Duration deadline, int maxStuck) {
        this.threads = threads;
        this.concurrency = concurrency;
        this.deadlineNanos = deadline.toNanos();
        this.maxStuck = maxStuck;
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), deadlineNanos / 10));
        WeakReference<LoadQueue> self = new WeakReference<>(this);
        ScheduledFuture<?>[] sweep = new ScheduledFuture<?>[1];
        // The sweep holds the queue weakly: a store nobody uses any more (a test's) is collected and its sweep ends.
        sweep[0] = SWEEPER.scheduleAtFixedRate(() -> {
            LoadQueue queue = self.get();
            if (queue == null) {
                sweep[0].cancel(false);
            } else {
                queue.sweep();
            }
        }, period, period, TimeUnit.NANOSECONDS);
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
        Runner runner = null;
        synchronized (this) {
            if (stuck >= maxStuck) {
                return CompletableFuture.failedFuture(new FirmwareException(ErrorCode.NOT_DEFINED,
                        "Server cannot read firmware now: " + stuck + " reads are stuck; try again later"));
            }
            waiting.add(task);
            if (runners.size() < concurrency) {
                runner = new Runner();
                runners.add(runner);
            }
        }
        if (runner != null) {
            threads.execute(runner);
        }
        return task.result;
    }

    /** Tasks stuck past their deadline whose threads have not returned yet. */
    synchronized int stuck() {
        return stuck;
    }

    /** Fails every task past its deadline and puts a new runner in its runner's place. */
    private void sweep() {
        List<Task<?>> late = new ArrayList<>();
        List<Runner> replacements = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            for (Runner runner : List.copyOf(runners)) {
                if (runner.current != null && now - runner.startedAt > deadlineNanos) {
                    runner.abandoned = true;
                    runners.remove(runner);
                    stuck++;
                    late.add(runner.current);
                }
            }
            while (!waiting.isEmpty() && runners.size() < concurrency && !late.isEmpty() && replacements.size() < late.size()) {
                Runner replacement = new Runner();
                runners.add(replacement);
                replacements.add(replacement);
            }
        }
        for (Task<?> task : late) {
            // Marked stuck before its caller hears: a request that follows at once is refused without a thread.
            boolean first = stuckSubjects.add(task.subject);
            task.result.completeExceptionally(new FirmwareException(ErrorCode.NOT_DEFINED,
                    task.what + " did not finish within " + limit() + "; try again later"));
            if (first) {
                log.warn("{} did not finish within {} (a hung file system? a FIFO?): its requests get ERROR 0 until"
                        + " it does; the other loads go on (floorflash.firmware.load-timeout)", task.what, limit());
            }
        }
        replacements.forEach(threads::execute);
    }

    private static ScheduledThreadPoolExecutor sweeper() {
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

    /** Runs waiting tasks one after another on one thread until none waits, or until its task sticks. */
    private final class Runner implements Runnable {
        /** The task running, or null; read by the sweep. */
        private volatile Task<?> current;
        private volatile long startedAt;
        /** Guarded by the queue: the sweep gave up on this runner's task; another runner took its place. */
        private boolean abandoned;

        @Override
        public void run() {
            while (true) {
                Task<?> task;
                synchronized (LoadQueue.this) {
                    task = waiting.poll();
                    if (task == null) {
                        runners.remove(this);
                        return;
                    }
                    startedAt = System.nanoTime();
                    current = task;
                }
                task.run();
                boolean wasAbandoned;
                synchronized (LoadQueue.this) {
                    current = null;
                    wasAbandoned = abandoned;
                    if (wasAbandoned) {
                        stuck--;
                    }
                }
                if (wasAbandoned) {
                    if (stuckSubjects.remove(task.subject)) {
                        log.info("{} finished after {} ms, past its deadline; requests for it are served again", task.what,
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
                    }
                    return;
                }
            }
        }
    }

    private static final class Task<T> {
        private final Object subject;
        private final String what;
        private final Callable<T> work;
        private final CompletableFuture<T> result = new CompletableFuture<>();

        Task(Object subject, String what, Callable<T> work) {
            this.subject = subject;
            this.what = what;
            this.work = work;
        }

        void run() {
            try {
                result.complete(work.call());
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            }
        }
    }
}

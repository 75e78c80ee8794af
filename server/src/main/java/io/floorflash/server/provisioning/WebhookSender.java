package io.floorflash.server.provisioning;

import io.floorflash.config.WebhookSettings;
import io.floorflash.server.audit.AuditLog;
import io.floorflash.server.metrics.FloorflashMetrics;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferSummary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook: POSTs each finished transfer's audit line ({@link AuditLog#line}, the same JSON) to the configured URL.
 *
 * <p>{@link #transferFinished} runs on the transfer's event loop and only builds the line and puts it in a bounded
 * queue; when {@code queue-size} lines already wait, the line is dropped and counted. Two sender threads of the
 * webhook's own take lines from the queue and post them with the JDK's {@link HttpClient}, one request at a time
 * each: a 2xx answer is delivered; a failed or timed-out connection, a 5xx, 408 or 429 is tried again up to {@code
 * max-retries} times after an exponential backoff with jitter (a longer {@code Retry-After} is honoured, both capped
 * by {@code max-backoff}); any other answer fails at once, since sending the same request again cannot change it.
 *
 * <p>Every line ends counted once as delivered, failed or dropped ({@link FloorflashMetrics#bindWebhook}). The log
 * gets at most one WARN line per {@link #SUMMARY_INTERVAL}, summing up the failures and drops of the interval, never
 * one per line; single failures are DEBUG. Neither the URL's query nor any header value is ever logged.
 *
 * <p>{@link #reconfigure} takes new settings at any time (a reload): the lines already queued stay and go to the new
 * URL; {@code url = ""} turns the webhook off, and what is still queued then is dropped and counted. {@link #close}
 * gives the queue {@code shutdown-timeout} to be delivered and counts the rest as dropped.
 */
public final class WebhookSender implements TransferListener, FloorflashMetrics.WebhookStats, AutoCloseable {
    /** At most one summary line per interval. */
    public static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);
    /** Sender threads: two, so one slow answer does not hold up every line, and few enough to keep order mostly. */
    private static final int THREADS = 2;
    /** Each backoff is the nominal one times a random factor in [1 - JITTER, 1 + JITTER]. */
    private static final double JITTER = 0.2;
    /** Wakes a sender thread blocked on the queue when closing begins; never counted as a line. */
    private static final String WAKE_UP = new String("wake up");

    private final Logger log;
    /** This server's floorflash.node.name, in every line posted. */
    private final String node;
    private final Clock clock;
    private final DoubleSupplier random;
    private final long summaryIntervalNanos;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    /** Lines in the queue, wake-ups not counted: the bound is checked against it. */
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final AtomicLong deliveredInInterval = new AtomicLong();
    private final AtomicLong failedInInterval = new AtomicLong();
    private final AtomicLong droppedInInterval = new AtomicLong();
    private final AtomicLong nextSummary;
    private volatile String lastFailure = "";
    private final CountDownLatch closing = new CountDownLatch(1);
    /** {@link System#nanoTime()} after which a closing sender sends nothing more. */
    private volatile long closeDeadline;
    /** Where lines go now, or null when the webhook is off. */
    private volatile Target target;
    /** Guarded by this. */
    private final List<Thread> workers = new ArrayList<>();
    /** Guarded by this. */
    private boolean closed;

    private record Target(WebhookSettings settings, URI uri, WebhookHeaders headers, HttpClient client) {
    }

    /**
     * A sender for {@code settings}, posting lines that name {@code node}; off when its URL is empty.
     *
     * @throws IllegalStateException when the headers file cannot be read or is malformed
     */
    public WebhookSender(WebhookSettings settings, String node) {
        this(settings, node, Clock.systemUTC(), () -> ThreadLocalRandom.current().nextDouble(),
                LoggerFactory.getLogger(WebhookSender.class), SUMMARY_INTERVAL);
    }

    WebhookSender(WebhookSettings settings, String node, Clock clock, DoubleSupplier random, Logger log,
                  Duration summaryInterval) {
        this.node = node;
        this.clock = clock;
        this.random = random;
        this.log = log;
        this.summaryIntervalNanos = summaryInterval.toNanos();
        this.nextSummary = new AtomicLong(System.nanoTime() + summaryIntervalNanos);
        reconfigure(settings);
    }

    /**
     * Takes new settings: new lines and every attempt from now on use them, lines already queued included. An empty
     * URL turns the webhook off. Safe to call from any thread.
     *
     * @throws IllegalStateException when the new headers file cannot be read or is malformed; the old settings stay
     */
    public void reconfigure(WebhookSettings settings) {
        WebhookHeaders headers = WebhookHeaders.read(settings.headersFile());
        Target old = target;
        if (!settings.enabled()) {
            target = null;
            if (old != null) {
                log.info("webhook off");
            }
            return;
        }
        // The client's connect timeout is the one setting it holds; keep it (and its connections) when that stays.
        HttpClient client = old != null && old.settings().timeout().equals(settings.timeout()) ? old.client()
                : HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(settings.timeout())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        target = new Target(settings, settings.url().orElseThrow(), headers, client);
        startWorkers();
        if (old == null || !old.settings().equals(settings)) {
            log.info("webhook on: each finished transfer is posted to {} (queue {}, {} retries)", settings.displayUrl(),
                    settings.queueSize(), settings.maxRetries());
        }
    }

    /** Whether lines are being posted (a URL is set and the sender is not closed). */
    public boolean enabled() {
        return target != null && closing.getCount() > 0;
    }

    @Override
    public void transferFinished(TransferSummary summary) {
        Target t = target;
        if (t == null) {
            return;
        }
        if (closing.getCount() == 0) {
            drop(1);
            return;
        }
        // Reserve a place first: the bound holds however many event loops finish transfers at once.
        if (queued.incrementAndGet() > t.settings().queueSize()) {
            queued.decrementAndGet();
            drop(1);
            return;
        }
        queue.add(AuditLog.line(node, summary, clock.instant()));
    }

    @Override
    public long delivered() {
        return delivered.sum();
    }

    @Override
    public long failed() {
        return failed.sum();
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public long retries() {
        return retries.sum();
    }

    @Override
    public int queued() {
        return queued.get();
    }

    /**
     * Stops taking lines, gives those queued {@code shutdown-timeout} to be delivered, then ends the sender threads
     * (an attempt under way is abandoned) and counts what is left as dropped; writes a last summary. Blocks the
     * calling thread for at most {@code shutdown-timeout} and a second; never call it on an event loop.
     */
    @Override
    public void close() {
        List<Thread> threads;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            threads = List.copyOf(workers);
        }
        Target t = target;
        closeDeadline = System.nanoTime() + (t == null ? 0 : t.settings().shutdownTimeout().toNanos());
        closing.countDown();
        threads.forEach(thread -> queue.add(WAKE_UP));
        boolean interrupted = false;
        for (Thread thread : threads) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(0, closeDeadline - System.nanoTime()));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        int left = 0;
        for (String line; (line = queue.poll()) != null; ) {
            if (line != WAKE_UP) {
                left++;
            }
        }
        queued.addAndGet(-left);
        drop(left);
        summarise("at shutdown");
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void startWorkers() {
        if (closed || !workers.isEmpty()) {
            return;
        }
        for (int i = 0; i < THREADS; i++) {
            Thread thread = new Thread(this::work, "floorflash-webhook-" + i);
            thread.setDaemon(true);
            workers.add(thread);
            thread.start();
        }
    }

    private void work() {
        while (true) {
            String line;
            boolean draining = closing.getCount() == 0;
            try {
                // Closing: take what is left without waiting, and end when nothing is.
                line = draining ? queue.poll()
                        : queue.poll(Math.max(1, nextSummary.get() - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return; // close() ran out of time; it counts what is left
            }
            summariseIfDue();
            if (line == null && draining) {
                return;
            }
            if (line == null || line == WAKE_UP) {
                continue;
            }
            queued.decrementAndGet();
            try {
                deliver(line);
            } catch (InterruptedException e) {
                drop(1);
                return;
            }
        }
    }

    private void deliver(String line) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            Target t = target;
            if (t == null) {
                drop(1); // turned off while the line waited
                return;
            }
            Attempt result = attempt(t, line);
            if (result.delivered()) {
                delivered.increment();
                deliveredInInterval.incrementAndGet();
                log.trace("webhook delivered {}", line);
                return;
            }
            int attempts = attempt + 1;
            if (!result.retryable() || attempt >= t.settings().maxRetries()) {
                failed.increment();
                failedInInterval.incrementAndGet();
                lastFailure = result.reason() + (attempts == 1 ? "" : " (after " + attempts + " attempts)");
                log.debug("webhook failed: {}", lastFailure);
                return;
            }
            log.debug("webhook attempt {} failed: {}; trying again", attempts, result.reason());
            long wait = backoffNanos(t.settings(), attempt, result.retryAfterNanos(), random.getAsDouble());
            if (!waitBeforeRetry(wait)) {
                drop(1); // the next try would come after the shutdown deadline
                return;
            }
            retries.increment();
        }
    }

    private record Attempt(boolean delivered, boolean retryable, String reason, long retryAfterNanos) {
    }

    private Attempt attempt(Target t, String line) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(t.uri())
                .timeout(t.settings().timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "floorflash")
                .POST(HttpRequest.BodyPublishers.ofString(line, StandardCharsets.UTF_8));
        for (Map.Entry<String, String> header : t.headers().entries()) {
            request.header(header.getKey(), header.getValue());
        }
        try {
            HttpResponse<Void> response = t.client().send(request.build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Attempt(true, false, "", 0);
            }
            boolean retryable = status >= 500 || status == 408 || status == 429;
            return new Attempt(false, retryable, "HTTP " + status,
                    retryable ? retryAfterNanos(response.headers().firstValue("Retry-After"), clock.instant()) : 0);
        } catch (HttpTimeoutException e) {
            return new Attempt(false, true, "no answer within " + t.settings().timeout().toMillis() + " ms", 0);
        } catch (IOException e) {
            String message = e.getMessage();
            return new Attempt(false, true, e.getClass().getSimpleName() + (message == null ? "" : ": " + message), 0);
        }
    }

    /** Waits {@code nanos} before a retry; false when closing began and the retry would come after its deadline. */
    private boolean waitBeforeRetry(long nanos) throws InterruptedException {
        long retryAt = System.nanoTime() + nanos;
        if (!closing.await(nanos, TimeUnit.NANOSECONDS)) {
            return true;
        }
        if (retryAt - closeDeadline > 0) {
            return false;
        }
        long left = retryAt - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        return true;
    }

    /**
     * The wait before retry number {@code attempt + 1}: {@code backoff} doubled per attempt, times a factor in [0.8,
     * 1.2] from {@code random} (in [0, 1)); a longer Retry-After instead; never above {@code max-backoff}.
     */
    static long backoffNanos(WebhookSettings settings, int attempt, long retryAfterNanos, double random) {
        double nominal = settings.backoff().toNanos() * Math.pow(2, Math.min(attempt, 40));
        double jittered = nominal * (1 - JITTER + 2 * JITTER * random);
        long cap = settings.maxBackoff().toNanos();
        return Math.min(Math.max((long) Math.min(jittered, cap), retryAfterNanos), cap);
    }

    /** A Retry-After header's wait (delay-seconds or an HTTP date, RFC 9110 10.2.3), or 0 when absent or garbled. */
    static long retryAfterNanos(Optional<String> header, Instant now) {
        if (header.isEmpty()) {
            return 0;
        }
        String value = header.get().strip();
        if (value.matches("\\d{1,9}")) {
            return TimeUnit.SECONDS.toNanos(Long.parseLong(value));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Math.max(0, Duration.between(now, at).toNanos());
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    private void drop(int lines) {
        if (lines > 0) {
            dropped.add(lines);
            droppedInInterval.addAndGet(lines);
        }
    }

    private void summariseIfDue() {
        long due = nextSummary.get();
        long now = System.nanoTime();
        if (now - due >= 0 && nextSummary.compareAndSet(due, now + summaryIntervalNanos)) {
            summarise("in the last " + TimeUnit.NANOSECONDS.toSeconds(summaryIntervalNanos) + " s");
        }
    }

    /** One line for the interval: WARN when lines failed or were dropped, else DEBUG at most. */
    private void summarise(String period) {
        long failedNow = failedInInterval.getAndSet(0);
        long droppedNow = droppedInInterval.getAndSet(0);
        long deliveredNow = deliveredInInterval.getAndSet(0);
        Target t = target;
        String where = t == null ? "webhook" : "webhook " + t.settings().displayUrl();
        if (failedNow == 0 && droppedNow == 0) {
            if (deliveredNow > 0) {
                log.debug("{}: {} delivered {}", where, deliveredNow, period);
            }
            return;
        }
        log.warn("{}: {} line{} failed and {} dropped {} ({} delivered, {} queued){}; each is counted in"
                        + " floorflash_webhook_deliveries_total", where, failedNow, failedNow == 1 ? "" : "s", droppedNow,
                period, deliveredNow, queued.get(), failedNow == 0 ? "" : "; last failure: " + lastFailure);
    }
}

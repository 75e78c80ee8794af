package io.floorflash.server.metrics;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.firmware.origin.OriginCache;
import io.floorflash.server.transfer.SegmentOffload;
import io.floorflash.server.transfer.RefusalReason;
import io.floorflash.server.transfer.TransferDirection;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferProgress;
import io.floorflash.server.transfer.TransferSummary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * floorflash's metrics in a Micrometer {@link PrometheusMeterRegistry}: it listens to transfers (a
 * {@link TransferListener}, quick and lock-free on the event loops) and reads the firmware cache, the HTTP downloads,
 * Netty's allocator and the JVM when scraped.
 *
 * <p>Every series carries {@code node="..."}, this server's {@code floorflash.node.name} (a common tag, the JVM's
 * meters included), so one Prometheus and one dashboard tell a fleet's nodes apart even behind a service that hides
 * the pod's address in {@code instance}.
 *
 * <p>Every other tag value comes from a closed set (an outcome, a TFTP error code 0-8 or "other", a block size bucket),
 * never from a file name, a client address or an error's text, so the number of series stays fixed however many
 * phones and files there are. All transfer series exist from the start, at 0, so {@code rate()} works from the
 * first scrape.
 *
 * <p>Names as Prometheus sees them:
 * <ul>
 * <li>{@code floorflash_transfers_active}: transfers running now, uploads included</li>
 * <li>{@code floorflash_uploads_total{outcome="completed|client-error|timed-out|deadline|cancelled|quota-exceeded|..."}}:
 * uploads (WRQ) by how they ended; the transfer series below count reads only</li>
 * <li>{@code floorflash_upload_received_bytes_total}: bytes received in order by uploads, counted when each ends</li>
 * <li>{@code floorflash_transfers_started_total{blksize="512|1448|1468|other", windowsize="1|many"}}</li>
 * <li>{@code floorflash_transfers_completed_total}: transfers whose last block was acknowledged</li>
 * <li>{@code floorflash_transfers_failed_total{outcome="client-error|timed-out|deadline|unreachable|cancelled"}}</li>
 * <li>{@code floorflash_requests_refused_total{code="0".."8"|"other"}}: requests answered with an ERROR</li>
 * <li>{@code floorflash_requests_refused_by_reason_total{reason="not-found|access-denied|...|address-busy|..."}}: the
 * same requests by why they were refused ({@link RefusalReason})</li>
 * <li>{@code floorflash_transfer_sent_bytes_total}: bytes clients acknowledged, counted when each transfer ends</li>
 * <li>{@code floorflash_transfer_retransmits_total}: packets sent again on timeouts</li>
 * <li>{@code floorflash_transfer_duration_seconds{outcome}}: a histogram with fixed buckets from 100 ms to 30 min</li>
 * <li>{@code floorflash_cache_size_bytes}, {@code floorflash_cache_images}, {@code floorflash_cache_hit_ratio},
 * {@code floorflash_cache_requests_total{result="hit|miss"}}, {@code floorflash_cache_loads_total{result}},
 * {@code floorflash_cache_evictions_total}</li>
 * <li>{@code floorflash_http_downloads_active}, {@code floorflash_http_sent_bytes_total}</li>
 * <li>{@code floorflash_audit_lines_lost_total{reason="queue-full|write-failed"}}: audit lines that never reached the
 * file (with the audit log on)</li>
 * <li>{@code floorflash_webhook_deliveries_total{result="delivered|failed|dropped"}},
 * {@code floorflash_webhook_retries_total}, {@code floorflash_webhook_queued}: the webhook's lines</li>
 * <li>{@code floorflash_http_connections_open{side="operator|firmware"}},
 * {@code floorflash_http_connections_refused_total{side}} (over max-connections),
 * {@code floorflash_http_header_timeouts_total{side}}, and on the operator side
 * {@code floorflash_http_requests_denied_total{side,reason="host|token"}}</li>
 * <li>{@code floorflash_netty_allocator_used_bytes{memory="direct|heap"}}, and the JVM's {@code jvm_memory_*},
 * {@code jvm_buffer_*} (the firmware images are the {@code id="direct"} pool), {@code process_*} and
 * {@code system_cpu_*}</li>
 * </ul>
 */
public final class FloorflashMetrics implements TransferListener, AutoCloseable {
    /** The media type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The label every series carries: the node's name. */
    public static final String NODE_TAG = "node";
    /** Buckets of the duration histogram: a 2 MiB image takes well under a second on a LAN, a 32 MB one at 512-byte lock-step minutes. */
    static final Duration[] DURATION_BUCKETS = {
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
        Duration.ofMinutes(30),
    };
    /** Block sizes worth a series of their own: RFC 1350's, the IPv6 and the IPv4 Ethernet maxima. */
    private static final int[] BLOCK_SIZES = {512, 1448, 1468};
    private static final int HIGHEST_KNOWN_CODE = ErrorCode.OPTION_REFUSED.code();

    private final PrometheusMeterRegistry registry;
    private final ExecutorService scrapes;
    private final Map<TransferId, TransferProgress> running = new ConcurrentHashMap<>();
    private final Counter[][] started;
    private final Counter completed;
    private final Map<TransferOutcome, Counter> failed = new EnumMap<>(TransferOutcome.class);
    private final Map<TransferOutcome, Timer> durations = new EnumMap<>(TransferOutcome.class);
    /** Index: the TFTP error code, then one for any other code. */
    private final Counter[] refused;
    /**
     * What the function counters read. Micrometer holds a function counter's object weakly (FunctionCounter has no
     * strongReference option, unlike Gauge): one held by nothing else (a lambda, an adapter) would be collected and
     * its counter would read NaN from then on.
     */
    private final List<Object> bound = new CopyOnWriteArrayList<>();
    private final EnumMap<RefusalReason, Counter> refusedBy = new EnumMap<>(RefusalReason.class);
    private final Counter sentBytes;
    private final Counter retransmits;
    private final Map<TransferOutcome, Counter> uploads = new EnumMap<>(TransferOutcome.class);
    private final Counter receivedBytes;

    /**
     * A registry with the transfer meters and the JVM's, every one tagged {@code node}; bind the store and the
     * download route once they exist.
     */
    public FloorflashMetrics(String node) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Before the first meter: common tags apply to meters registered after them.
        registry.config().commonTags(NODE_TAG, node);
        this.scrapes = Executors.newSingleThreadExecutor(new DefaultThreadFactory("floorflash-metrics", true));
        Gauge.builder("floorflash.transfers.active", running, Map::size)
                .description("Transfers running now").strongReference(true).register(registry);
        started = new Counter[BLOCK_SIZES.length + 1][2];
        for (int b = 0; b <= BLOCK_SIZES.length; b++) {
            for (int w = 0; w < 2; w++) {
                started[b][w] = Counter.builder("floorflash.transfers.started")
                        .description("Transfers started, by negotiated block size and window size")
                        .tag("blksize", b < BLOCK_SIZES.length ? Integer.toString(BLOCK_SIZES[b]) : "other")
                        .tag("windowsize", w == 0 ? "1" : "many")
                        .register(registry);
            }
        }
        completed = Counter.builder("floorflash.transfers.completed")
                .description("Transfers whose last block the client acknowledged").register(registry);
        for (TransferOutcome outcome : TransferOutcome.values()) {
            if (outcome != TransferOutcome.COMPLETED) {
                failed.put(outcome, Counter.builder("floorflash.transfers.failed")
                        .description("Started transfers that ended without the last block acknowledged, by how they ended")
                        .tag("outcome", outcome.label()).register(registry));
            }
            durations.put(outcome, Timer.builder("floorflash.transfer.duration")
                    .description("Time from a transfer's first packet to its end, by how it ended")
                    .tag("outcome", outcome.label())
                    .serviceLevelObjectives(DURATION_BUCKETS)
                    .register(registry));
        }
        refused = new Counter[HIGHEST_KNOWN_CODE + 2];
        for (int code = 0; code < refused.length; code++) {
            refused[code] = Counter.builder("floorflash.requests.refused")
                    .description("Read requests answered with an ERROR instead of a transfer, by TFTP error code")
                    .tag("code", code <= HIGHEST_KNOWN_CODE ? Integer.toString(code) : "other").register(registry);
        }
        for (RefusalReason reason : RefusalReason.values()) {
            refusedBy.put(reason, Counter.builder("floorflash.requests.refused.by.reason")
                    .description("Requests answered with an ERROR instead of a transfer, by why")
                    .tag("reason", reason.label()).register(registry));
        }
        sentBytes = Counter.builder("floorflash.transfer.sent").baseUnit("bytes")
                .description("Bytes TFTP clients acknowledged, counted when each transfer ends").register(registry);
        retransmits = Counter.builder("floorflash.transfer.retransmits")
                .description("Packets sent again because the client did not acknowledge in time").register(registry);
        for (TransferOutcome outcome : TransferOutcome.values()) {
            uploads.put(outcome, Counter.builder("floorflash.uploads")
                    .description("Uploads (write requests) started, by how they ended")
                    .tag("outcome", outcome.label()).register(registry));
        }
        receivedBytes = Counter.builder("floorflash.upload.received").baseUnit("bytes")
                .description("Bytes uploads received in order, counted when each upload ends").register(registry);
        bindNettyAllocator();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The registry, for more meters or another exposition. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Reads the firmware cache at each scrape: its size, images, hits and misses, loads and evictions. */
    public void bindStore(FirmwareStore store) {
        bound.add(store);
        Gauge.builder("floorflash.cache.size", store, FirmwareStore::cachedBytes).baseUnit("bytes")
                .description("Bytes of firmware images held in memory").strongReference(true).register(registry);
        Gauge.builder("floorflash.cache.images", store, FirmwareStore::cachedImages)
                .description("Firmware images held in memory").strongReference(true).register(registry);
        Gauge.builder("floorflash.cache.hit.ratio", store, s -> s.stats().hitRate())
                .description("Share of requests answered from memory since the start (1 when none came yet)")
                .strongReference(true).register(registry);
        cacheCounter("floorflash.cache.requests", "result", "hit", store, s -> s.stats().hitCount(),
                "Requests for an image, answered from memory (hit) or by a load (miss)");
        cacheCounter("floorflash.cache.requests", "result", "miss", store, s -> s.stats().missCount(),
                "Requests for an image, answered from memory (hit) or by a load (miss)");
        cacheCounter("floorflash.cache.loads", "result", "success", store, s -> s.stats().loadSuccessCount(),
                "Images read from disk, and reads that failed");
        cacheCounter("floorflash.cache.loads", "result", "failure", store, s -> s.stats().loadFailureCount(),
                "Images read from disk, and reads that failed");
        FunctionCounter.builder("floorflash.cache.evictions", store, s -> s.stats().evictionCount())
                .description("Images dropped from memory to stay under the bound or after idling").register(registry);
        Gauge.builder("floorflash.image.memory", store, FirmwareStore::imageMemoryBytes).baseUnit("bytes")
                .description("Bytes of firmware in direct memory: cached, held by running transfers, converted")
                .strongReference(true).register(registry);
        Gauge.builder("floorflash.image.memory.budget", store, FirmwareStore::imageMemoryBudget).baseUnit("bytes")
                .description("floorflash.firmware.memory-budget").strongReference(true).register(registry);
        FunctionCounter.builder("floorflash.image.memory.refusals", store, FirmwareStore::imageMemoryRefusals)
                .description("Loads refused because the memory budget stayed exhausted").register(registry);
        FunctionCounter.builder("floorflash.image.checksum.failures", store, FirmwareStore::checksumFailures)
                .description("Versions of files refused because their SHA-256 differs from their SHA256SUMS"
                        + " (or, with require-checksums, no SHA256SUMS lists them)").register(registry);
        Gauge.builder("floorflash.loads.stuck", store, FirmwareStore::stuckLoads)
                .description("Reads past floorflash.firmware.load-timeout whose threads have not returned")
                .strongReference(true).register(registry);
    }

    /**
     * Reads the pull-through cache at each scrape: fetches by result, requests answered from disk (hit) or needing a
     * fetch (miss), copies served while the origin could not confirm them, its size, and the age of the oldest copy.
     */
    public void bindOrigin(OriginCache origin) {
        bound.add(origin);
        for (String result : List.of("body", "not-modified", "missing", "error", "refused")) {
            FunctionCounter.builder("floorflash.origin.fetches", origin, o -> o.fetches(result)).tag("result", result)
                    .description("Requests to the origin by result: a body, 304 not-modified, 404 missing, an error"
                            + " (unreachable, 5xx, timeout, cut short), refused (failed its length or SHA-256)")
                    .register(registry);
        }
        FunctionCounter.builder("floorflash.origin.errors", origin, o -> o.fetches("error"))
                .description("Requests to the origin that got no usable answer").register(registry);
        FunctionCounter.builder("floorflash.origin.cache.requests", origin, OriginCache::hits).tag("result", "hit")
                .description("Requests for a name missing below the root, answered from the disk cache (hit) or by a"
                        + " fetch (miss)").register(registry);
        FunctionCounter.builder("floorflash.origin.cache.requests", origin, OriginCache::misses).tag("result", "miss")
                .description("Requests for a name missing below the root, answered from the disk cache (hit) or by a"
                        + " fetch (miss)").register(registry);
        FunctionCounter.builder("floorflash.origin.stale.served", origin, OriginCache::staleServed)
                .description("Copies served while the origin could not confirm them (offline)").register(registry);
        FunctionCounter.builder("floorflash.origin.cache.evictions", origin, OriginCache::evictions)
                .description("Copies deleted to stay within floorflash.firmware.cache-dir-max-bytes").register(registry);
        Gauge.builder("floorflash.origin.cache.size", origin, OriginCache::diskBytes).baseUnit("bytes")
                .description("Bytes of images in the origin cache folder").strongReference(true).register(registry);
        Gauge.builder("floorflash.origin.cache.images", origin, OriginCache::images)
                .description("Images in the origin cache folder").strongReference(true).register(registry);
        Gauge.builder("floorflash.origin.cache.age", origin, OriginCache::maxAgeSeconds).baseUnit("seconds")
                .description("Since the origin last confirmed the oldest copy served from the cache folder")
                .strongReference(true).register(registry);
        Gauge.builder("floorflash.origin.fetches.running", origin, OriginCache::fetchesRunning)
                .description("Fetches from the origin under way").strongReference(true).register(registry);
        Gauge.builder("floorflash.origin.up", origin, o -> o.originDown() ? 0 : 1)
                .description("0 while the origin cannot be reached (the cache serves what it holds)")
                .strongReference(true).register(registry);
    }

    /** Whether windows go out as UDP GSO sends, and how many have. */
    public void bindSegmentOffload(SegmentOffload offload) {
        bound.add(offload);
        Gauge.builder("floorflash.udp.gso.enabled", offload, o -> o.enabled() ? 1 : 0)
                .description("1 while windows go out as UDP GSO sends, 0 when off or refused by the kernel")
                .strongReference(true).register(registry);
        FunctionCounter.builder("floorflash.udp.gso.sends", offload, SegmentOffload::sends)
                .description("Windows (or parts of windows) sent as one UDP GSO send").register(registry);
    }

    /** Reads the HTTP downloads at each scrape. */
    public void bindDownloads(DownloadStats downloads) {
        bound.add(downloads);
        Gauge.builder("floorflash.http.downloads.active", downloads, DownloadStats::activeDownloads)
                .description("Firmware downloads over HTTP being sent now").strongReference(true).register(registry);
        FunctionCounter.builder("floorflash.http.sent", downloads, DownloadStats::bytesSent).baseUnit("bytes")
                .description("Firmware bytes handed to HTTP connections").register(registry);
    }

    /**
     * Reads one HTTP side's guards at each scrape, tagged {@code side}: its open connections, the connections closed
     * over its cap or for a request that did not arrive in time, and, with {@code requestChecks}, the requests denied
     * for their Host header or for want of the token.
     */
    public void bindHttpGuards(String side, HttpGuardStats guards, boolean requestChecks) {
        bound.add(guards);
        Gauge.builder("floorflash.http.connections.open", guards, HttpGuardStats::connectionsOpen).tag("side", side)
                .description("HTTP connections open now").strongReference(true).register(registry);
        FunctionCounter.builder("floorflash.http.connections.refused", guards, HttpGuardStats::connectionsRefused)
                .tag("side", side).description("HTTP connections closed on arrival because max-connections were open")
                .register(registry);
        FunctionCounter.builder("floorflash.http.header.timeouts", guards, HttpGuardStats::headerTimeouts)
                .tag("side", side).description("HTTP connections closed because a request did not arrive whole in time")
                .register(registry);
        if (requestChecks) {
            FunctionCounter.builder("floorflash.http.requests.denied", guards, HttpGuardStats::deniedByHost)
                    .tag("side", side).tag("reason", "host")
                    .description("HTTP requests refused for their Host header (421, or 400 without one) or their token (401)")
                    .register(registry);
            FunctionCounter.builder("floorflash.http.requests.denied", guards, HttpGuardStats::deniedByToken)
                    .tag("side", side).tag("reason", "token")
                    .description("HTTP requests refused for their Host header (421, or 400 without one) or their token (401)")
                    .register(registry);
        }
    }

    /** What an HTTP side's guards tell the metrics. */
    public interface HttpGuardStats {
        /** Connections open now. */
        int connectionsOpen();

        /** Connections closed on arrival, over the cap. */
        long connectionsRefused();

        /** Connections closed because a request did not arrive whole within the header timeout. */
        long headerTimeouts();

        /** Requests answered 421 (or 400 for a missing Host header). */
        long deniedByHost();

        /** Requests answered 401. */
        long deniedByToken();
    }

    /** Shows the audit log's lost lines. */
    public void bindAuditLoss(AuditLoss loss) {
        bound.add(loss);
        FunctionCounter.builder("floorflash.audit.lines.lost", loss, AuditLoss::dropped).tag("reason", "queue-full")
                .description("Audit lines lost: dropped while the writer's queue was full, or refused by the file system")
                .register(registry);
        FunctionCounter.builder("floorflash.audit.lines.lost", loss, AuditLoss::unwritten).tag("reason", "write-failed")
                .description("Audit lines lost: dropped while the writer's queue was full, or refused by the file system")
                .register(registry);
    }

    /** Shows configuration reloads (SIGHUP): applied, and rejected for a configuration that failed validation. */
    public void bindReloads(Reloads reloads) {
        bound.add(reloads);
        FunctionCounter.builder("floorflash.config.reloads", reloads, Reloads::applied).tag("result", "applied")
                .description("Configuration reloads (SIGHUP): applied, or rejected whole for a configuration with problems")
                .register(registry);
        FunctionCounter.builder("floorflash.config.reloads", reloads, Reloads::rejected).tag("result", "rejected")
                .description("Configuration reloads (SIGHUP): applied, or rejected whole for a configuration with problems")
                .register(registry);
    }

    /** What the configuration reloader tells the metrics. */
    public interface Reloads {
        long applied();

        long rejected();
    }

    /**
     * Shows the webhook: {@code floorflash_webhook_deliveries_total{result="delivered|failed|dropped"}}, {@code
     * floorflash_webhook_retries_total} and {@code floorflash_webhook_queued}.
     */
    public void bindWebhook(WebhookStats webhook) {
        bound.add(webhook);
        String description = "Webhook lines: delivered (2xx), failed (refused or out of retries), dropped (queue full,"
                + " webhook turned off, or still queued at shutdown)";
        FunctionCounter.builder("floorflash.webhook.deliveries", webhook, WebhookStats::delivered).tag("result", "delivered")
                .description(description).register(registry);
        FunctionCounter.builder("floorflash.webhook.deliveries", webhook, WebhookStats::failed).tag("result", "failed")
                .description(description).register(registry);
        FunctionCounter.builder("floorflash.webhook.deliveries", webhook, WebhookStats::dropped).tag("result", "dropped")
                .description(description).register(registry);
        FunctionCounter.builder("floorflash.webhook.retries", webhook, WebhookStats::retries)
                .description("Webhook attempts made again after a connection failure, a timeout, a 5xx, 408 or 429")
                .register(registry);
        Gauge.builder("floorflash.webhook.queued", webhook, WebhookStats::queued)
                .description("Webhook lines waiting to be sent").strongReference(true).register(registry);
    }

    /** What the webhook tells the metrics. */
    public interface WebhookStats {
        /** Lines the receiver answered with 2xx. */
        long delivered();

        /** Lines refused by the receiver, or still failing after every retry. */
        long failed();

        /** Lines never sent: the queue was full, the webhook was turned off, or the server stopped first. */
        long dropped();

        /** Attempts made again. */
        long retries();

        /** Lines waiting now. */
        int queued();
    }

    /** What the audit log tells the metrics. */
    public interface AuditLoss {
        /** Lines dropped because the writer's queue was full. */
        long dropped();

        /** Lines the file system refused (a full disk). */
        long unwritten();
    }

    /** What the HTTP download route tells the metrics. */
    public interface DownloadStats {
        /** Responses whose body is being sent now. */
        int activeDownloads();

        /** Body bytes handed to connections so far. */
        long bytesSent();
    }

    @Override
    public void transferStarted(TransferProgress progress) {
        running.put(progress.id(), progress);
        if (progress.direction() == TransferDirection.WRITE) {
            return;
        }
        started[blockSizeBucket(progress.blockSize())][progress.windowSize() > 1 ? 1 : 0].increment();
    }

    @Override
    public void transferFinished(TransferSummary summary) {
        running.remove(summary.id());
        if (summary.direction() == TransferDirection.WRITE) {
            uploads.get(summary.outcome()).increment();
            receivedBytes.increment(summary.bytes());
            return;
        }
        if (summary.outcome() == TransferOutcome.COMPLETED) {
            completed.increment();
        } else {
            failed.get(summary.outcome()).increment();
        }
        durations.get(summary.outcome()).record(summary.durationNanos(), TimeUnit.NANOSECONDS);
        sentBytes.increment(summary.bytes());
        retransmits.increment(summary.retransmits());
    }

    @Override
    public void requestRefused(TransferId id, ErrorPacket error, RefusalReason reason) {
        int code = error.code();
        refused[code >= 0 && code <= HIGHEST_KNOWN_CODE ? code : HIGHEST_KNOWN_CODE + 1].increment();
        refusedBy.get(reason).increment();
    }

    /** The Prometheus text exposition (format 0.0.4), in UTF-8. Runs in memory on the calling thread. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            registry.scrape(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to memory", e);
        }
        return out.toByteArray();
    }

    /**
     * {@link #scrape()} on the metrics thread, off the event loops: some JVM gauges read {@code /proc}. Fails with a
     * {@link RejectedExecutionException} once closed.
     */
    public CompletableFuture<byte[]> scrapeAsync() {
        try {
            return CompletableFuture.supplyAsync(this::scrape, scrapes);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Stops the metrics thread. */
    @Override
    public void close() {
        scrapes.shutdownNow();
        registry.close();
    }

    private void cacheCounter(String name, String tag, String value, FirmwareStore store,
                              ToDoubleFunction<FirmwareStore> count, String description) {
        FunctionCounter.builder(name, store, count).tag(tag, value).description(description).register(registry);
    }

    /** Netty's pooled (or adaptive) allocator: what the HTTP and TFTP pipelines hold in flight. */
    private void bindNettyAllocator() {
        if (!(ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider)) {
            return;
        }
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        Gauge.builder("floorflash.netty.allocator.used", metric, ByteBufAllocatorMetric::usedDirectMemory)
                .baseUnit("bytes").tag("memory", "direct").strongReference(true)
                .description("Memory Netty's default allocator holds").register(registry);
        Gauge.builder("floorflash.netty.allocator.used", metric, ByteBufAllocatorMetric::usedHeapMemory)
                .baseUnit("bytes").tag("memory", "heap").strongReference(true)
                .description("Memory Netty's default allocator holds").register(registry);
    }

    private static int blockSizeBucket(int blockSize) {
        for (int i = 0; i < BLOCK_SIZES.length; i++) {
            if (BLOCK_SIZES[i] == blockSize) {
                return i;
            }
        }
        return BLOCK_SIZES.length;
    }
}

package io.floorflash.server.firmware.origin;

import io.floorflash.config.OriginSettings;
import io.floorflash.config.S3OriginSettings;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of pull-through, built from {@link OriginSettings} and closed together: the origin, its own bounded
 * fetch threads (never an event loop or a load thread), the HTTP client's threads, the disk cache, and a timer that
 * samples the progress of fetches under way for the floor.
 */
public final class PullThrough implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PullThrough.class);
    private static final long PROGRESS_SAMPLE_MILLIS = 250;

    private final Origin origin;
    private final OriginCache cache;
    private final ExecutorService fetchThreads;
    private final ExecutorService clientThreads;
    private final ScheduledExecutorService progress;

    private PullThrough(Origin origin, OriginCache cache, ExecutorService fetchThreads, ExecutorService clientThreads,
                        ScheduledExecutorService progress) {
        this.origin = origin;
        this.cache = cache;
        this.fetchThreads = fetchThreads;
        this.clientThreads = clientThreads;
        this.progress = progress;
    }

    /**
     * Builds the origin {@code settings} names and opens its cache folder (rebuilding the index from it). Blocking.
     *
     * @throws IOException when the cache folder cannot be created or read
     */
    public static PullThrough open(OriginSettings settings, S3OriginSettings s3, OriginCache.ManifestReader manifests)
            throws IOException {
        ExecutorService fetchThreads = Executors.newFixedThreadPool(settings.fetchThreads(),
                new DefaultThreadFactory("floorflash-origin", true));
        ExecutorService clientThreads = Executors.newFixedThreadPool(2,
                new DefaultThreadFactory("floorflash-origin-http", true));
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("floorflash-origin-progress", true));
        try {
            URI url = settings.url().orElseThrow();
            Origin origin = "s3".equalsIgnoreCase(url.getScheme()) ? Origins.of(url.toString(), s3)
                    : new HttpOrigin(url, settings.connectTimeout(), settings.stallTimeout(), clientThreads);
            OriginCache cache = new OriginCache(origin, settings, fetchThreads, manifests, System::nanoTime,
                    Clock.systemUTC()).open();
            progress.scheduleWithFixedDelay(cache::sampleProgress, PROGRESS_SAMPLE_MILLIS, PROGRESS_SAMPLE_MILLIS,
                    TimeUnit.MILLISECONDS);
            return new PullThrough(origin, cache, fetchThreads, clientThreads, progress);
        } catch (IOException | RuntimeException e) {
            fetchThreads.shutdownNow();
            clientThreads.shutdownNow();
            progress.shutdownNow();
            throw e;
        }
    }

    public OriginCache cache() {
        return cache;
    }

    /**
     * The text of the {@code SHA256SUMS} in {@code folder} at the origin ("" or "releases/10.1.2"), empty when there
     * is none. Blocking.
     *
     * @throws OriginException when the origin cannot answer
     */
    public Optional<String> manifest(String folder, Path scratch) throws OriginException, IOException {
        String name = folder.isEmpty() ? OriginCache.MANIFEST : folder + "/" + OriginCache.MANIFEST;
        Path temp = Files.createTempFile(scratch, "manifest-", ".tmp");
        try {
            if (!(origin.fetch(name, Optional.empty(), temp) instanceof Origin.Body)) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(temp, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Fetches {@code names} into the cache in the background (floorflash.firmware.origin.prefetch), logging each. */
    public void prefetchInBackground(List<String> names) {
        for (String name : names) {
            cache.refresh(name, false).whenComplete((copy, error) -> {
                if (error == null) {
                    log.info("prefetched file={} bytes={} sha256={}", name, copy.length(), copy.sha256());
                } else {
                    log.warn("prefetch of file={} failed: {}", name, OriginCacheErrors.text(error));
                }
            });
        }
    }

    @Override
    public void close() {
        progress.shutdownNow();
        fetchThreads.shutdownNow();
        origin.close();
        clientThreads.shutdownNow();
    }

    /** Closes {@code pull} when there is one. */
    public static void close(PullThrough pull) {
        if (pull != null) {
            pull.close();
        }
    }
}

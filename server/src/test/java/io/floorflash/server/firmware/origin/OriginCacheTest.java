package io.floorflash.server.firmware.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.OriginSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginCacheTest {
    @TempDir
    Path dir;
    private final FakeOrigin origin = new FakeOrigin();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private OriginCache cache(long maxBytes) throws IOException {
        return cache(maxBytes, Duration.ofSeconds(5));
    }

    private OriginCache cache(long maxBytes, Duration fetchTimeout) throws IOException {
        OriginSettings settings = new OriginSettings(OriginSettings.parseUrl("http://origin.test/"), dir, maxBytes,
                Duration.ofSeconds(1), fetchTimeout, Duration.ofSeconds(5), Duration.ofMinutes(1), 2, List.of());
        return new OriginCache(origin, settings, threads, (text, file) -> text.lines()
                .filter(line -> line.endsWith("  " + file)).map(line -> line.substring(0, 64)).findFirst(),
                nanos::get, Clock.systemUTC()).open();
    }

    @Test
    void manyCallersShareOneFetch() throws Exception {
        origin.put("snom320.bin", "image v1");
        origin.gate = new CountDownLatch(1);
        OriginCache cache = cache(1 << 20);

        List<CompletableFuture<OriginCache.Copy>> waiting = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            waiting.add(cache.get("snom320.bin"));
        }
        await().until(() -> cache.fetchesRunning() == 1);
        origin.gate.countDown();

        for (CompletableFuture<OriginCache.Copy> copy : waiting) {
            assertThat(Files.readString(copy.get(5, TimeUnit.SECONDS).file())).isEqualTo("image v1");
        }
        assertThat(origin.gets("snom320.bin")).isEqualTo(1);
        assertThat(cache.fetches("body")).isEqualTo(1);
    }

    @Test
    void aCallerWaitsAtMostTheFetchTimeoutWhileTheFetchGoesOnAndShowsItsProgress() throws Exception {
        origin.put("slow.bin", "slow image");
        origin.gate = new CountDownLatch(1);
        OriginCache cache = cache(1 << 20, Duration.ofMillis(100));

        Throwable failure = catchThrowable(() -> cache.get("slow.bin").get(5, TimeUnit.SECONDS));

        assertThat(failure).cause().isInstanceOf(OriginUnavailable.class)
                .hasMessage("origin fetch still running; try again");
        assertThat(cache.fetching()).singleElement().extracting(OriginCache.Fetching::name).isEqualTo("slow.bin");
        origin.gate.countDown();
        await().until(() -> cache.has("slow.bin"));
        assertThat(cache.fetching()).isEmpty();
        assertThat(Files.readString(cache.get("slow.bin").get(5, TimeUnit.SECONDS).file())).isEqualTo("slow image");
        assertThat(origin.gets("slow.bin")).isEqualTo(1);
    }

    @Test
    void aSlowRevalidationServesTheCopyItHas() throws Exception {
        origin.put("a.bin", "one");
        OriginCache cache = cache(1 << 20, Duration.ofMillis(100));
        OriginCache.Copy first = cache.get("a.bin").get(5, TimeUnit.SECONDS);
        origin.gate = new CountDownLatch(1);
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());

        assertThat(cache.get("a.bin").get(5, TimeUnit.SECONDS)).isSameAs(first);
        origin.gate.countDown();
    }

    @Test
    void aNameGoneFromTheOriginIsNotFoundAndItsCopyDeleted() throws Exception {
        origin.put("a.bin", "one");
        OriginCache cache = cache(1 << 20);
        Path file = cache.get("a.bin").get(5, TimeUnit.SECONDS).file();
        origin.objects.remove("a.bin");
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());

        Throwable failure = catchThrowable(() -> cache.get("a.bin").get(5, TimeUnit.SECONDS));

        assertThat(failure).cause().isInstanceOf(OriginUnavailable.class).hasMessage("File not found: a.bin");
        assertThat(file).doesNotExist();
        assertThat(cache.has("a.bin")).isFalse();
    }

    @Test
    void revalidatesAfterItsTimeAndFetchesAChangedImage() throws Exception {
        origin.put("a.bin", "one");
        OriginCache cache = cache(1 << 20);
        OriginCache.Copy first = cache.get("a.bin").get(5, TimeUnit.SECONDS);

        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(cache.get("a.bin").get(5, TimeUnit.SECONDS)).isSameAs(first);
        assertThat(origin.gets("a.bin")).isEqualTo(1);

        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(cache.get("a.bin").get(5, TimeUnit.SECONDS).sha256()).isEqualTo(first.sha256());
        assertThat(cache.fetches("not-modified")).isEqualTo(1);

        origin.put("a.bin", "two");
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        OriginCache.Copy second = cache.get("a.bin").get(5, TimeUnit.SECONDS);
        assertThat(second.sha256()).isEqualTo(sha256("two"));
        assertThat(Files.readString(second.file())).isEqualTo("two");
    }

    @Test
    void servesTheLastCopyWhileTheOriginIsDownAndRefusesANameNeverFetched() throws Exception {
        origin.put("a.bin", "one");
        OriginCache cache = cache(1 << 20);
        cache.get("a.bin").get(5, TimeUnit.SECONDS);

        origin.down = true;
        nanos.addAndGet(Duration.ofMinutes(2).toNanos());

        assertThat(Files.readString(cache.get("a.bin").get(5, TimeUnit.SECONDS).file())).isEqualTo("one");
        assertThat(cache.staleServed()).isEqualTo(1);
        assertThat(cache.originDown()).isTrue();
        Throwable failure = catchThrowable(() -> cache.get("never.bin").get(5, TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class).cause().isInstanceOf(OriginUnavailable.class)
                .hasMessageStartingWith("origin unreachable");
    }

    @Test
    void aBodyThatFailsItsChecksumIsNeitherServedNorKept() throws Exception {
        origin.put("a.bin", "tampered");
        origin.put("SHA256SUMS", sha256("genuine") + "  a.bin\n");
        OriginCache cache = cache(1 << 20);

        Throwable failure = catchThrowable(() -> cache.get("a.bin").get(5, TimeUnit.SECONDS));

        assertThat(failure).cause().isInstanceOf(OriginUnavailable.class);
        assertThat(cache.has("a.bin")).isFalse();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aChecksumFromAManifestBesideTheImageIsChecked() throws Exception {
        origin.put("r/a.bin", "genuine");
        origin.put("r/SHA256SUMS", sha256("genuine") + "  a.bin\n");
        OriginCache.Copy copy = cache(1 << 20).get("r/a.bin").get(5, TimeUnit.SECONDS);

        assertThat(copy.stated()).isTrue();
    }

    @Test
    void theIndexSurvivesARestartAndTheLeastRecentlyUsedIsEvicted() throws Exception {
        origin.put("a.bin", "aaaa");
        origin.put("b.bin", "bbbb");
        origin.put("c.bin", "cccc");
        OriginCache cache = cache(8);
        cache.get("a.bin").get(5, TimeUnit.SECONDS);
        nanos.addAndGet(1000);
        cache.get("b.bin").get(5, TimeUnit.SECONDS);
        nanos.addAndGet(1000);
        cache.get("a.bin").get(5, TimeUnit.SECONDS);
        nanos.addAndGet(1000);
        cache.get("c.bin").get(5, TimeUnit.SECONDS);

        assertThat(cache.has("b.bin")).isFalse();
        assertThat(cache.evictions()).isEqualTo(1);

        origin.down = true;
        OriginCache restarted = cache(8);
        assertThat(restarted.images()).isEqualTo(2);
        assertThat(Files.readString(restarted.get("a.bin").get(5, TimeUnit.SECONDS).file())).isEqualTo("aaaa");
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** An origin in memory: objects by name, with an ETag each, that can be slowed down or taken away. */
    private static final class FakeOrigin implements Origin {
        private final Map<String, String> objects = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
        volatile CountDownLatch gate;
        volatile boolean down;

        void put(String name, String body) {
            objects.put(name, body);
        }

        int gets(String name) {
            return gets.getOrDefault(name, new AtomicInteger()).get();
        }

        @Override
        public Optional<Metadata> head(String name) {
            String body = objects.get(name);
            return body == null ? Optional.empty() : Optional.of(metadata(body));
        }

        @Override
        public Fetched fetch(String name, Optional<String> ifNoneMatch, Path target) throws OriginException {
            if (down) {
                throw new OriginException("connection refused");
            }
            CountDownLatch wait = gate;
            try {
                if (wait != null && !wait.await(5, TimeUnit.SECONDS)) {
                    throw new OriginException("test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OriginException("interrupted");
            }
            String body = objects.get(name);
            if (body == null) {
                return new Missing();
            }
            Metadata metadata = metadata(body);
            if (ifNoneMatch.equals(metadata.etag())) {
                return new NotModified(metadata);
            }
            gets.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            try {
                Files.writeString(target, body);
            } catch (IOException e) {
                throw new OriginException("write", e);
            }
            return new Body(metadata);
        }

        private static Metadata metadata(String body) {
            return new Metadata(body.getBytes(StandardCharsets.UTF_8).length,
                    Optional.of("\"" + Integer.toHexString(body.hashCode()) + "\""), Optional.empty());
        }

        @Override
        public String describe() {
            return "fake://";
        }

        @Override
        public void close() {
        }
    }
}

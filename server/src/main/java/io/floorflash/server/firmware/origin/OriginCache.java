package io.floorflash.server.firmware.origin;

import io.floorflash.config.OriginSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pull-through from an {@link Origin} into a folder on disk: each name is fetched once however many requests ask for
 * it (one flight per name; the others wait on it), checked (its length always, its SHA-256 when the origin states one
 * or lists it in a {@code SHA256SUMS} beside it), then renamed into place with a sidecar holding its etag, length,
 * SHA-256 and when it was fetched, so the index is rebuilt from the folder after a restart.
 *
 * <p>Freshness: a copy confirmed by the origin less than {@code revalidate-after} ago is served without asking; after
 * that one request asks with {@code If-None-Match} (a 304 confirms the copy), the others wait on it. Offline: when the
 * origin cannot answer, the last verified copy is served (one WARN per outage, one INFO when it answers again); a name
 * never fetched fails as {@link OriginUnavailable.Reason#UNREACHABLE}.
 *
 * <p>Fetches run on {@code fetchThreads}, never an event loop; {@link #get} never blocks. The folder is bounded by
 * {@code cache-dir-max-bytes}: after each new copy the least recently used others are deleted until it fits (last use
 * is kept in memory; after a restart it starts from each copy's fetch time).
 */
public final class OriginCache {
    private static final Logger log = LoggerFactory.getLogger(OriginCache.class);
    private static final String DATA = ".bin";
    private static final String SIDECAR = ".meta";
    private static final String TEMP = ".tmp";
    /** The manifest beside an image that lists SHA-256s ({@code sha256sum}'s format). */
    public static final String MANIFEST = "SHA256SUMS";
    /** Largest manifest fetched. */
    private static final long MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    /**
     * Looks a file up in a manifest's text: {@code (text, fileName) -> digest}. The firmware store supplies its
     * SHA256SUMS parser, so both read the same format the same way.
     */
    public interface ManifestReader extends BiFunction<String, String, Optional<String>> {
    }

    /**
     * One verified copy on disk.
     *
     * @param sha256        the SHA-256 of the file, computed here
     * @param stated        whether the origin stated that SHA-256 (a header, or its SHA256SUMS), not only the length
     * @param modifiedNanos the data file's modification time, with {@code fileKey} its identity for the firmware store
     */
    public record Copy(String name, Path file, long length, String sha256, boolean stated, Optional<String> etag,
                       Instant fetchedAt, long modifiedNanos, Object fileKey) {
    }

    /** A fetch under way, as the floor shows it. */
    public record Fetching(String name, long bytes, Instant startedAt) {
    }

    private static final class Entry {
        final Copy copy;
        /** When the origin last confirmed the copy ({@link #nanos}); 0 after a restart: ask before serving. */
        volatile long checkedNanos;
        volatile Instant checkedAt;
        volatile long lastUsedNanos;

        Entry(Copy copy, long checkedNanos, Instant checkedAt, long lastUsedNanos) {
            this.copy = copy;
            this.checkedNanos = checkedNanos;
            this.checkedAt = checkedAt;
            this.lastUsedNanos = lastUsedNanos;
        }
    }

    private static final class Flight {
        final String name;
        final Instant startedAt;
        final CompletableFuture<Copy> result = new CompletableFuture<>();
        volatile Path temp;
        /** Bytes in the temporary file at the last {@link #sampleProgress}. */
        volatile long bytes;

        Flight(String name, Instant startedAt) {
            this.name = name;
            this.startedAt = startedAt;
        }
    }

    private final Origin origin;
    private final Path dir;
    private final long maxBytes;
    private final long revalidateNanos;
    private final Duration fetchTimeout;
    private final Executor fetchThreads;
    private final ManifestReader manifests;
    private final LongSupplier nanos;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
    private final AtomicBoolean down = new AtomicBoolean();
    private final ConcurrentHashMap<String, LongAdder> fetches = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder staleServed = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /**
     * @param fetchThreads runs the fetches (blocking); bounded by the caller ({@code fetch-threads})
     * @param nanos        a monotonic clock for freshness ({@link System#nanoTime} outside tests)
     */
    public OriginCache(Origin origin, OriginSettings settings, Executor fetchThreads, ManifestReader manifests,
                       LongSupplier nanos, Clock clock) {
        this.origin = origin;
        this.dir = settings.cacheDir();
        this.maxBytes = settings.cacheDirMaxBytes();
        this.revalidateNanos = settings.revalidateAfter().toNanos();
        this.fetchTimeout = settings.fetchTimeout();
        this.fetchThreads = fetchThreads;
        this.manifests = manifests;
        this.nanos = nanos;
        this.clock = clock;
    }

    /**
     * Creates the folder and rebuilds the index from it: a data file with a sidecar that matches its length is kept;
     * temporary files, and data files or sidecars alone, are deleted. Blocking: at start, before serving.
     */
    public OriginCache open() throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            listing.forEach(files::add);
        }
        int kept = 0;
        for (Path file : files) {
            String fileName = file.getFileName().toString();
            if (fileName.endsWith(TEMP)) {
                Files.deleteIfExists(file);
            } else if (fileName.endsWith(SIDECAR)) {
                Copy copy = readSidecar(file);
                if (copy == null) {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(dataOf(file));
                } else {
                    long fetched = copy.fetchedAt().toEpochMilli();
                    long age = TimeUnit.MILLISECONDS.toNanos(Math.max(0, clock.millis() - fetched));
                    entries.put(copy.name(), new Entry(copy, nanos.getAsLong() - Math.max(age, revalidateNanos + 1),
                            copy.fetchedAt(), nanos.getAsLong() - age));
                    kept++;
                }
            } else if (fileName.endsWith(DATA) && !Files.exists(sidecarOf(file))) {
                Files.deleteIfExists(file);
            }
        }
        log.info("origin={} cache-dir={} images={} bytes={}", origin.describe(), dir, kept, diskBytes());
        return this;
    }

    /** Where it pulls from, for logs. */
    public String describe() {
        return origin.describe();
    }

    /**
     * A verified copy of {@code name} (a normalised name): at once when it is fresh, else after one fetch shared by
     * every caller. Fails with {@link OriginUnavailable}. A caller waits at most {@code fetch-timeout}: then it gets
     * the copy it had (stale) or {@link OriginUnavailable.Reason#STILL_FETCHING}, while the fetch goes on.
     */
    public CompletableFuture<Copy> get(String name) {
        Entry entry = entries.get(name);
        long now = nanos.getAsLong();
        if (entry != null) {
            entry.lastUsedNanos = now;
            if (now - entry.checkedNanos < revalidateNanos) {
                hits.increment();
                return CompletableFuture.completedFuture(entry.copy);
            }
        }
        CompletableFuture<Copy> flight = fetch(name, false).copy();
        if (entry != null) {
            return flight.completeOnTimeout(entry.copy, fetchTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return flight.orTimeout(fetchTimeout.toNanos(), TimeUnit.NANOSECONDS).exceptionallyCompose(error -> {
            Throwable cause = unwrap(error);
            if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(new OriginUnavailable(OriginUnavailable.Reason.STILL_FETCHING,
                        "origin fetch still running; try again"));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /**
     * The fetch of {@code name} under way, or a new one; unlike {@link #get}, no caller's patience applies (prefetch).
     * A fresh copy is revalidated anyway when {@code force}.
     */
    public CompletableFuture<Copy> refresh(String name, boolean force) {
        Entry entry = entries.get(name);
        if (!force && entry != null && nanos.getAsLong() - entry.checkedNanos < revalidateNanos) {
            return CompletableFuture.completedFuture(entry.copy);
        }
        return fetch(name, force).copy();
    }

    /** Fetches under way, with their bytes at the last {@link #sampleProgress}; touches no disk (an event loop may ask). */
    public List<Fetching> fetching() {
        List<Fetching> list = new ArrayList<>();
        for (Flight flight : flights.values()) {
            list.add(new Fetching(flight.name, flight.bytes, flight.startedAt));
        }
        list.sort(Comparator.comparing(Fetching::name));
        return list;
    }

    /** Reads how far each fetch under way has come (the size of its temporary file). Blocking: a timer thread's. */
    public void sampleProgress() {
        for (Flight flight : flights.values()) {
            Path temp = flight.temp;
            if (temp != null) {
                try {
                    flight.bytes = Files.size(temp);
                } catch (IOException e) {
                    // not created yet, or already renamed: the last sample stands
                }
            }
        }
    }

    /** Fetches under way, without touching the disk (a metric). */
    public int fetchesRunning() {
        return flights.size();
    }

    /** Fetches finished, by result: body, not-modified, missing, error, refused. */
    public long fetches(String result) {
        LongAdder count = fetches.get(result);
        return count == null ? 0 : count.sum();
    }

    /** Requests answered from a fresh or revalidated copy on disk. */
    public long hits() {
        return hits.sum();
    }

    /** Requests for a name with no copy on disk. */
    public long misses() {
        return misses.sum();
    }

    /** Requests answered with a copy the origin could not confirm (offline). */
    public long staleServed() {
        return staleServed.sum();
    }

    /** Copies deleted to keep the folder within cache-dir-max-bytes. */
    public long evictions() {
        return evictions.sum();
    }

    /** Copies on disk. */
    public int images() {
        return entries.size();
    }

    /** Bytes of copies on disk. */
    public long diskBytes() {
        long total = 0;
        for (Entry entry : entries.values()) {
            total += entry.copy.length();
        }
        return total;
    }

    /** Seconds since the origin last confirmed the oldest copy on disk: grows while the origin is away. */
    public double maxAgeSeconds() {
        Instant now = clock.instant();
        long oldest = 0;
        for (Entry entry : entries.values()) {
            oldest = Math.max(oldest, Duration.between(entry.checkedAt, now).toMillis());
        }
        return oldest / 1000.0;
    }

    /** Whether the last contact with the origin failed. */
    public boolean originDown() {
        return down.get();
    }

    /** Whether {@code name} has a copy on disk. */
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    private CompletableFuture<Copy> fetch(String name, boolean force) {
        Flight mine = new Flight(name, clock.instant());
        Flight flight = flights.putIfAbsent(name, mine);
        if (flight != null) {
            return flight.result;
        }
        Entry before = entries.get(name);
        if (before == null) {
            misses.increment();
        } else if (!force && nanos.getAsLong() - before.checkedNanos < revalidateNanos) {
            // A flight finished between the caller's look and this one: its copy is fresh, ask nobody.
            land(mine, before.copy, null);
            return mine.result;
        }
        try {
            fetchThreads.execute(() -> {
                try {
                    land(mine, run(mine, before), null);
                } catch (OriginUnavailable e) {
                    land(mine, null, e);
                } catch (RuntimeException | Error e) {
                    log.error("origin fetch of {} failed unexpectedly", name, e);
                    land(mine, null, new OriginUnavailable(OriginUnavailable.Reason.UNREACHABLE,
                            "origin fetch of " + name + " failed; see the server log"));
                }
            });
        } catch (RejectedExecutionException e) {
            land(mine, null, new OriginUnavailable(OriginUnavailable.Reason.UNREACHABLE, "origin fetches are shut down"));
        }
        return mine.result;
    }

    /** Ends a flight: out of the map first, so a caller woken by its result starts a new one if it must. */
    private void land(Flight flight, Copy copy, Throwable error) {
        flights.remove(flight.name, flight);
        if (error == null) {
            flight.result.complete(copy);
        } else {
            flight.result.completeExceptionally(error);
        }
    }

    /** One fetch, on a fetch thread. */
    private Copy run(Flight flight, Entry before) throws OriginUnavailable {
        String name = flight.name;
        String key = keyOf(name);
        Path temp = dir.resolve(key + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP);
        flight.temp = temp;
        long started = System.nanoTime();
        try {
            Origin.Fetched fetched;
            try {
                fetched = origin.fetch(name, before == null ? Optional.empty() : before.copy.etag(), temp);
            } catch (OriginException e) {
                count("error");
                return offline(name, before, e);
            }
            reachable();
            if (fetched instanceof Origin.NotModified) {
                count("not-modified");
                hits.increment();
                before.checkedNanos = nanos.getAsLong();
                before.checkedAt = clock.instant();
                log.debug("origin file={} not modified", name);
                return before.copy;
            }
            if (fetched instanceof Origin.Missing) {
                count("missing");
                if (before != null) {
                    drop(name, before);
                    log.info("origin file={} is gone from {}: its cached copy is deleted", name, origin.describe());
                }
                throw new OriginUnavailable(OriginUnavailable.Reason.MISSING, "File not found: " + name);
            }
            if (!(fetched instanceof Origin.Body body)) {
                throw new AssertionError(fetched);
            }
            Copy copy;
            try {
                copy = verify(name, key, temp, body.metadata());
            } catch (OriginUnavailable refusal) {
                if (before == null) {
                    throw refusal;
                }
                staleServed.increment();
                before.checkedNanos = nanos.getAsLong(); // the last verified copy, until the origin is fixed
                return before.copy;
            }
            count("body");
            log.info("origin file={} fetched from {} bytes={} sha256={} checked={} ms={}", name, origin.describe(),
                    copy.length(), copy.sha256(), copy.stated() ? "sha256+length" : "length",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return copy;
        } catch (IOException e) {
            count("error");
            log.warn("origin file={} could not be stored in {}: {}", name, dir, e.toString());
            if (before != null) {
                staleServed.increment();
                return before.copy;
            }
            throw new OriginUnavailable(OriginUnavailable.Reason.UNREACHABLE, name + " could not be stored in the"
                    + " origin cache; see the server log");
        } finally {
            flight.temp = null;
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                log.debug("temporary file {} could not be deleted: {}", temp, e.toString());
            }
        }
    }

    /** Checks the body in {@code temp} and moves it into place with its sidecar. */
    private Copy verify(String name, String key, Path temp, Origin.Metadata metadata) throws IOException, OriginUnavailable {
        long length = Files.size(temp);
        if (length != metadata.length()) {
            throw refused(name, length + " bytes arrived, the origin stated " + metadata.length());
        }
        if (length > maxBytes) {
            throw refused(name, length + " bytes, more than floorflash.firmware.cache-dir-max-bytes (" + maxBytes + ")");
        }
        String digest = sha256(temp);
        Optional<String> stated = metadata.sha256();
        if (stated.isEmpty()) {
            stated = listedInManifest(name);
        }
        if (stated.isPresent() && !stated.get().equals(digest)) {
            throw refused(name, "SHA-256 " + digest + ", the origin states " + stated.get());
        }
        Instant now = clock.instant();
        Path data = dir.resolve(key + DATA);
        Path sidecar = dir.resolve(key + SIDECAR);
        move(temp, data);
        BasicFileAttributes attributes = Files.readAttributes(data, BasicFileAttributes.class);
        Copy copy = new Copy(name, data, length, digest, stated.isPresent(), metadata.etag(), now,
                attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.fileKey());
        writeSidecar(sidecar, copy);
        long at = nanos.getAsLong();
        entries.put(name, new Entry(copy, at, now, at));
        evict(name);
        return copy;
    }

    /** The SHA-256 a SHA256SUMS beside {@code name} on the origin lists for it, if there is one. */
    private Optional<String> listedInManifest(String name) throws IOException {
        int slash = name.lastIndexOf('/');
        String folder = slash < 0 ? "" : name.substring(0, slash + 1);
        String fileName = name.substring(slash + 1);
        Path temp = dir.resolve(keyOf(folder + MANIFEST) + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + TEMP);
        try {
            Origin.Fetched fetched = origin.fetch(folder + MANIFEST, Optional.empty(), temp);
            if (!(fetched instanceof Origin.Body) || Files.size(temp) > MAX_MANIFEST_BYTES) {
                return Optional.empty();
            }
            return manifests.apply(Files.readString(temp, StandardCharsets.UTF_8), fileName);
        } catch (OriginException e) {
            // Without its manifest the image is still checked for length; an origin that failed just now has
            // answered the image itself, so this is rare and not worth refusing the image for.
            log.debug("origin {}{} could not be fetched: {}", folder, MANIFEST, e.getMessage());
            return Optional.empty();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private OriginUnavailable refused(String name, String why) {
        count("refused");
        log.warn("origin file={} is not served or cached: {}", name, why);
        return new OriginUnavailable(OriginUnavailable.Reason.REFUSED, name + " from the origin failed its check and is"
                + " not served; try again later");
    }

    private Copy offline(String name, Entry before, OriginException e) throws OriginUnavailable {
        if (down.compareAndSet(false, true)) {
            log.warn("origin {} is failing (unreachable, 5xx, too slow or cut short: {}): serving the copies in {}"
                    + " until it answers again; names not cached get ERROR 0 \"origin unreachable\"",
                    origin.describe(), e.getMessage(), dir);
        } else {
            log.debug("origin {} still cannot be reached: {}", origin.describe(), e.getMessage());
        }
        if (before != null) {
            staleServed.increment();
            before.checkedNanos = nanos.getAsLong(); // ask again after revalidate-after, not at every request
            return before.copy;
        }
        throw new OriginUnavailable(OriginUnavailable.Reason.UNREACHABLE, "origin unreachable: " + name
                + " is not cached here; try again later");
    }

    private void reachable() {
        if (down.compareAndSet(true, false)) {
            log.info("origin {} answers again", origin.describe());
        }
    }

    /** Deletes the least recently used copies other than {@code keep} until the folder fits its bound. */
    private synchronized void evict(String keep) {
        long total = diskBytes();
        if (total <= maxBytes) {
            return;
        }
        List<Entry> byUse = new ArrayList<>(entries.values());
        byUse.sort(Comparator.comparingLong(e -> e.lastUsedNanos));
        for (Entry entry : byUse) {
            if (total <= maxBytes) {
                break;
            }
            if (entry.copy.name().equals(keep)) {
                continue;
            }
            drop(entry.copy.name(), entry);
            evictions.increment();
            total -= entry.copy.length();
            log.info("origin file={} evicted from {} (floorflash.firmware.cache-dir-max-bytes)", entry.copy.name(), dir);
        }
    }

    private void drop(String name, Entry entry) {
        if (entries.remove(name, entry)) {
            try {
                Files.deleteIfExists(sidecarOf(entry.copy.file()));
                Files.deleteIfExists(entry.copy.file());
            } catch (IOException e) {
                log.warn("origin file={} could not be deleted from {}: {}", name, dir, e.toString());
            }
        }
    }

    private void count(String result) {
        fetches.computeIfAbsent(result, r -> new LongAdder()).increment();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void writeSidecar(Path sidecar, Copy copy) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("name", copy.name());
        properties.setProperty("length", Long.toString(copy.length()));
        properties.setProperty("sha256", copy.sha256());
        properties.setProperty("sha256-from-origin", Boolean.toString(copy.stated()));
        copy.etag().ifPresent(etag -> properties.setProperty("etag", etag));
        properties.setProperty("fetched-at", copy.fetchedAt().toString());
        Path temp = dir.resolve(sidecar.getFileName() + TEMP);
        try (OutputStream out = Files.newOutputStream(temp)) {
            properties.store(out, "floorflash origin cache: " + copy.name());
        }
        move(temp, sidecar);
    }

    /** The copy a sidecar describes, or null when it or its data file is missing, unreadable or of another length. */
    private static Copy readSidecar(Path sidecar) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(sidecar)) {
            properties.load(in);
            Path data = dataOf(sidecar);
            BasicFileAttributes attributes = Files.readAttributes(data, BasicFileAttributes.class);
            long length = Long.parseLong(properties.getProperty("length", "-1"));
            String name = properties.getProperty("name");
            String sha256 = properties.getProperty("sha256");
            if (name == null || sha256 == null || attributes.size() != length || !keyOf(name).equals(
                    data.getFileName().toString().replace(DATA, ""))) {
                return null;
            }
            return new Copy(name, data, length, sha256,
                    Boolean.parseBoolean(properties.getProperty("sha256-from-origin")),
                    Optional.ofNullable(properties.getProperty("etag")),
                    Instant.parse(properties.getProperty("fetched-at")),
                    attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.fileKey());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            log.warn("origin cache entry {} is unreadable and is deleted: {}", sidecar, e.toString());
            return null;
        }
    }

    private static Path dataOf(Path sidecar) {
        String fileName = sidecar.getFileName().toString();
        return sidecar.resolveSibling(fileName.substring(0, fileName.length() - SIDECAR.length()) + DATA);
    }

    private static Path sidecarOf(Path data) {
        String fileName = data.getFileName().toString();
        return data.resolveSibling(fileName.substring(0, fileName.length() - DATA.length()) + SIDECAR);
    }

    /** A file name for {@code name}: no folders, no characters a file system refuses, no collisions in practice. */
    static String keyOf(String name) {
        return sha256Hex(name.getBytes(StandardCharsets.UTF_8)).substring(0, 40);
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

}

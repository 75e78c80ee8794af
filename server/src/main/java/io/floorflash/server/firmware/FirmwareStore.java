package io.floorflash.server.firmware;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.floorflash.config.FirmwareSettings;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.Netascii;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.firmware.origin.OriginCache;
import io.floorflash.server.firmware.origin.OriginUnavailable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firmware served: files below one root, each version loaded once into direct memory and shared by every
 * transfer through a Caffeine cache bounded in bytes. Path checks, file-system calls and loads all run on the load
 * executor, never on an event loop; callers resume on their own loop with {@code whenCompleteAsync}.
 *
 * <p>Every {@link #open} looks at the file on disk (one {@code stat}); a file replaced since the last load has a new
 * {@link FileVersion} and so a new cache entry, while running transfers keep the image they hold. Many requests
 * for one version share one load.
 *
 * <p>Bounds: file-system work runs through a {@link LoadQueue} ({@code load-threads} at a time, each within
 * {@code load-timeout}: a stuck read fails its requests and cannot starve the others), and every image byte in
 * direct memory, cached or only pinned by transfers, counts against {@code memory-budget} ({@link ImageMemory}).
 * A version some transfer still holds is served from that copy, never read twice.
 *
 * <p>With an {@link OriginCache}, a name not found below the root (local files win when present) is pulled through
 * it: fetched once into its folder on disk, verified there, and from then on loaded and served like a local file.
 * Its SHA-256 is checked again as it is read into memory, against the one computed when it was fetched.
 */
public final class FirmwareStore {
    private static final Logger log = LoggerFactory.getLogger(FirmwareStore.class);
    /** 65535 blocks of 512 bytes: the most a client without blksize and without rollover can take. */
    public static final long PLAIN_CLIENT_LIMIT = 65535L * 512;
    private static final int MAX_LOAD_ATTEMPTS = 3;
    /** Versions refused for their checksum that are remembered. */
    private static final int MAX_REJECTED = 1024;
    /** Reads that may be stuck past their deadline at a time, per load thread, before every new read is refused. */
    private static final int MAX_STUCK_PER_THREAD = 4;

    private final Path root;
    private final Opener opener;
    private final LoadQueue loads;
    private final ImageMemory memory;
    /** floorflash.firmware.require-checksums; a reload may change it. */
    private volatile boolean requireChecksums;
    /** Versions refused for their checksum: refused again without a read. Cleared when it grows past a bound. */
    private final ConcurrentHashMap<ImageKey, FirmwareException> rejected = new ConcurrentHashMap<>();
    private final LongAdder checksumFailures = new LongAdder();
    private final AsyncLoadingCache<ImageKey, FirmwareImage> cache;
    /** Where names missing below the root come from, or null. */
    private final OriginCache origin;

    /**
     * The cache key: one version of one file in one mode, whatever name (or link) it was asked by, with the version
     * of the SHA256SUMS beside it (null when there is none): a changed manifest checks the file again; and whether
     * checksums were required, so a reload that starts requiring them never reuses an image checked without.
     */
    record ImageKey(FileVersion version, FileVersion checksums, TransferMode mode, boolean checksumsRequired,
                    Pulled pulled) {
        ImageKey(FileVersion version, FileVersion checksums, TransferMode mode, boolean checksumsRequired) {
            this(version, checksums, mode, checksumsRequired, null);
        }

        boolean sameFileAs(ImageKey other) {
            return version.realPath().equals(other.version.realPath()) && mode == other.mode;
        }
    }

    /**
     * A copy pulled from the origin: the name it was asked by, the SHA-256 computed when it was fetched, and whether
     * the origin stated that SHA-256 (else only its length was checked).
     */
    record Pulled(String name, String sha256, boolean stated) {
    }

    /**
     * @param loadExecutor runs path checks and loads (blocking I/O); {@code load-threads} at a time run, and a stuck
     *                     one is replaced, so it must not bound its threads (a cached pool)
     * @param ticker       the cache's clock, for idle expiry (a fake one in tests)
     */
    public FirmwareStore(FirmwareSettings settings, Executor loadExecutor, Ticker ticker) {
        this(settings, loadExecutor, ticker, (OriginCache) null);
    }

    /** A store that pulls names missing below the root through {@code origin} (null: none). */
    public FirmwareStore(FirmwareSettings settings, Executor loadExecutor, Ticker ticker, OriginCache origin) {
        this(settings, loadExecutor, ticker, path -> FileChannel.open(path, StandardOpenOption.READ), origin);
    }

    FirmwareStore(FirmwareSettings settings, Executor loadExecutor, Ticker ticker, Opener opener) {
        this(settings, loadExecutor, ticker, opener, null);
    }

    /** Opens a file for reading; a test can make it hang as a FIFO or a dead network file system would. */
    interface Opener {
        FileChannel open(Path path) throws IOException;
    }

    FirmwareStore(FirmwareSettings settings, Executor loadExecutor, Ticker ticker, Opener opener, OriginCache origin) {
        this.root = settings.root();
        this.origin = origin;
        this.opener = opener;
        this.loads = new LoadQueue(loadExecutor, settings.loadThreads(), settings.loadTimeout(),
                MAX_STUCK_PER_THREAD * settings.loadThreads());
        this.memory = new ImageMemory(settings.memoryBudget());
        this.requireChecksums = settings.requireChecksums();
        this.cache = Caffeine.newBuilder()
                .maximumWeight(settings.cacheMaxBytes())
                .weigher((ImageKey key, FirmwareImage image) -> (int) Math.min(image.size(), Integer.MAX_VALUE))
                .expireAfterAccess(settings.cacheIdleExpiry())
                .executor(loadExecutor)
                .ticker(ticker)
                .recordStats()
                .buildAsync((key, executor) -> loadOnce(key));
    }

    /** The folder served. */
    public Path root() {
        return root;
    }

    /**
     * The current version of {@code requested} in {@code mode}. Fails with a {@link FirmwareException} saying which
     * TFTP error to answer (1 not found, 2 refused, 0 unreadable).
     */
    public CompletableFuture<FirmwareImage> open(String requested, TransferMode mode) {
        FirmwareName name;
        try {
            name = FirmwareName.of(requested);
        } catch (FirmwareException e) {
            return CompletableFuture.failedFuture(e);
        }
        return open(name, mode, 1);
    }

    private CompletableFuture<FirmwareImage> open(FirmwareName name, TransferMode mode, int attempt) {
        return loads.run(name.toString(), "looking up " + name, () -> currentVersion(name))
                .exceptionallyCompose(error -> pullOnMiss(name, error))
                .thenCompose(found -> cache.get(new ImageKey(found.version(), found.checksums(), mode,
                        requireChecksums, found.pulled())))
                .handle((image, error) -> {
                    Throwable cause = unwrap(error);
                    if (cause instanceof FileChangedException && attempt < MAX_LOAD_ATTEMPTS) {
                        return open(name, mode, attempt + 1);
                    }
                    return error == null ? CompletableFuture.completedFuture(image) : CompletableFuture.<FirmwareImage>failedFuture(translate(name, cause));
                })
                .thenCompose(f -> f);
    }

    /**
     * Sets floorflash.firmware.require-checksums for the images loaded from now on (a reload). Turned off, files no
     * SHA256SUMS lists are served again; turned on, each image is checked again when next asked for (one a running
     * transfer holds goes on).
     */
    public void requireChecksums(boolean required) {
        if (requireChecksums == required) {
            return;
        }
        requireChecksums = required;
        cache.synchronous().asMap().keySet().removeIf(key -> key.checksumsRequired() != required);
    }

    /**
     * Runs {@code work} (blocking: reading templates and inventories) on the load queue, under the same
     * {@code load-threads} and {@code load-timeout} as file reads; a failure that is not a {@link FirmwareException}
     * answers ERROR 0 naming {@code name}.
     */
    public <T> CompletableFuture<T> generate(String name, Callable<T> work) {
        return loads.run("generated " + name, "making " + name, work).handle((done, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(done);
            }
            Throwable cause = unwrap(error);
            if (cause instanceof FirmwareException refusal) {
                return CompletableFuture.<T>failedFuture(refusal);
            }
            log.warn("file={} could not be made: {}", name, String.valueOf(cause));
            return CompletableFuture.<T>failedFuture(new FirmwareException(ErrorCode.NOT_DEFINED, name
                    + " could not be made; see the server log"));
        }).thenCompose(f -> f);
    }

    /**
     * An image of {@code octets}, made for one request rather than read from a file (a per-device settings file):
     * converted for netascii, never cached here. Call it from {@link #generate}'s work, off the event loops.
     */
    public FirmwareImage generatedImage(String name, TransferMode mode, ByteBuffer octets, String sha256) {
        boolean netascii = mode == TransferMode.NETASCII;
        ByteBuffer bytes = netascii ? toNetascii(octets.duplicate(), memory, name) : octets.duplicate();
        return new FirmwareImage(name, mode, bytes, netascii ? sha256(bytes) : sha256, null);
    }

    /** Hits, misses and loads so far. */
    public CacheStats stats() {
        return cache.synchronous().stats();
    }

    /** Bytes of images held by the cache now. */
    public long cachedBytes() {
        return cache.synchronous().policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    /**
     * Drops every image from the cache, for a server that stops. Running transfers keep the images they hold (see
     * {@link FirmwareImage}); the load executor belongs to the caller.
     */
    public void close() {
        cache.synchronous().invalidateAll();
    }

    /** Bytes of image in direct memory now: cached, pinned by running transfers, being converted. */
    public long imageMemoryBytes() {
        return memory.used();
    }

    /** floorflash.firmware.memory-budget. */
    public long imageMemoryBudget() {
        return memory.budget();
    }

    /** Loads refused because the memory budget stayed exhausted. */
    public long imageMemoryRefusals() {
        return memory.refused();
    }

    /** Versions of files refused because their SHA-256 differs from their SHA256SUMS, or no SHA256SUMS lists them. */
    public long checksumFailures() {
        return checksumFailures.sum();
    }

    /** Reads stuck past floorflash.firmware.load-timeout whose threads have not returned. */
    public int stuckLoads() {
        return loads.stuck();
    }

    /** Images held by the cache now (an estimate while loads and evictions are under way). */
    public long cachedImages() {
        return cache.synchronous().estimatedSize();
    }

    /** How the origin cache reads a SHA256SUMS fetched from the origin: as this store reads one on disk. */
    public static OriginCache.ManifestReader manifestReader() {
        return (text, fileName) -> Sha256Sums.parse(text).digestOf(fileName);
    }

    /** The names a SHA256SUMS text lists (files beside it), sorted. */
    public static List<String> manifestNames(String text) {
        return Sha256Sums.parse(text).names();
    }

    /** The pull-through cache, or null when no origin is configured. */
    public OriginCache origin() {
        return origin;
    }

    /**
     * A file found below the root, and the SHA256SUMS beside it (null when there is none); or a copy pulled from the
     * origin ({@code pulled} not null).
     */
    private record Found(FileVersion version, FileVersion checksums, Pulled pulled) {
        Found(FileVersion version, FileVersion checksums) {
            this(version, checksums, null);
        }
    }

    /** A name not found below the root, asked of the origin; any other failure is passed on. */
    private CompletableFuture<Found> pullOnMiss(FirmwareName name, Throwable error) {
        Throwable cause = unwrap(error);
        if (origin == null || !(cause instanceof FirmwareException missing) || missing.code() != ErrorCode.FILE_NOT_FOUND) {
            return CompletableFuture.failedFuture(cause);
        }
        return origin.get(name.toString()).thenApply(copy -> new Found(
                new FileVersion(copy.file(), copy.length(), copy.modifiedNanos(), copy.fileKey()), null,
                new Pulled(copy.name(), copy.sha256(), copy.stated())));
    }

    /** Resolves {@code name} below the root, following links, and refuses what ends up outside it. Blocking. */
    private Found currentVersion(FirmwareName name) {
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new FirmwareException(ErrorCode.NOT_DEFINED, "Firmware root is not available");
        }
        Path real;
        try {
            real = name.resolveUnder(root).toRealPath();
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new FirmwareException(ErrorCode.FILE_NOT_FOUND, "File not found: " + name);
        } catch (AccessDeniedException e) {
            throw new FirmwareException(ErrorCode.ACCESS_VIOLATION, "Access violation: " + name + " is not readable");
        } catch (IOException e) {
            throw new FirmwareException(ErrorCode.FILE_NOT_FOUND, "File not found: " + name);
        }
        if (!real.startsWith(realRoot)) {
            throw new FirmwareException(ErrorCode.ACCESS_VIOLATION,
                    "Access violation: " + name + " resolves outside the firmware root");
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(real, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new FirmwareException(ErrorCode.FILE_NOT_FOUND, "File not found: " + name);
        }
        if (attributes.isDirectory()) {
            throw new FirmwareException(ErrorCode.ACCESS_VIOLATION, "Access violation: " + name + " is a directory");
        }
        if (!attributes.isRegularFile()) {
            throw new FirmwareException(ErrorCode.ACCESS_VIOLATION, "Access violation: " + name + " is not a regular file");
        }
        if (attributes.size() > Integer.MAX_VALUE - 8) {
            throw new FirmwareException(ErrorCode.ACCESS_VIOLATION, "Access violation: " + name + " is "
                    + attributes.size() + " bytes, more than this server can hold in memory (2 GiB)");
        }
        return new Found(FileVersion.of(real, attributes), checksumsBeside(real));
    }

    /** The version of the SHA256SUMS in {@code file}'s folder, or null. Blocking. */
    private static FileVersion checksumsBeside(Path file) {
        Path sums = file.resolveSibling(Sha256Sums.FILE_NAME);
        try {
            BasicFileAttributes attributes = Files.readAttributes(sums, BasicFileAttributes.class);
            return attributes.isRegularFile() ? FileVersion.of(sums, attributes) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The cache loader: the copy a transfer still holds, else a read from disk through the load queue. */
    private CompletableFuture<FirmwareImage> loadOnce(ImageKey key) {
        FirmwareException refused = rejected.get(key);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        FirmwareImage held = memory.alive(key);
        if (held != null) {
            return CompletableFuture.completedFuture(held);
        }
        return loads.run(key.version().realPath(), "reading " + key.version().realPath(), () -> load(key));
    }

    /** Reads {@code key}'s version into direct memory; runs on a load thread. */
    private FirmwareImage load(ImageKey key) throws IOException {
        long started = System.nanoTime();
        String name = key.pulled() != null ? key.pulled().name() : nameOf(key.version().realPath());
        ByteBuffer octets = readFully(key.version(), name);
        String fileDigest = sha256(octets);
        verify(key, name, fileDigest);
        boolean netascii = key.mode() == TransferMode.NETASCII;
        ByteBuffer bytes = netascii ? toNetascii(octets, memory, name) : octets;
        Instant modified = Instant.EPOCH.plusNanos(key.version().modifiedNanos());
        FirmwareImage image = new FirmwareImage(name, key.mode(), bytes, netascii ? sha256(bytes) : fileDigest, modified);
        memory.remember(key, image);
        cache.synchronous().asMap().keySet().removeIf(other -> other.sameFileAs(key) && !other.equals(key));
        log.info("loaded file={} mode={} bytes={} sha256={} ms={}", name, key.mode().wireName(), image.size(),
                image.sha256(), (System.nanoTime() - started) / 1_000_000);
        if (image.size() >= PLAIN_CLIENT_LIMIT) {
            log.warn("file={} is {} bytes: a client without blksize (512-byte blocks, e.g. the Snom bootloader) needs "
                    + "more than 65535 blocks and must roll block numbers over, which many bootloaders cannot; "
                    + "Snom advises HTTP for images over 32 MB (see floorflash.transfer.rollover)", name, image.size());
        }
        return image;
    }

    /**
     * Checks the file's SHA-256 against the SHA256SUMS beside it. A mismatch, an unreadable manifest, or (with
     * require-checksums) a file it does not list is refused: remembered for this version, logged once, counted.
     */
    private void verify(ImageKey key, String name, String fileDigest) {
        String fileName = key.version().realPath().getFileName().toString();
        String refusal;
        FirmwareException.Verification kind = FirmwareException.Verification.MISMATCH;
        if (key.pulled() != null) {
            if (!key.pulled().sha256().equals(fileDigest)) {
                refusal = name + " failed its checksum and is not served: its copy from the origin now has SHA-256 "
                        + fileDigest + ", it had " + key.pulled().sha256() + " when fetched";
            } else if (key.checksumsRequired() && !key.pulled().stated()) {
                refusal = name + " is not served: the origin states no SHA-256 for it"
                        + " (floorflash.firmware.require-checksums)";
                kind = FirmwareException.Verification.NOT_LISTED;
            } else {
                return;
            }
        } else if (key.checksums() == null) {
            if (!key.checksumsRequired()) {
                return;
            }
            refusal = name + " is not served: no " + Sha256Sums.FILE_NAME + " beside it lists it"
                    + " (floorflash.firmware.require-checksums)";
            kind = FirmwareException.Verification.NOT_LISTED;
        } else {
            Sha256Sums sums;
            try {
                sums = Sha256Sums.read(key.checksums().realPath());
            } catch (IOException e) {
                throw reject(key, name + " is not served: the " + Sha256Sums.FILE_NAME + " beside it cannot be read ("
                        + e.getMessage() + ")", kind);
            }
            String listed = sums.digestOf(fileName).orElse(null);
            if (listed == null) {
                if (!key.checksumsRequired()) {
                    return;
                }
                refusal = name + " is not served: the " + Sha256Sums.FILE_NAME + " beside it does not list it"
                        + " (floorflash.firmware.require-checksums)";
                kind = FirmwareException.Verification.NOT_LISTED;
            } else if (listed.equals(fileDigest)) {
                return;
            } else {
                refusal = name + " failed its checksum and is not served: SHA-256 " + fileDigest + ", "
                        + Sha256Sums.FILE_NAME + " lists " + listed;
            }
        }
        throw reject(key, refusal, kind);
    }

    private FirmwareException reject(ImageKey key, String refusal, FirmwareException.Verification kind) {
        FirmwareException refused = new FirmwareException(ErrorCode.NOT_DEFINED, refusal, kind);
        if (rejected.size() >= MAX_REJECTED) {
            rejected.clear();
        }
        if (rejected.putIfAbsent(key, refused) == null) {
            checksumFailures.increment();
            log.warn("{}", refusal);
        }
        return refused;
    }

    /** The file's path below the real root, as logged. Blocking. */
    private String nameOf(Path realPath) {
        try {
            return root.toRealPath().relativize(realPath).toString();
        } catch (IOException | IllegalArgumentException e) {
            return realPath.toString();
        }
    }

    /** Reads the whole file into direct memory, and checks that it did not change while being read. */
    private ByteBuffer readFully(FileVersion version, String name) throws IOException {
        ByteBuffer buffer;
        try (FileChannel channel = opener.open(version.realPath())) {
            long size = channel.size();
            if (size != version.size()) {
                throw new FileChangedException();
            }
            buffer = memory.allocate((int) size, name);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new FileChangedException();
                }
            }
            if (channel.read(ByteBuffer.allocate(1)) >= 0) {
                throw new FileChangedException();
            }
        }
        BasicFileAttributes after = Files.readAttributes(version.realPath(), BasicFileAttributes.class);
        if (!FileVersion.of(version.realPath(), after).equals(version)) {
            throw new FileChangedException();
        }
        return buffer.flip();
    }

    private static ByteBuffer toNetascii(ByteBuffer octets, ImageMemory memory, String name) {
        ByteBuf source = Unpooled.wrappedBuffer(octets.duplicate());
        long length = Netascii.encodedLength(source);
        if (length > Integer.MAX_VALUE - 8) {
            throw new FirmwareException(ErrorCode.ACCESS_VIOLATION, "Access violation: too large for netascii");
        }
        ByteBuffer converted = memory.allocate((int) length, name + " (netascii)");
        ByteBuf target = Unpooled.wrappedBuffer(converted);
        target.writerIndex(0);
        Netascii.encode(source, target);
        return converted;
    }

    private static String sha256(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes.duplicate());
            return HexFormat.of().formatHex(digest.digest());
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

    private FirmwareException translate(FirmwareName name, Throwable cause) {
        if (cause instanceof FirmwareException) {
            return (FirmwareException) cause;
        }
        if (cause instanceof OriginUnavailable unavailable) {
            return new FirmwareException(unavailable.reason() == OriginUnavailable.Reason.MISSING
                    ? ErrorCode.FILE_NOT_FOUND : ErrorCode.NOT_DEFINED, unavailable.getMessage());
        }
        if (cause instanceof FileChangedException) {
            return new FirmwareException(ErrorCode.NOT_DEFINED, name + " is being written; try again shortly");
        }
        if (cause instanceof NoSuchFileException) {
            return new FirmwareException(ErrorCode.FILE_NOT_FOUND, "File not found: " + name);
        }
        if (cause instanceof AccessDeniedException) {
            return new FirmwareException(ErrorCode.ACCESS_VIOLATION, "Access violation: " + name + " is not readable");
        }
        log.warn("file={} could not be loaded: {}", name, String.valueOf(cause));
        return new FirmwareException(ErrorCode.NOT_DEFINED, name + " could not be read");
    }

    /** The file changed on disk while it was being read; the load is tried again. */
    private static final class FileChangedException extends IOException {
        private static final long serialVersionUID = 1L;

        FileChangedException() {
            super("file changed while loading", null);
        }
    }
}

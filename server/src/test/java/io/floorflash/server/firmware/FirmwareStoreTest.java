package io.floorflash.server.firmware;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.floorflash.config.FirmwareSettings;
import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.TestSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FirmwareStoreTest {
    private static final Duration IDLE_EXPIRY = Duration.ofMinutes(10);
    private static final int LOAD_THREADS = 4;

    @TempDir
    Path root;
    @TempDir
    Path outside;

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final QueueExecutor executor = new QueueExecutor();
    private FirmwareStore store;

    @BeforeEach
    void createStore() {
        store = storeWith(1L << 30, executor);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 511, 512, 513, 100_000})
    void servesTheBytesOfTheFileWithItsNameAndSize(int size) throws IOException {
        byte[] content = randomBytes(size, size);
        Files.createDirectories(root.resolve("sub"));
        Files.write(root.resolve("sub/snom320.bin"), content);

        FirmwareImage image = await(store.open("/sub/snom320.bin", TransferMode.OCTET));

        assertThat(image.name()).isEqualTo("sub/snom320.bin");
        assertThat(image.mode()).isEqualTo(TransferMode.OCTET);
        assertThat(image.size()).isEqualTo(size);
        assertThat(bytesOf(image)).isEqualTo(content);
        assertThat(image.sha256()).isEqualTo(sha256(content));
    }

    @Test
    void servesASliceOfTheImageAsABlock() throws IOException {
        byte[] content = randomBytes(2000, 7);
        Files.write(root.resolve("a.bin"), content);
        FirmwareImage image = await(store.open("a.bin", TransferMode.OCTET));

        ByteBuf block = image.block(512, 512);
        try {
            assertThat(ByteBufUtil.getBytes(block)).isEqualTo(Arrays.copyOfRange(content, 512, 1024));
            assertThat(block.isReadOnly()).isTrue();
        } finally {
            block.release();
        }
    }

    @Test
    void convertsNetasciiLineEndsAndReportsTheConvertedSize() throws IOException {
        Files.write(root.resolve("provisioning.cfg"), "a\nb\rc\r\nd".getBytes(US_ASCII));
        byte[] converted = "a\r\nb\r\0c\r\0\r\nd".getBytes(US_ASCII);

        FirmwareImage image = await(store.open("provisioning.cfg", TransferMode.NETASCII));

        assertThat(image.mode()).isEqualTo(TransferMode.NETASCII);
        assertThat(image.size()).isEqualTo(converted.length);
        assertThat(bytesOf(image)).isEqualTo(converted);
        assertThat(image.sha256()).isEqualTo(sha256(converted));
    }

    @Test
    void keepsOctetAndNetasciiImagesOfOneFileApart() throws IOException {
        byte[] content = "line\n".getBytes(US_ASCII);
        Files.write(root.resolve("a.txt"), content);

        FirmwareImage netascii = await(store.open("a.txt", TransferMode.NETASCII));
        FirmwareImage octet = await(store.open("a.txt", TransferMode.OCTET));

        assertThat(bytesOf(octet)).isEqualTo(content);
        assertThat(bytesOf(netascii)).isEqualTo("line\r\n".getBytes(US_ASCII));
        assertThat(store.stats().loadCount()).isEqualTo(2);
    }

    @Test
    void loadsOnceFor500SimultaneousRequests() throws Exception {
        Files.write(root.resolve("snom320.bin"), randomBytes(300_000, 1));
        ExecutorService pool = Executors.newFixedThreadPool(LOAD_THREADS);
        try {
            FirmwareStore concurrent = storeWith(1L << 30, pool);
            CountDownLatch gate = new CountDownLatch(1);
            occupy(pool, gate);
            List<CompletableFuture<FirmwareImage>> opens = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                opens.add(concurrent.open("snom320.bin", TransferMode.OCTET));
            }
            assertThat(opens).noneMatch(CompletableFuture::isDone);

            gate.countDown();
            FirmwareImage first = opens.get(0).orTimeout(10, SECONDS).join();
            for (CompletableFuture<FirmwareImage> open : opens) {
                assertThat(open.orTimeout(10, SECONDS).join()).isSameAs(first);
            }
            // Caffeine counts a load in a callback that may run after the callers resume: wait for an idle pool.
            CountDownLatch done = new CountDownLatch(1);
            occupy(pool, done);
            assertThat(concurrent.stats().loadCount()).isEqualTo(1);
            assertThat(concurrent.stats().requestCount()).isEqualTo(500);
            done.countDown();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void servesNewBytesAfterTheFileIsRewrittenWhileEarlierImagesKeepTheOldBytes() throws IOException {
        Path file = root.resolve("snom320.bin");
        byte[] before = randomBytes(4096, 1);
        byte[] after = randomBytes(4096, 2);
        Files.write(file, before);
        FirmwareImage old = await(store.open("snom320.bin", TransferMode.OCTET));

        FileTime modified = Files.getLastModifiedTime(file);
        Files.write(file, after);
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified.toMillis() + 1000));
        FirmwareImage current = await(store.open("snom320.bin", TransferMode.OCTET));

        assertThat(current).isNotSameAs(old);
        assertThat(bytesOf(current)).isEqualTo(after);
        assertThat(current.sha256()).isEqualTo(sha256(after));
        assertThat(bytesOf(old)).isEqualTo(before);
        assertThat(old.sha256()).isEqualTo(sha256(before));
    }

    @Test
    void servesNewBytesAfterAnAtomicRenameWhileEarlierImagesKeepTheOldBytes() throws IOException {
        Path file = root.resolve("snom320.bin");
        byte[] before = randomBytes(4096, 1);
        byte[] after = randomBytes(4096, 2);
        Files.write(file, before);
        FirmwareImage old = await(store.open("snom320.bin", TransferMode.OCTET));

        // Same size and same modification time: only the new inode tells the versions apart.
        Path staged = root.resolve(".snom320.bin.tmp");
        Files.write(staged, after);
        Files.setLastModifiedTime(staged, Files.getLastModifiedTime(file));
        Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FirmwareImage current = await(store.open("snom320.bin", TransferMode.OCTET));

        assertThat(bytesOf(current)).isEqualTo(after);
        assertThat(bytesOf(old)).isEqualTo(before);
        assertThat(old.sha256()).isEqualTo(sha256(before));
    }

    @Test
    void loadsTheNewVersionWhenTheFileChangesBetweenItsCheckAndItsLoad() throws IOException {
        Path file = root.resolve("snom320.bin");
        byte[] before = randomBytes(4096, 1);
        byte[] after = randomBytes(4096, 2);
        Files.write(file, before);
        FileTime modified = Files.getLastModifiedTime(file);
        AtomicLong opened = new AtomicLong();
        // The file changes after the store looked at it, just before its first read opens it.
        FirmwareStore store = storeOpening(path -> {
            if (opened.getAndIncrement() == 0) {
                rewrite(file, after, FileTime.fromMillis(modified.toMillis() + 1000));
            }
            return FileChannel.open(path, StandardOpenOption.READ);
        });

        FirmwareImage image = await(store.open("snom320.bin", TransferMode.OCTET));

        assertThat(bytesOf(image)).isEqualTo(after);
        assertThat(store.stats().loadFailureCount()).isEqualTo(1);
        assertThat(store.stats().loadSuccessCount()).isEqualTo(1);
    }

    @Test
    void answersErrorZeroWhileTheFileKeepsChanging() throws IOException {
        Path file = root.resolve("snom320.bin");
        Files.write(file, randomBytes(4096, 1));
        long modified = Files.getLastModifiedTime(file).toMillis();
        AtomicLong rewrites = new AtomicLong();
        FirmwareStore store = storeOpening(path -> {
            rewrite(file, randomBytes(4096, rewrites.incrementAndGet()), FileTime.fromMillis(modified + 1000 * rewrites.get()));
            return FileChannel.open(path, StandardOpenOption.READ);
        });

        CompletableFuture<FirmwareImage> open = store.open("snom320.bin", TransferMode.OCTET);
        Throwable thrown = catchThrowable(() -> await(open));
        assertThat(thrown).hasCauseInstanceOf(FirmwareException.class);
        FirmwareException refusal = (FirmwareException) thrown.getCause();

        assertThat(refusal.code()).isEqualTo(ErrorCode.NOT_DEFINED);
        assertThat(refusal).hasMessage("snom320.bin is being written; try again shortly");
        assertThat(store.stats().loadFailureCount()).isEqualTo(3);
    }

    @Test
    void answersFileNotFoundForAMissingFile() {
        FirmwareException refusal = refusalOf("missing.bin");

        assertThat(refusal.code()).isEqualTo(ErrorCode.FILE_NOT_FOUND);
        assertThat(refusal).hasMessage("File not found: missing.bin");
    }

    @Test
    void answersFileNotFoundBelowAMissingDirectory() {
        assertThat(refusalOf("no/such/dir/a.bin").code()).isEqualTo(ErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void refusesADirectory() throws IOException {
        Files.createDirectories(root.resolve("sub"));

        FirmwareException refusal = refusalOf("sub");

        assertThat(refusal.code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refusal).hasMessageContaining("is a directory");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.bin", "a/../../outside.bin", "..\\outside.bin", "C:\\boot.ini", "/", "a\0.bin"})
    void refusesTraversalNamesWithoutTouchingTheDisk(String requested) {
        FirmwareException refusal = refusalOf(requested);

        assertThat(refusal.code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(executor.ran()).isZero();
    }

    @Test
    void refusesASymlinkThatResolvesOutsideTheRoot() throws IOException {
        Files.write(outside.resolve("secret.bin"), randomBytes(10, 3));
        Files.createSymbolicLink(root.resolve("link.bin"), outside.resolve("secret.bin"));

        FirmwareException refusal = refusalOf("link.bin");

        assertThat(refusal.code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refusal).hasMessageContaining("resolves outside");
        assertThat(store.stats().loadCount()).isZero();
    }

    @Test
    void servesASymlinkToAFileInsideTheRoot() throws IOException {
        byte[] content = randomBytes(1000, 4);
        Files.createDirectories(root.resolve("v2"));
        Files.write(root.resolve("v2/snom320.bin"), content);
        Files.createSymbolicLink(root.resolve("snom320.bin"), Path.of("v2/snom320.bin"));

        FirmwareImage image = await(store.open("snom320.bin", TransferMode.OCTET));

        assertThat(image.name()).isEqualTo("v2/snom320.bin");
        assertThat(bytesOf(image)).isEqualTo(content);
    }

    @Test
    void loadsAFileOnceWhateverNameOrLinkItIsAskedBy() throws IOException {
        Files.createDirectories(root.resolve("v2"));
        Files.write(root.resolve("v2/snom320.bin"), randomBytes(1000, 5));
        Files.createSymbolicLink(root.resolve("snom320.bin"), Path.of("v2/snom320.bin"));

        FirmwareImage viaLink = await(store.open("snom320.bin", TransferMode.OCTET));
        FirmwareImage direct = await(store.open("/v2/snom320.bin", TransferMode.OCTET));
        FirmwareImage viaLinkAgain = await(store.open("snom320.bin", TransferMode.OCTET));

        assertThat(direct).isSameAs(viaLink);
        assertThat(viaLinkAgain).isSameAs(viaLink);
        assertThat(store.stats().loadCount()).isEqualTo(1);
    }

    @Test
    void refusesAFileBelowASymlinkedDirectoryOutsideTheRoot() throws IOException {
        Files.write(outside.resolve("secret.bin"), randomBytes(10, 3));
        Files.createSymbolicLink(root.resolve("linked"), outside);

        FirmwareException refusal = refusalOf("linked/secret.bin");

        assertThat(refusal.code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
        assertThat(refusal).hasMessageContaining("resolves outside");
    }

    @Test
    void refusesAnUnreadableFile() throws IOException {
        Path file = root.resolve("locked.bin");
        Files.write(file, randomBytes(10, 5));
        Files.setPosixFilePermissions(file, Set.of());
        // Root (uid 0, as in many CI containers) reads a mode 000 file anyway, so there is nothing to refuse.
        assumeThat(Files.isReadable(file)).as("file with mode 000 is unreadable (not so for root)").isFalse();

        try {
            FirmwareException refusal = refusalOf("locked.bin");

            assertThat(refusal.code()).isEqualTo(ErrorCode.ACCESS_VIOLATION);
            assertThat(refusal).hasMessageContaining("not readable");
        } finally {
            Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
    }

    @Test
    void keepsCachedBytesWithinTheBound() throws IOException {
        FirmwareStore small = storeWith(1000, executor);
        Files.write(root.resolve("a.bin"), randomBytes(600, 1));
        Files.write(root.resolve("b.bin"), randomBytes(600, 2));

        await(small.open("a.bin", TransferMode.OCTET));
        await(small.open("b.bin", TransferMode.OCTET));

        assertThat(small.cachedBytes()).isPositive().isLessThanOrEqualTo(1000);
        assertThat(small.stats().evictionCount()).isEqualTo(1);
    }

    @Test
    void loadsAgainAfterTheIdleExpiry() throws IOException {
        Files.write(root.resolve("a.bin"), randomBytes(100, 1));
        await(store.open("a.bin", TransferMode.OCTET));

        nanos.addAndGet(IDLE_EXPIRY.minusSeconds(1).toNanos());
        await(store.open("a.bin", TransferMode.OCTET));
        assertThat(store.stats().loadCount()).isEqualTo(1);

        nanos.addAndGet(IDLE_EXPIRY.plusSeconds(1).toNanos());
        FirmwareImage reloaded = await(store.open("a.bin", TransferMode.OCTET));

        assertThat(store.stats().loadCount()).isEqualTo(2);
        assertThat(reloaded.size()).isEqualTo(100);
    }

    @Test
    void dropsTheOldVersionWhenANewVersionLoads() throws IOException {
        Path file = root.resolve("a.bin");
        Files.write(file, randomBytes(100, 1));
        await(store.open("a.bin", TransferMode.OCTET));
        assertThat(store.cachedBytes()).isEqualTo(100);

        FileTime modified = Files.getLastModifiedTime(file);
        Files.write(file, randomBytes(300, 2));
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified.toMillis() + 1000));
        await(store.open("a.bin", TransferMode.OCTET));

        assertThat(store.cachedBytes()).isEqualTo(300);
        assertThat(store.stats().loadCount()).isEqualTo(2);
    }

    @Test
    void aReadStuckInAFifoFailsItsRequestsAtTheDeadlineAndOtherFilesStillLoad() throws Exception {
        Files.write(root.resolve("stuck.bin"), randomBytes(1000, 1));
        Files.write(root.resolve("fine.bin"), randomBytes(1000, 2));
        Path fifo = outside.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).as("mkfifo").isZero();
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            // One read at a time; stuck.bin's read opens a FIFO no one writes to: open(2) blocks in the kernel.
            FirmwareStore stuck = new FirmwareStore(firmware(1L << 20, 2L << 20, Overrides.none()
                    .with(Key.FIRMWARE_LOAD_TIMEOUT, Duration.ofMillis(300))), threads, ticker, path -> FileChannel.open(
                    path.endsWith("stuck.bin") ? fifo : path, StandardOpenOption.READ));

            CompletableFuture<FirmwareImage> first = stuck.open("stuck.bin", TransferMode.OCTET);
            Throwable failure = catchThrowable(() -> first.orTimeout(10, SECONDS).join());
            assertThat(failure).hasCauseInstanceOf(FirmwareException.class);
            FirmwareException refusal = (FirmwareException) failure.getCause();
            assertThat(refusal.code()).isEqualTo(ErrorCode.NOT_DEFINED);
            assertThat(refusal.getMessage()).startsWith("reading ").endsWith("stuck.bin did not finish within 300 ms; try again later");
            assertThat(stuck.stuckLoads()).isOne();

            Throwable again = catchThrowable(() -> stuck.open("stuck.bin", TransferMode.OCTET).orTimeout(1, SECONDS).join());
            assertThat(again.getCause()).as("refused at once").isInstanceOf(FirmwareException.class)
                    .hasMessageContaining("stuck.bin");
            assertThat(stuck.stuckLoads()).as("no second thread stuck").isOne();
            assertThat(stuck.open("fine.bin", TransferMode.OCTET).orTimeout(10, SECONDS).join().size())
                    .as("the one load thread is not lost to the stuck read").isEqualTo(1000);

            // A writer opens the FIFO and closes it: the read returns (with a changed file), and the file is served.
            Files.newOutputStream(fifo).close();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stuck.stuckLoads() == 0);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aVersionATransferStillHoldsIsServedFromThatCopyEvenWhenTooLargeToCache() throws IOException {
        FirmwareStore small = new FirmwareStore(firmware(100, 10_000, Overrides.none()), executor, ticker);
        Files.write(root.resolve("big.bin"), randomBytes(600, 1));

        FirmwareImage held = await(small.open("big.bin", TransferMode.OCTET));
        FirmwareImage again = await(small.open("big.bin", TransferMode.OCTET));

        assertThat(again).isSameAs(held);
        assertThat(small.cachedBytes()).as("larger than the cache").isZero();
        assertThat(small.imageMemoryBytes()).as("one copy").isEqualTo(600);
    }

    @Test
    void imagesPinnedBeyondTheCacheCountAgainstTheBudgetAndALoadPastItIsRefused() throws IOException {
        FirmwareStore small = new FirmwareStore(firmware(1000, 1500, Overrides.none()), executor, ticker);
        Files.write(root.resolve("a.bin"), randomBytes(600, 1));
        Files.write(root.resolve("b.bin"), randomBytes(600, 2));
        Files.write(root.resolve("c.bin"), randomBytes(600, 3));
        List<FirmwareImage> transfers = new ArrayList<>();
        transfers.add(await(small.open("a.bin", TransferMode.OCTET)));
        transfers.add(await(small.open("b.bin", TransferMode.OCTET)));
        assertThat(small.cachedBytes()).as("a was evicted, a transfer still sends it").isLessThanOrEqualTo(1000);
        assertThat(small.imageMemoryBytes()).isEqualTo(1200);

        CompletableFuture<FirmwareImage> c = small.open("c.bin", TransferMode.OCTET);
        Throwable refused = catchThrowable(() -> await(c));

        assertThat(refused.getCause()).isInstanceOf(FirmwareException.class).hasMessage("Server out of memory for images:"
                + " c.bin needs 600 bytes, 1200 of 1500 are held (floorflash.firmware.memory-budget); try again shortly");
        assertThat(small.imageMemoryRefusals()).isOne();

        transfers.clear(); // the transfers end: a, no longer cached, can be collected
        assertThat(await(small.open("c.bin", TransferMode.OCTET)).size()).isEqualTo(600);
        assertThat(small.imageMemoryBytes()).isLessThanOrEqualTo(1200);
    }

    @Test
    void servesAFileWhoseSha256MatchesTheSha256sumsBesideIt() throws IOException {
        byte[] bytes = randomBytes(3000, 1);
        Files.write(root.resolve("snom320.bin"), bytes);
        Files.writeString(root.resolve("SHA256SUMS"), sha256(bytes) + "  snom320.bin\n");

        FirmwareImage image = await(store.open("snom320.bin", TransferMode.OCTET));

        assertThat(image.sha256()).isEqualTo(sha256(bytes));
        assertThat(store.checksumFailures()).isZero();
    }

    @Test
    void neverServesAFileWhoseSha256DiffersAndReadsItOnceForThatVersion() throws IOException {
        Path firmware = Files.createDirectories(root.resolve("releases/10.1.2"));
        byte[] bytes = randomBytes(3000, 1);
        Files.write(firmware.resolve("snom320.bin"), bytes);
        String listed = sha256(randomBytes(3000, 2));
        Files.writeString(firmware.resolve("SHA256SUMS"), listed + " *snom320.bin\n");
        AtomicLong reads = new AtomicLong();
        FirmwareStore store = storeOpening(path -> {
            reads.incrementAndGet();
            return FileChannel.open(path, StandardOpenOption.READ);
        });

        for (int i = 0; i < 3; i++) {
            CompletableFuture<FirmwareImage> open = store.open("releases/10.1.2/snom320.bin", TransferMode.OCTET);
            Throwable thrown = catchThrowable(() -> await(open));
            assertThat(thrown).hasCauseInstanceOf(FirmwareException.class);
            FirmwareException refusal = (FirmwareException) thrown.getCause();
            assertThat(refusal.code()).isEqualTo(ErrorCode.NOT_DEFINED);
            assertThat(refusal.verification()).isEqualTo(FirmwareException.Verification.MISMATCH);
            assertThat(refusal).hasMessage("releases/10.1.2/snom320.bin failed its checksum and is not served: SHA-256 "
                    + sha256(bytes) + ", SHA256SUMS lists " + listed);
        }
        assertThat(store.checksumFailures()).as("one version, counted and logged once").isOne();
        assertThat(reads).as("read once").hasValue(1);

        // The manifest is fixed: a new version of it checks the file again.
        Path sums = firmware.resolve("SHA256SUMS");
        Files.writeString(sums, sha256(bytes) + " *snom320.bin\n");
        Files.setLastModifiedTime(sums, FileTime.fromMillis(Files.getLastModifiedTime(sums).toMillis() + 1000));
        assertThat(bytesOf(await(store.open("releases/10.1.2/snom320.bin", TransferMode.OCTET)))).isEqualTo(bytes);
    }

    @Test
    void checksTheFileNotItsNetasciiConversion() throws IOException {
        byte[] text = "line one\nline two\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.write(root.resolve("provisioning.cfg"), text);
        Files.writeString(root.resolve("SHA256SUMS"), sha256(text) + "  provisioning.cfg\n");

        FirmwareImage converted = await(store.open("provisioning.cfg", TransferMode.NETASCII));

        assertThat(converted.size()).isEqualTo(text.length + 2);
        assertThat(store.checksumFailures()).isZero();
    }

    @Test
    void requireChecksumsRefusesWhatNoSha256sumsLists() throws IOException {
        FirmwareStore strict = new FirmwareStore(firmware(1L << 20, 2L << 20, Overrides.none()
                .with(Key.FIRMWARE_REQUIRE_CHECKSUMS, true)), executor, ticker);
        byte[] listed = randomBytes(100, 1);
        Files.write(root.resolve("listed.bin"), listed);
        Files.write(root.resolve("unlisted.bin"), randomBytes(100, 2));
        Files.writeString(root.resolve("SHA256SUMS"), sha256(listed) + "  listed.bin\n");
        Path other = Files.createDirectories(root.resolve("other"));
        Files.write(other.resolve("x.bin"), randomBytes(100, 3));

        assertThat(await(strict.open("listed.bin", TransferMode.OCTET)).size()).isEqualTo(100);
        Throwable unlisted = catchThrowable(() -> await(strict.open("unlisted.bin", TransferMode.OCTET)));
        Throwable noManifest = catchThrowable(() -> await(strict.open("other/x.bin", TransferMode.OCTET)));

        assertThat(unlisted.getCause()).hasMessage("unlisted.bin is not served: the SHA256SUMS beside it does not list it"
                + " (floorflash.firmware.require-checksums)");
        assertThat(noManifest.getCause()).hasMessage("other/x.bin is not served: no SHA256SUMS beside it lists it"
                + " (floorflash.firmware.require-checksums)");
        assertThat(((FirmwareException) noManifest.getCause()).verification())
                .isEqualTo(FirmwareException.Verification.NOT_LISTED);
        assertThat(strict.checksumFailures()).isEqualTo(2);
    }

    /** A store whose reads open files through {@code opener}: a test changes a file between check and read. */
    private FirmwareStore storeOpening(FirmwareStore.Opener opener) {
        return new FirmwareStore(firmware(1L << 30, (1L << 30) * 3 / 2, Overrides.none()), executor, ticker,
                opener);
    }

    private FirmwareStore storeWith(long cacheMaxBytes, Executor loadExecutor) {
        return new FirmwareStore(firmware(cacheMaxBytes, cacheMaxBytes * 3 / 2, Overrides.none()), loadExecutor, ticker);
    }

    /** reference.conf's store serving {@code root}, with this cache and budget, one load at a time, and {@code more}. */
    private FirmwareSettings firmware(long cacheMaxBytes, long memoryBudget, Overrides more) {
        return TestSettings.firmware(root, Overrides.none()
                .with(Key.FIRMWARE_CACHE_MAX_BYTES, cacheMaxBytes)
                .with(Key.FIRMWARE_MEMORY_BUDGET, memoryBudget)
                .with(Key.FIRMWARE_CACHE_IDLE_EXPIRY, IDLE_EXPIRY)
                .with(Key.FIRMWARE_LOAD_THREADS, 1)
                .with(more));
    }

    /** Runs the load executor's queued work, then takes the result; a bug fails the test instead of hanging it. */
    private <T> T await(CompletableFuture<T> future) {
        executor.runAll();
        return future.orTimeout(10, SECONDS).join();
    }

    private FirmwareException refusalOf(String requested) {
        CompletableFuture<FirmwareImage> open = store.open(requested, TransferMode.OCTET);
        Throwable thrown = catchThrowable(() -> await(open));
        assertThat(thrown).isInstanceOf(CompletionException.class).hasCauseInstanceOf(FirmwareException.class);
        return (FirmwareException) thrown.getCause();
    }

    /**
     * Gives each of the pool's threads a task that waits for {@code release}, and returns once all of them wait: any
     * task queued before has then finished, and any queued after waits for {@code release}.
     */
    private static void occupy(ExecutorService pool, CountDownLatch release) throws InterruptedException {
        CountDownLatch waiting = new CountDownLatch(LOAD_THREADS);
        for (int i = 0; i < LOAD_THREADS; i++) {
            pool.execute(() -> {
                waiting.countDown();
                try {
                    release.await(10, SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(waiting.await(10, SECONDS)).isTrue();
    }

    private static byte[] bytesOf(FirmwareImage image) {
        ByteBuf all = image.block(0, (int) image.size());
        try {
            return ByteBufUtil.getBytes(all);
        } finally {
            all.release();
        }
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Replaces the content of {@code file} in place, then sets its modification time. */
    private static void rewrite(Path file, byte[] content, FileTime modified) {
        try {
            Files.write(file, content);
            Files.setLastModifiedTime(file, modified);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A load executor the test drives: work waits in a queue until {@link #runAll} runs it on the test thread. */
    private static final class QueueExecutor implements Executor {
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private int ran;

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
                ran++;
            }
        }

        int ran() {
            return ran;
        }
    }
}

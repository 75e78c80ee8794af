package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.TransferPortMode;
import io.floorflash.server.provisioning.UploadFiles;
import io.floorflash.server.testing.TestServer;
import io.floorflash.server.transfer.TransferDirection;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Uploads (WRQ) with the real clients: the exact bytes land in {@code <root>/127.0.0.1/NAME}, and what must not land
 * does not: an existing name without overwrite, a tsize over the quota, a name escaping the client's folder, an upload
 * cut in the middle (no file and no temporary file once the server gives up).
 */
class UploadIT {
    private static final long[] SIZES = {0, 511, 512, 513, 2 * 1024 * 1024};
    private static final long QUOTA = 4 * 1024 * 1024;
    private static final Duration REPLY = Duration.ofSeconds(5);

    @TempDir
    static Path base;
    private static Path firmware;
    private static Path uploads;
    private static Path sources;
    private static TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        firmware = Files.createDirectories(base.resolve("firmware"));
        uploads = base.resolve("uploads");
        sources = Files.createDirectories(base.resolve("sources"));
        for (long size : SIZES) {
            SeededFiles.write(sources, "size-" + size + ".bin", size, size + 7);
        }
        server = TestServer.start(firmware, uploadSettings(uploads, Overrides.none()));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    static Overrides uploadSettings(Path root, Overrides more) {
        return Overrides.none()
                .with(Key.UPLOADS_ENABLED, true)
                .with(Key.UPLOADS_ROOT, root)
                .with(Key.UPLOADS_MAX_BYTES, QUOTA)
                .with(more);
    }

    static Stream<Arguments> clientsAndSizes() {
        return Arrays.stream(Client.values())
                .flatMap(client -> Arrays.stream(SIZES).mapToObj(size -> Arguments.of(client, size)));
    }

    @ParameterizedTest(name = "{0} uploads {1} bytes")
    @MethodSource("clientsAndSizes")
    void clientUploadsTheExactBytes(Client client, long size) {
        String name = client.name().toLowerCase() + "-" + size + ".bin";
        Path source = sources.resolve("size-" + size + ".bin");

        ClientResult result = client.upload(server.port(), source, name, 0).assertSucceeded();

        TransferSummary summary = server.awaitSummaryOf(name);
        assertThat(summary.outcome()).as("server side of %s", result).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(summary.direction()).isEqualTo(TransferDirection.WRITE);
        assertThat(summary.bytes()).isEqualTo(size);
        Path stored = uploads.resolve("127.0.0.1").resolve(name);
        assertThat(SeededFiles.sha256(stored)).as("%s stored by %s", name, result.command()).isEqualTo(SeededFiles.sha256(source));
        assertThat(summary.sha256()).isEqualTo(SeededFiles.sha256(source));
        assertNoTemporaryFiles();
    }

    static Stream<Arguments> clientsWithOptions() {
        return Stream.of(
                Arguments.of(Client.CURL, 1468, List.of("--tftp-blksize", "1468")),
                Arguments.of(Client.ATFTP, 1468, List.of("--option", "blksize 1468", "--option", "tsize 0")),
                Arguments.of(Client.ATFTP, 1468, List.of("--option", "blksize 1468", "--option", "windowsize 8")),
                Arguments.of(Client.BUSYBOX, 1468, List.of("-b", "1468")));
    }

    @ParameterizedTest(name = "{0} uploads 2 MiB with {2}")
    @MethodSource("clientsWithOptions")
    void clientUploadsWithOptions(Client client, int blockSize, List<String> flags) {
        long size = 2 * 1024 * 1024;
        Path source = sources.resolve("size-" + size + ".bin");
        String name = client.name().toLowerCase() + "-options-" + String.join("", flags).replaceAll("[^a-z0-9]", "") + ".bin";

        ClientResult result;
        switch (client) {
            case CURL:
                result = Client.curlUpload(server.port(), source, name, flags.toArray(new String[0]));
                break;
            case ATFTP:
                result = Client.atftpPut(server.port(), source, name, flags.toArray(new String[0]));
                break;
            default:
                result = Client.busyboxPut(server.port(), source, name, blockSize);
                break;
        }
        result.assertSucceeded();

        TransferSummary summary = server.awaitSummaryOf(name);
        assertThat(summary.outcome()).as("server side of %s", result).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(summary.blockSize()).isEqualTo(blockSize);
        if (flags.contains("windowsize 8")) {
            assertThat(summary.windowSize()).isEqualTo(8);
        }
        assertThat(SeededFiles.sha256(uploads.resolve("127.0.0.1").resolve(name))).isEqualTo(SeededFiles.sha256(source));
        assertNoTemporaryFiles();
    }

    @Test
    void refusesToReplaceAFileThenReplacesItWhenAllowed(@TempDir Path elsewhere) throws Exception {
        Path first = Files.writeString(sources.resolve("first.cfg"), "first version\n");
        Path second = Files.writeString(sources.resolve("second.cfg"), "second version, longer\n");
        Client.curlUpload(server.port(), first, "phone.cfg").assertSucceeded();

        ClientResult refused = Client.curlUpload(server.port(), second, "phone.cfg").assertFailed();

        assertThat(refused.output()).contains("File already exists");
        Path stored = uploads.resolve("127.0.0.1/phone.cfg");
        assertThat(stored).hasContent("first version");
        try (TestServer overwriting = TestServer.start(firmware, uploadSettings(uploads,
                Overrides.none().with(Key.UPLOADS_OVERWRITE, true)))) {
            Client.curlUpload(overwriting.port(), second, "phone.cfg").assertSucceeded();
            overwriting.awaitSummaryOf("phone.cfg");
        }
        assertThat(stored).hasContent("second version, longer");
        assertNoTemporaryFiles();
    }

    @Test
    void uploadsThroughTheListenersOwnPortInSinglePortMode(@TempDir Path elsewhere) {
        Path single = elsewhere.resolve("uploads");
        Path source = sources.resolve("size-513.bin");
        try (TestServer listenerOnly = TestServer.start(firmware, uploadSettings(single,
                Overrides.none().with(Key.TRANSFER_PORTS, TransferPortMode.SINGLE)))) {
            Client.curlUpload(listenerOnly.port(), source, "single.bin").assertSucceeded();
            Client.tftpHpaPut(listenerOnly.port(), source, "single-hpa.bin").assertSucceeded();
            listenerOnly.awaitSummaries(s -> s.outcome() == TransferOutcome.COMPLETED, 2);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(SeededFiles.sha256(single.resolve("127.0.0.1/single.bin"))).isEqualTo(SeededFiles.sha256(source));
        assertThat(SeededFiles.sha256(single.resolve("127.0.0.1/single-hpa.bin"))).isEqualTo(SeededFiles.sha256(source));
    }

    @Test
    void refusesATsizeOverTheQuotaBeforeAnything(@TempDir Path elsewhere) {
        Path big = SeededFiles.write(elsewhere, "big.bin", QUOTA + 1, 3);

        ClientResult curl = Client.curlUpload(server.port(), big, "big.bin").assertFailed();
        ClientResult busybox = Client.busyboxPut(server.port(), big, "big2.bin", 1468).assertFailed();

        assertThat(curl.output()).contains("Disk full or allocation exceeded");
        assertThat(busybox.output()).contains("Disk full or allocation exceeded");
        try (RawPeer peer = new RawPeer()) {
            peer.send(server.port(), RawPeer.request(RawPeer.WRQ, "big3.bin", "octet", "tsize", Long.toString(QUOTA + 1)));
            RawPeer.Reply reply = peer.expectReply(REPLY);
            assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.ERROR);
            assertThat(reply.number()).isEqualTo(3);
        }
        assertThat(uploads.resolve("127.0.0.1/big.bin")).doesNotExist();
        assertThat(uploads.resolve("127.0.0.1/big2.bin")).doesNotExist();
        assertNoTemporaryFiles();
    }

    @Test
    void endsAnUploadWithoutTsizeThatPassesTheQuota() {
        try (RawPeer peer = new RawPeer()) {
            peer.send(server.port(), RawPeer.request(RawPeer.WRQ, "endless.bin", "octet", "blksize", "1468"));
            RawPeer.Reply reply = peer.expectReply(REPLY);
            assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.OACK);
            int port = reply.sourcePort();
            peer.send(port, RawPeer.ack(0)); // not a DATA: ignored
            long sent = 0;
            for (int block = 1; reply.opcode() != RawPeer.ERROR; block++) {
                peer.send(port, data(block, 1468));
                sent += 1468;
                do {
                    // A busy machine may see the server's timer re-acknowledge the block before: skip it.
                    reply = peer.expectReply(REPLY);
                } while (reply.opcode() == RawPeer.ACK && reply.number() < block);
                if (reply.opcode() == RawPeer.ACK) {
                    assertThat(reply.number()).isEqualTo(block);
                }
            }
            assertThat(reply.number()).as("%s", reply).isEqualTo(3);
            assertThat(sent).isGreaterThan(QUOTA);
        }
        assertThat(server.awaitSummaryOf("endless.bin").outcome()).isEqualTo(TransferOutcome.QUOTA_EXCEEDED);
        assertThat(uploads.resolve("127.0.0.1/endless.bin")).doesNotExist();
        assertNoTemporaryFiles();
    }

    @Test
    void refusesNamesThatLeaveTheClientsFolder(@TempDir Path elsewhere) throws IOException {
        Path file = Files.writeString(elsewhere.resolve("x"), "escape");
        for (String name : List.of("../x", "a/../../x", "..\\x")) {
            try (RawPeer peer = new RawPeer()) {
                peer.send(server.port(), RawPeer.request(RawPeer.WRQ, name, "octet"));
                RawPeer.Reply reply = peer.expectReply(REPLY);
                assertThat(reply.opcode()).as("%s for %s", reply, name).isEqualTo(RawPeer.ERROR);
                assertThat(reply.number()).isEqualTo(2);
            }
        }
        ClientResult tftp = Client.tftpHpaPut(server.port(), file, "../x");
        assertThat(tftp.succeeded()).as("%s", tftp).isFalse();
        assertThat(uploads.resolve("x")).doesNotExist();
        assertThat(base.resolve("x")).doesNotExist();
    }

    @Test
    void refusesAFolderOnTheWayThatIsALinkOutOfTheClientsFolder() throws IOException {
        Path client = Files.createDirectories(uploads.resolve("127.0.0.1"));
        Files.createSymbolicLink(client.resolve("out"), firmware);
        try (RawPeer peer = new RawPeer()) {
            peer.send(server.port(), RawPeer.request(RawPeer.WRQ, "out/evil.bin", "octet"));
            RawPeer.Reply reply = peer.expectReply(REPLY);
            assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.ERROR);
            assertThat(reply.number()).isEqualTo(2);
        }
        assertThat(firmware.resolve("evil.bin")).doesNotExist();
    }

    @Test
    void refusesNetasciiUploads(@TempDir Path elsewhere) throws IOException {
        try (RawPeer peer = new RawPeer()) {
            peer.send(server.port(), RawPeer.request(RawPeer.WRQ, "notes.txt", "netascii"));
            RawPeer.Reply reply = peer.expectReply(REPLY);
            assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.ERROR);
            assertThat(reply.message()).contains("octet");
        }
        assertThat(uploads.resolve("127.0.0.1/notes.txt")).doesNotExist();
    }

    /** DATA {@code block} with {@code length} bytes of payload. */
    static byte[] data(int block, int length) {
        return ByteBuffer.allocate(4 + length).putShort((short) RawPeer.DATA).putShort((short) block).array();
    }

    /**
     * No temporary upload file anywhere below the upload root, within a few seconds: an upload that failed is reported
     * when it ends, and its file is deleted by a writer thread just after.
     */
    static void assertNoTemporaryFiles(Path root) {
        await("temporary upload files deleted").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(temporaryFiles(root)).as("temporary upload files").isEmpty());
    }

    static List<Path> temporaryFiles(Path root) {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().contains(UploadFiles.TEMP_MARK)).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertNoTemporaryFiles() {
        assertNoTemporaryFiles(uploads);
    }
}

package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.FloorflashServerExtension;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.commons.net.tftp.TFTP;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a server on a shared network meets besides phones: names that climb out of the root, links that lead out of
 * it, missing files, uploads, garbage and retransmitted requests. Nothing outside the root is ever delivered, and the
 * server keeps serving.
 */
class HostileRequestIT {
    private static final String IMAGE = "snom320.bin";
    private static final String SECRET = "not for phones\n";
    private static final Duration REPLY = Duration.ofSeconds(5);

    @TempDir
    static Path base;
    private static Path root;
    @RegisterExtension
    static final FloorflashServerExtension server = FloorflashServerExtension.builder()
            .root(HostileRequestIT::makeRoot)
            // A short first retransmission, so a repeated request can be watched against the transfer's own resends.
            .overrides(Overrides.none().with(Key.RETRANSMIT_INITIAL_TIMEOUT, Duration.ofMillis(300)))
            .build();

    /** The root, a folder of {@code base}, so a file beside it is outside the root. */
    private static Path makeRoot() {
        try {
            root = Files.createDirectory(base.resolve("firmware"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void writeFiles() throws Exception {
        Path outside = Files.writeString(base.resolve("outside.txt"), SECRET);
        SeededFiles.write(root, IMAGE, 2 * 1024 * 1024, 320);
        Files.createSymbolicLink(root.resolve("escape.bin"), outside);
        Files.createSymbolicLink(root.resolve("alias.bin"), root.resolve(IMAGE));
    }

    @ParameterizedTest(name = "refuses \"{0}\"")
    @ValueSource(strings = {"../outside.txt", "..\\outside.txt", "/../outside.txt", "firmware/../../outside.txt",
            "..\\..\\outside.txt"})
    void refusesNamesThatLeaveTheRoot(String name, @TempDir Path downloads) throws IOException {
        try (RawPeer peer = new RawPeer()) {
            peer.send(server.port(), RawPeer.request(RawPeer.RRQ, name, "octet"));

            RawPeer.Reply reply = peer.expectReply(REPLY);

            assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.ERROR);
            assertThat(reply.number()).isEqualTo(2);
            assertThat(reply.message()).startsWith("Access violation").contains("'..'");
            assertThat(reply.sourcePort()).as("answered from a port of its own, as RFC 1350 answers a request")
                    .isNotEqualTo(server.port());
            assertThat(peer.receive(Duration.ofMillis(300))).as("nothing after the ERROR").isEmpty();
        }
        Path out = downloads.resolve("out.txt");
        ClientResult commonsNet = Client.commonsNet(server.port(), name, out, TFTP.BINARY_MODE).assertFailed();
        assertThat(commonsNet.output()).contains("Error code 2 received: Access violation");
        assertThat(Files.size(out)).isZero();
        assertThat(server.summaries()).isEmpty();
    }

    @Test
    void refusesEncodedDotsThroughCurl(@TempDir Path downloads) throws IOException {
        Path out = downloads.resolve("out.txt");

        // curl removes a literal "../" itself, but sends "%2e%2e/" decoded, as "../".
        ClientResult result = Client.curl(server.port(), "%2e%2e/outside.txt", out, "-v").assertFailed();

        assertThat(result.output()).contains("TFTP error: Access violation: '../outside.txt' contains '..'");
        assertNothingDelivered(out);
    }

    @Test
    void refusesALinkThatLeadsOutOfTheRoot(@TempDir Path downloads) throws IOException {
        Path out = downloads.resolve("out.txt");

        ClientResult curl = Client.curl(server.port(), "escape.bin", out, "-v").assertFailed();
        ClientResult hpa = Client.tftpHpa(server.port(), "escape.bin", downloads.resolve("hpa.txt"), "octet").assertFailed();

        assertThat(curl.output()).contains("TFTP error: Access violation: escape.bin resolves outside the firmware root");
        assertThat(hpa.exitCode()).as("tftp-hpa exits 0 even when refused").isZero();
        assertThat(hpa.output()).contains("Error code 2: Access violation: escape.bin resolves outside the firmware root");
        assertNothingDelivered(out);
        assertNothingDelivered(downloads.resolve("hpa.txt"));
    }

    @Test
    void servesALinkThatStaysInsideTheRoot(@TempDir Path downloads) {
        Path out = downloads.resolve("alias.bin");

        Client.curl(server.port(), "alias.bin", out).assertDelivered(root.resolve(IMAGE), out);
    }

    @Test
    void reportsAMissingFile(@TempDir Path downloads) throws IOException {
        Path out = downloads.resolve("out.bin");

        ClientResult result = Client.curl(server.port(), "snom999.bin", out, "-v").assertFailed();

        assertThat(result.exitCode()).as("CURLE_TFTP_NOTFOUND").isEqualTo(68);
        assertThat(result.output()).contains("TFTP error: File not found: snom999.bin");
        assertNothingDelivered(out);
    }

    @Test
    void refusesUploads(@TempDir Path downloads) throws IOException {
        Path upload = Files.writeString(downloads.resolve("evil.bin"), "overwrite me");

        ClientResult curl = Client.curlUpload(server.port(), upload, "evil.bin").assertFailed();

        assertThat(curl.exitCode()).as("CURLE_TFTP_PERM").isEqualTo(69);
        assertThat(curl.output()).contains("TFTP error: Access violation: uploads are not accepted");
        try (RawPeer peer = new RawPeer()) {
            peer.send(server.port(), RawPeer.request(RawPeer.WRQ, "evil.bin", "octet"));
            RawPeer.Reply reply = peer.expectReply(REPLY);
            assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.ERROR);
            assertThat(reply.number()).isEqualTo(2);
            assertThat(reply.sourcePort()).as("answered from a port of its own, as RFC 1350 answers a request")
                    .isNotEqualTo(server.port());
        }
        assertThat(root.resolve("evil.bin")).doesNotExist();
    }

    @ParameterizedTest(name = "answers {0} with ERROR 4")
    @ValueSource(strings = {"no NUL after the mode", "unknown mode", "empty filename", "option without value"})
    void answersAMalformedRequestWithIllegalOperation(String what) {
        byte[] request;
        switch (what) {
            case "no NUL after the mode":
                request = withoutLastByte(RawPeer.request(RawPeer.RRQ, IMAGE, "octet"));
                break;
            case "unknown mode":
                request = RawPeer.request(RawPeer.RRQ, IMAGE, "mail");
                break;
            case "empty filename":
                request = RawPeer.request(RawPeer.RRQ, "", "octet");
                break;
            default:
                request = withoutLastByte(RawPeer.request(RawPeer.RRQ, IMAGE, "octet", "blksize", "1468"));
                break;
        }
        try (RawPeer peer = new RawPeer()) {
            peer.send(server.port(), request);

            RawPeer.Reply reply = peer.expectReply(REPLY);

            assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.ERROR);
            assertThat(reply.number()).isEqualTo(4);
            assertThat(reply.message()).startsWith("Illegal TFTP operation: RRQ");
            assertThat(reply.sourcePort()).as("garbage is answered by the listener itself").isEqualTo(server.port());
        }
        assertThat(server.summaries()).isEmpty();
    }

    @Test
    void keepsServingAfterABurstOfGarbage(@TempDir Path downloads) {
        SplittableRandom random = new SplittableRandom(1000);
        try (RawPeer peer = new RawPeer()) {
            for (int i = 0; i < 1000; i++) {
                peer.send(server.port(), garbage(i, random));
            }
        }
        Path out = downloads.resolve(IMAGE);

        Client.curl(server.port(), IMAGE, out).assertDelivered(root.resolve(IMAGE), out);

        assertThat(server.awaitSummaryOf(IMAGE).outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(server.summaries()).as("the garbage started no transfer").hasSize(1);
    }

    @Test
    void aRepeatedRequestFromTheSamePortStartsNoSecondTransfer() {
        try (RawPeer peer = new RawPeer()) {
            byte[] request = RawPeer.request(RawPeer.RRQ, IMAGE, "octet");
            peer.send(server.port(), request);
            peer.send(server.port(), request);
            RawPeer.Reply first = peer.expectReply(REPLY);
            assertThat(first.opcode()).as("%s", first).isEqualTo(RawPeer.DATA);
            assertThat(first.number()).isEqualTo(1);
            peer.send(server.port(), request);

            // Unacknowledged, the transfer resends DATA 1 after 300 ms, 600 ms, ...: watch long enough to see it.
            List<RawPeer.Reply> more = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
                peer.receive(Duration.ofNanos(left)).ifPresent(more::add);
            }

            assertThat(more).as("the transfer's retransmissions").isNotEmpty()
                    .allSatisfy(reply -> assertThat(reply.opcode()).isEqualTo(RawPeer.DATA))
                    .allSatisfy(reply -> assertThat(reply.number()).isEqualTo(1));
            Set<Integer> ports = new HashSet<>();
            ports.add(first.sourcePort());
            more.forEach(reply -> ports.add(reply.sourcePort()));
            assertThat(ports).as("transfer ports answering").containsExactly(first.sourcePort());

            peer.send(first.sourcePort(), RawPeer.error(0, "enough"));
            TransferSummary summary = server.awaitSummaryOf(IMAGE);
            assertThat(summary.outcome()).isEqualTo(TransferOutcome.CLIENT_ERROR);
            assertThat(summary.id().client().getPort()).isEqualTo(peer.port());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.server().activeTransfers() == 0);
        assertThat(server.summaries()).hasSize(1);
    }

    /** One of: random bytes, a truncated RRQ, an unknown opcode, a bad mode, or a packet that has no place on the listener. */
    private static byte[] garbage(int i, SplittableRandom random) {
        switch (i % 6) {
            case 0: {
                byte[] bytes = new byte[random.nextInt(0, 600)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 1: {
                // Cut inside a string, never right after a NUL: a cut after the mode or an option value is a valid RRQ.
                byte[] request = RawPeer.request(RawPeer.RRQ, IMAGE, "octet", "blksize", "1468", "tsize", "0");
                int length;
                do {
                    length = random.nextInt(1, request.length);
                } while (request[length - 1] == 0);
                byte[] cut = new byte[length];
                System.arraycopy(request, 0, cut, 0, length);
                return cut;
            }
            case 2: {
                int[] unknown = {0, 7, 8, 99, 0x0100, 0xFFFF};
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int opcode = unknown[random.nextInt(unknown.length)];
                out.write(opcode >> 8);
                out.write(opcode);
                out.writeBytes((IMAGE + "\0octet\0").getBytes(StandardCharsets.US_ASCII));
                return out.toByteArray();
            }
            case 3:
                return RawPeer.request(RawPeer.RRQ, IMAGE, List.of("mail", "binary", "OCTETS", "", "net ascii").get(random.nextInt(5)));
            case 4:
                return i % 12 == 4 ? RawPeer.ack(random.nextInt(0, 65536)) : RawPeer.error(random.nextInt(0, 9), "garbage");
            default: {
                byte[] data = new byte[4 + random.nextInt(0, 513)];
                data[1] = RawPeer.DATA;
                return data;
            }
        }
    }

    private static byte[] withoutLastByte(byte[] bytes) {
        byte[] cut = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, cut, 0, cut.length);
        return cut;
    }

    private static void assertNothingDelivered(Path out) throws IOException {
        if (Files.exists(out)) {
            assertThat(Files.size(out)).as("bytes written to %s", out).isZero();
        }
    }
}

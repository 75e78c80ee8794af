package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.FloorflashServerExtension;
import io.floorflash.server.transfer.SegmentOffload;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Options (RFC 2347-2349, 7440) with the clients that send them. The server may agree to 65464-byte blocks here, so
 * 8192 and 65464 are really used (loopback's MTU is 65536).
 */
class OptionNegotiationIT {
    private static final String IMAGE = "snom320.bin";
    private static final long SIZE = 2 * 1024 * 1024 + 77;

    @TempDir
    static Path root;

    @RegisterExtension
    static final FloorflashServerExtension server = FloorflashServerExtension.builder()
            .root(() -> root)
            .overrides(Overrides.none().with(Key.TRANSFER_MAX_BLOCK_SIZE, 65464))
            .build();

    @BeforeAll
    static void writeImage() throws Exception {
        SeededFiles.write(root, IMAGE, SIZE, 320);
    }

    static Stream<Arguments> negotiatingClientsAndBlockSizes() {
        return Stream.of(Client.values()).filter(Client::negotiatesBlockSize)
                .flatMap(client -> Stream.of(512, 1468, 8192, 65464).map(size -> Arguments.of(client, size)));
    }

    @ParameterizedTest(name = "{0} with blksize {1}")
    @MethodSource("negotiatingClientsAndBlockSizes")
    void clientGetsTheBlockSizeItAsksFor(Client client, int blockSize, @TempDir Path downloads) {
        Path out = downloads.resolve(IMAGE);

        client.fetch(server.port(), IMAGE, out, blockSize).assertDelivered(root.resolve(IMAGE), out);

        TransferSummary summary = server.awaitSummaryOf(IMAGE);
        assertThat(summary.outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(summary.blockSize()).isEqualTo(blockSize);
        assertThat(summary.windowSize()).isEqualTo(1);
    }

    @Test
    void atftpGetsTheRealTransferSizeAndItsTimeoutAcknowledged(@TempDir Path downloads) {
        Path out = downloads.resolve(IMAGE);

        ClientResult result = Client.atftp(server.port(), IMAGE, out, "--trace", "--option", "tsize 0", "--option", "timeout 2",
                "--option", "blksize 1468");

        result.assertDelivered(root.resolve(IMAGE), out);
        assertThat(result.output()).contains("received OACK <tsize: " + SIZE + ", timeout: 2, blksize: 1468");
        assertThat(server.awaitSummaryOf(IMAGE).outcome()).isEqualTo(TransferOutcome.COMPLETED);
    }

    /**
     * Windows go out as UDP GSO sends (epoll, {@code floorflash.transfer.udp-gso} on by default): the kernel cuts them
     * into the datagrams atftp receives. At 8192 one send carries 7 blocks (65,000 bytes at most), so each window of
     * 8 is a send of 7 and a plain datagram.
     */
    @ParameterizedTest(name = "blksize {0}")
    @ValueSource(ints = {1468, 8192})
    void atftpTransfersInWindowsOfEightSentWithSegmentationOffload(int blockSize, @TempDir Path downloads) {
        Path out = downloads.resolve(IMAGE);
        SegmentOffload offload = server.server().segmentOffload();
        assertThat(offload.enabled()).as("UDP GSO on this kernel (epoll)").isTrue();
        long sendsBefore = offload.sends();

        ClientResult result = Client.atftp(server.port(), IMAGE, out, "--option", "windowsize 8", "--option",
                "blksize " + blockSize);

        result.assertDelivered(root.resolve(IMAGE), out);
        TransferSummary summary = server.awaitSummaryOf(IMAGE);
        assertThat(summary.outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(summary.windowSize()).isEqualTo(8);
        assertThat(summary.blockSize()).isEqualTo(blockSize);
        long windows = (SIZE / blockSize + 1 + 7) / 8;
        assertThat(offload.sends() - sendsBefore).as("segmented sends, about one per window of %d", windows)
                .isBetween(windows - 1, windows + summary.retransmits());
        assertThat(offload.enabled()).isTrue();
    }

    @Test
    void answersATsizeProbeWithTheSizeAndEndsQuietlyOnTheClientsError() {
        try (RawPeer peer = new RawPeer()) {
            peer.send(server.port(), RawPeer.request(RawPeer.RRQ, IMAGE, "octet",
                    "tsize", "0", "blksize", "70000", "timeout", "3", "x-unknown", "1"));

            RawPeer.Reply oack = peer.expectReply(Duration.ofSeconds(5));
            assertThat(oack.opcode()).as("%s", oack).isEqualTo(RawPeer.OACK);
            assertThat(oack.sourcePort()).as("the transfer's own port").isNotEqualTo(server.port());
            // The real size whatever the client sent, blksize lowered to the server's maximum, the unknown option left out.
            assertThat(oack.options()).containsExactly(Map.entry("tsize", Long.toString(SIZE)),
                    Map.entry("blksize", "65464"), Map.entry("timeout", "3"));

            peer.send(oack.sourcePort(), RawPeer.error(0, "tsize probe done"));
        }
        TransferSummary summary = server.awaitSummaryOf(IMAGE);
        assertThat(summary.outcome()).isEqualTo(TransferOutcome.CLIENT_ERROR);
        assertThat(summary.bytes()).isZero();
    }
}

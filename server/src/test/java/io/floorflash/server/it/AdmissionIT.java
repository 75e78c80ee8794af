package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.TestServer;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.net.tftp.TFTP;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a silent, spoofed or greedy address can cost the server: a request nobody acknowledges gets a few copies of
 * one datagram and no ERROR, a long timeout option is declined, and one address cannot take every slot.
 */
class AdmissionIT {
    private static final String IMAGE = "snom320.bin";
    private static final long SIZE = 2 * 1024 * 1024;
    /** Short resend waits, so a silent client is given up in about a second: 0.1 + 0.2 + 0.4 + 0.4 + 0.4 s. */
    private static final Overrides QUICK = Overrides.none()
            .with(Key.RETRANSMIT_INITIAL_TIMEOUT, Duration.ofMillis(100))
            .with(Key.RETRANSMIT_MAX_TIMEOUT, Duration.ofMillis(400))
            .with(Key.RETRANSMIT_JITTER, 0.0);

    @TempDir
    static Path root;

    @BeforeAll
    static void writeImage() throws Exception {
        SeededFiles.write(root, IMAGE, SIZE, 320);
    }

    /** Everything {@code peer} receives until the server runs no transfer and a further second passes. */
    private static List<RawPeer.Reply> everythingUntilGivenUp(TestServer server, RawPeer peer) {
        List<RawPeer.Reply> replies = new ArrayList<>();
        await("the silent client's transfer given up").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).until(() -> {
                    peer.receive(Duration.ofMillis(50)).ifPresent(replies::add);
                    return server.server().activeTransfers() == 0;
                });
        for (Optional<RawPeer.Reply> more = peer.receive(Duration.ofSeconds(1)); more.isPresent();
                more = peer.receive(Duration.ofSeconds(1))) {
            replies.add(more.get());
        }
        return replies;
    }

    @Test
    void aClientThatNeverAcknowledgesGetsFiveCopiesOfTheFirstDataAndNoError() throws Exception {
        try (TestServer server = TestServer.start(root, QUICK); RawPeer silent = new RawPeer()) {
            byte[] request = RawPeer.request(RawPeer.RRQ, IMAGE, "octet");
            silent.send(server.port(), request);

            List<RawPeer.Reply> replies = everythingUntilGivenUp(server, silent);

            assertThat(replies).hasSize(5).allSatisfy(reply -> {
                assertThat(reply.opcode()).isEqualTo(RawPeer.DATA);
                assertThat(reply.number()).isEqualTo(1);
            });
            int sent = replies.stream().mapToInt(reply -> reply.bytes().length).sum();
            assertThat(sent).as("TFTP bytes sent for a %d-byte request", request.length).isEqualTo(5 * 516);
            TransferSummary summary = server.awaitSummaryOf(IMAGE);
            assertThat(summary.outcome()).isEqualTo(TransferOutcome.TIMED_OUT);
            assertThat(summary.detail()).startsWith("no answer to the first packet after 5 tries");
        }
    }

    @Test
    void aLongTimeoutOptionIsDeclinedAndTheSilentClientGetsFiveOptionAcks() throws Exception {
        try (TestServer server = TestServer.start(root, QUICK); RawPeer silent = new RawPeer()) {
            silent.send(server.port(), RawPeer.request(RawPeer.RRQ, IMAGE, "octet", "timeout", "255", "blksize", "1468"));

            List<RawPeer.Reply> replies = everythingUntilGivenUp(server, silent);

            assertThat(replies).hasSize(5).allSatisfy(reply -> {
                assertThat(reply.opcode()).isEqualTo(RawPeer.OACK);
                assertThat(reply.options()).containsExactly(Map.entry("blksize", "1468"));
            });
        }
    }

    @Test
    void atftpAskingForALongTimeoutIsServedWithoutIt(@TempDir Path downloads) throws Exception {
        try (TestServer server = TestServer.start(root)) {
            Path out = downloads.resolve(IMAGE);

            ClientResult result = Client.atftp(server.port(), IMAGE, out, "--trace", "--option", "timeout 255",
                    "--option", "blksize 1468");

            result.assertDelivered(root.resolve(IMAGE), out);
            assertThat(result.output()).contains("sent RRQ <file: snom320.bin, mode: octet <timeout: 255, blksize: 1468>>")
                    .contains("received OACK <blksize: 1468,").doesNotContainPattern("received OACK <[^>]*timeout");
        }
    }

    @Test
    void oneAddressRunsAtMostItsShareWhileAnotherAddressIsServed(@TempDir Path downloads) throws Exception {
        try (TestServer server = TestServer.start(root, Overrides.none().with(Key.TRANSFER_MAX_TRANSFERS_PER_ADDRESS, 2));
             RawPeer first = new RawPeer(); RawPeer second = new RawPeer()) {
            // Two verified transfers from 127.0.0.1 that stall after their first block: they hold their slots.
            for (RawPeer peer : List.of(first, second)) {
                peer.send(server.port(), RawPeer.request(RawPeer.RRQ, IMAGE, "octet"));
                RawPeer.Reply data = peer.expectReply(Duration.ofSeconds(5));
                assertThat(data.opcode()).isEqualTo(RawPeer.DATA);
                peer.send(data.sourcePort(), RawPeer.ack(1));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().activeTransfers() == 2);

            ClientResult refused = Client.tftpHpa(server.port(), IMAGE, downloads.resolve("refused.bin"), "octet");
            assertThat(refused.output()).contains("Server busy: too many transfers from your address");

            Path out = downloads.resolve(IMAGE);
            Client.commonsNet(server.port(), IMAGE, out, TFTP.BINARY_MODE, InetAddress.getByName("127.0.0.2"))
                    .assertDelivered(root.resolve(IMAGE), out);
        }
    }
}

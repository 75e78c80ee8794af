package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.FloorflashServerExtension;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared transfer ports, seen from plain sockets: every transfer and every refusal answers from one of the few
 * sockets the event loop owns (transfer.sockets-per-loop, not the listener's), a datagram from a stranger gets ERROR
 * 5 while the transfer it named goes on, a late copy of a request changes nothing, and a client that asks for another
 * file from the same port moves on to it.
 */
class SharedPortIT {
    private static final Duration REPLY = Duration.ofSeconds(5);

    @TempDir
    static Path root;

    @RegisterExtension
    static final FloorflashServerExtension server = FloorflashServerExtension.builder()
            .root(() -> root)
            .overrides(Overrides.none()
                    .with(Key.RETRANSMIT_INITIAL_TIMEOUT, Duration.ofSeconds(5)).with(Key.RETRANSMIT_ADAPTIVE, false))
            .build();

    @BeforeAll
    static void writeFiles() throws Exception {
        SeededFiles.write(root, "a.bin", 100_000, 1);
        SeededFiles.write(root, "b.bin", 700, 2);
    }

    @Test
    void manyTransfersAndRefusalsAnswerFromTheLoopsFewTransferPorts() {
        List<RawPeer> peers = new ArrayList<>();
        Set<Integer> sources = new HashSet<>();
        try {
            for (int i = 0; i < 100; i++) {
                RawPeer peer = new RawPeer();
                peers.add(peer);
                peer.send(server.port(), RawPeer.request(RawPeer.RRQ, i % 2 == 0 ? "a.bin" : "missing-" + i + ".bin", "octet"));
            }
            for (int i = 0; i < peers.size(); i++) {
                RawPeer.Reply reply = peers.get(i).expectReply(REPLY);
                assertThat(reply.opcode()).as("%s", reply).isEqualTo(i % 2 == 0 ? RawPeer.DATA : RawPeer.ERROR);
                if (i % 2 == 1) {
                    assertThat(reply.number()).as("ERROR 1 File not found").isEqualTo(1);
                }
                sources.add(reply.sourcePort());
            }
            assertThat(sources).as("source ports of 50 transfers and 50 refusals").hasSizeBetween(1, 4)
                    .doesNotContain(server.port());
            assertThat(server.server().transferPorts()).as("sockets the engine opened, 4 per loop at most")
                    .extracting(InetSocketAddress::getPort).containsExactlyInAnyOrderElementsOf(sources);
            assertThat(server.server().activeTransfers()).isEqualTo(50);
        } finally {
            for (int i = 0; i < peers.size(); i++) {
                if (i % 2 == 0) {
                    for (int source : sources) {
                        peers.get(i).send(source, RawPeer.error(0, "enough"));
                    }
                }
                peers.get(i).close();
            }
        }
        await().atMost(REPLY).until(() -> server.server().activeTransfers() == 0);
    }

    @Test
    void aStrangerGetsErrorFiveAndTheTransferItNamedGoesOn() {
        try (RawPeer phone = new RawPeer(); RawPeer stranger = new RawPeer()) {
            phone.send(server.port(), RawPeer.request(RawPeer.RRQ, "a.bin", "octet"));
            RawPeer.Reply first = phone.expectReply(REPLY);
            assertThat(first.opcode()).isEqualTo(RawPeer.DATA);

            stranger.send(first.sourcePort(), RawPeer.ack(1));
            RawPeer.Reply refusal = stranger.expectReply(REPLY);
            assertThat(refusal.opcode()).isEqualTo(RawPeer.ERROR);
            assertThat(refusal.number()).isEqualTo(5);
            assertThat(refusal.message()).isEqualTo("Unknown transfer ID");
            assertThat(refusal.sourcePort()).isEqualTo(first.sourcePort());
            stranger.send(first.sourcePort(), RawPeer.error(5, "Unknown transfer ID"));
            assertThat(stranger.receive(Duration.ofMillis(300))).as("an ERROR is never answered").isEmpty();

            phone.send(first.sourcePort(), RawPeer.ack(1));
            RawPeer.Reply second = phone.expectReply(REPLY);
            assertThat(second.opcode()).isEqualTo(RawPeer.DATA);
            assertThat(second.number()).isEqualTo(2);
            phone.send(first.sourcePort(), RawPeer.error(0, "enough"));
        }
        TransferSummary summary = server.awaitSummaryOf("a.bin");
        assertThat(summary.outcome()).isEqualTo(TransferOutcome.CLIENT_ERROR);
    }

    @Test
    void aLateCopyOfTheRequestAfterTheFirstAckLeavesTheTransferGoingOn() {
        try (RawPeer phone = new RawPeer()) {
            phone.send(server.port(), RawPeer.request(RawPeer.RRQ, "a.bin", "octet"));
            RawPeer.Reply one = phone.expectReply(REPLY);
            phone.send(one.sourcePort(), RawPeer.ack(1));
            assertThat(phone.expectReply(REPLY).number()).isEqualTo(2);

            // The phone had repeated its RRQ before DATA 1 reached it; the copy arrives after its ACK of block 1.
            phone.send(server.port(), RawPeer.request(RawPeer.RRQ, "a.bin", "octet"));
            assertThat(phone.receive(Duration.ofMillis(300))).as("no block 1 again").isEmpty();
            phone.send(one.sourcePort(), RawPeer.ack(2));
            RawPeer.Reply three = phone.expectReply(REPLY);
            assertThat(three.opcode()).isEqualTo(RawPeer.DATA);
            assertThat(three.number()).isEqualTo(3);
            phone.send(one.sourcePort(), RawPeer.error(0, "enough"));
        }
        assertThat(server.awaitSummaryOf("a.bin").outcome()).as("not superseded").isEqualTo(TransferOutcome.CLIENT_ERROR);
    }

    @Test
    void anotherFileFromTheSamePortEndsTheFirstTransferQuietlyAndServesTheSecond() {
        try (RawPeer phone = new RawPeer()) {
            phone.send(server.port(), RawPeer.request(RawPeer.RRQ, "a.bin", "octet"));
            RawPeer.Reply first = phone.expectReply(REPLY);
            assertThat(first.opcode()).isEqualTo(RawPeer.DATA);

            phone.send(server.port(), RawPeer.request(RawPeer.RRQ, "b.bin", "octet"));
            RawPeer.Reply one = phone.expectReply(REPLY);
            assertThat(one.opcode()).as("%s", one).isEqualTo(RawPeer.DATA);
            assertThat(one.payloadLength()).isEqualTo(512);
            phone.send(one.sourcePort(), RawPeer.ack(1));
            RawPeer.Reply two = phone.expectReply(REPLY);
            assertThat(two.number()).isEqualTo(2);
            assertThat(two.payloadLength()).isEqualTo(700 - 512);
            phone.send(one.sourcePort(), RawPeer.ack(2));
        }
        TransferSummary a = server.awaitSummaryOf("a.bin");
        assertThat(a.outcome()).isEqualTo(TransferOutcome.CANCELLED);
        assertThat(a.detail()).startsWith("superseded");
        assertThat(server.awaitSummaryOf("b.bin").outcome()).isEqualTo(TransferOutcome.COMPLETED);
    }
}

package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.FloorflashServerExtension;
import io.floorflash.server.transfer.TransferOutcome;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.commons.net.tftp.TFTP;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A listener on the wildcard address (the default, {@code floorflash.tftp.address = "0.0.0.0"}) answers each request
 * from the address it was sent to, as a phone hard-wired to one server address expects (its firewall, or its own
 * check of the answer's source). Linux answers on all of 127.0.0.0/8, so 127.0.0.2 and 127.0.0.3 stand for a
 * server's second and third address; the kernel alone would answer a client on 127.0.0.1 from 127.0.0.1 (without the
 * request's destination, these tests see exactly that). The source address is read on a plain socket: commons-net,
 * the real client here, was seen taking answers from 127.0.0.1 when it had asked 127.0.0.2, so it proves only that
 * a whole image arrives when a second address is asked.
 */
class WildcardListenerIT {
    private static final String IMAGE = "snom820-r.bin";
    private static final long SIZE = 300_000;
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    static Path root;

    @RegisterExtension
    static final FloorflashServerExtension server = FloorflashServerExtension.builder()
            .root(() -> root)
            .overrides(Overrides.none().with(Key.TFTP_ADDRESS, "0.0.0.0"))
            .build();

    @BeforeAll
    static void writeImage() throws Exception {
        SeededFiles.write(root, IMAGE, SIZE, 820);
    }

    @ParameterizedTest(name = "asked at {0}")
    @ValueSource(strings = {"127.0.0.2", "127.0.0.3"})
    void theFirstDataComesFromTheAddressTheRequestWasSentTo(String serverAddress) throws Exception {
        InetAddress asked = InetAddress.getByName(serverAddress);
        try (RawPeer peer = new RawPeer()) {
            peer.send(asked, server.port(), RawPeer.request(RawPeer.RRQ, IMAGE, "octet"));

            RawPeer.Reply data = peer.expectReply(WAIT);
            assertThat(data.opcode()).as("%s", data).isEqualTo(RawPeer.DATA);
            assertThat(data.sourceAddress()).as("%s", data).isEqualTo(asked);
            assertThat(data.sourcePort()).as("the transfer's own port").isNotEqualTo(server.port());
            peer.send(asked, data.sourcePort(), RawPeer.error(0, "enough"));
        }
        assertThat(server.awaitSummaryOf(IMAGE).outcome()).isEqualTo(TransferOutcome.CLIENT_ERROR);
    }

    @ParameterizedTest(name = "asked at {0}")
    @ValueSource(strings = {"127.0.0.2", "127.0.0.3"})
    void aRefusalComesFromTheAddressTheRequestWasSentTo(String serverAddress) throws Exception {
        InetAddress asked = InetAddress.getByName(serverAddress);
        try (RawPeer peer = new RawPeer()) {
            peer.send(asked, server.port(), RawPeer.request(RawPeer.RRQ, "missing.bin", "octet"));

            RawPeer.Reply error = peer.expectReply(WAIT);
            assertThat(error.opcode()).as("%s", error).isEqualTo(RawPeer.ERROR);
            assertThat(error.number()).isEqualTo(1);
            assertThat(error.sourceAddress()).as("%s", error).isEqualTo(asked);
        }
    }

    @ParameterizedTest(name = "asked at {0}")
    @ValueSource(strings = {"127.0.0.2", "127.0.0.3"})
    void aRealClientGetsTheWholeImageFromTheAddressItAsked(String serverAddress, @TempDir Path downloads) throws Exception {
        Path out = downloads.resolve(IMAGE);

        ClientResult result = Client.commonsNet(InetAddress.getByName(serverAddress), server.port(), IMAGE, out,
                TFTP.BINARY_MODE, InetAddress.getLoopbackAddress());

        result.assertDelivered(root.resolve(IMAGE), out);
        assertThat(server.awaitSummaryOf(IMAGE).outcome()).isEqualTo(TransferOutcome.COMPLETED);
    }
}

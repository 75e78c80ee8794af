package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.TransferPortMode;
import io.floorflash.server.testing.FloorflashServerExtension;
import io.floorflash.server.transfer.TransferOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interop clients in the port modes other than the default: {@code single} (every answer from the listener's own
 * port) and a port range. Each client fetches files at the block boundaries byte-exact and reports a missing file.
 */
class PortModesIT {
    private static final long[] SIZES = {0, 511, 512, 513, 2 * 1024 * 1024};

    @TempDir
    static Path root;

    @BeforeAll
    static void writeFiles() {
        for (long size : SIZES) {
            SeededFiles.write(root, name(size), size, size + 7);
        }
    }

    static Stream<Arguments> clientsAndSizes() {
        return Arrays.stream(Client.values())
                .flatMap(client -> Arrays.stream(SIZES).mapToObj(size -> Arguments.of(client, size)));
    }

    private static String name(long size) {
        return "size-" + size + ".bin";
    }

    /** Shared by both modes: the client gets the exact bytes, and the server saw the transfer complete. */
    static void fetchesTheExactBytes(FloorflashServerExtension server, Client client, long size, Path downloads) throws IOException {
        Path out = downloads.resolve("fetched.bin");
        ClientResult result = client.fetchFileOf(size, server.port(), name(size), out);

        result.assertDelivered(root.resolve(name(size)), out);
        assertThat(Files.size(out)).isEqualTo(size);
        assertThat(server.awaitSummaryOf(name(size)).outcome()).isEqualTo(TransferOutcome.COMPLETED);
    }

    /** Every client reports the server's "File not found": curl by its exit code, tftp-hpa and commons-net by the text. */
    static void reportsAMissingFile(FloorflashServerExtension server, Client client, Path downloads) {
        ClientResult result = client.fetch(server.port(), "snom999.bin", downloads.resolve("out.bin")).assertFailed();
        if (client == Client.CURL) {
            assertThat(result.exitCode()).as("CURLE_TFTP_NOTFOUND").isEqualTo(68);
        } else if (client == Client.COMMONS_NET || client == Client.TFTP_HPA) {
            assertThat(result.output()).contains("File not found");
        }
    }

    /**
     * commons-net's {@code TFTPClient} insists on RFC 1350's new TID: it refuses any answer from the port it sent its
     * request to, so it cannot fetch from a server in single port mode (the README says so).
     */
    static void refusesTheListenersPort(ClientResult result) {
        result.assertFailed();
        assertThat(result.output()).contains("Incorrect source port");
    }

    @Nested
    class Single {
        @RegisterExtension
        static final FloorflashServerExtension server = FloorflashServerExtension.builder()
                .root(() -> root)
                .overrides(Overrides.none().with(Key.TRANSFER_PORTS, TransferPortMode.SINGLE))
                .build();

        @ParameterizedTest(name = "{0} fetches {1} bytes from the listener's port")
        @MethodSource("io.floorflash.server.it.PortModesIT#clientsAndSizes")
        void clientFetchesTheExactBytes(Client client, long size, @TempDir Path downloads) throws IOException {
            server.forgetSummaries();
            if (client == Client.COMMONS_NET) {
                refusesTheListenersPort(client.fetch(server.port(), name(size), downloads.resolve("out.bin")));
                return;
            }
            fetchesTheExactBytes(server, client, size, downloads);
            assertThat(server.server().transferPorts()).as("no socket besides the listener").isEmpty();
        }

        @ParameterizedTest(name = "{0} reports a missing file")
        @EnumSource(Client.class)
        void clientReportsAMissingFile(Client client, @TempDir Path downloads) {
            if (client == Client.COMMONS_NET) {
                refusesTheListenersPort(client.fetch(server.port(), "snom999.bin", downloads.resolve("out.bin")));
                return;
            }
            reportsAMissingFile(server, client, downloads);
        }

        @Test
        void theTransferAnswersFromTheListenersPort() {
            try (RawPeer phone = new RawPeer()) {
                phone.send(server.port(), RawPeer.request(RawPeer.RRQ, name(513), "octet"));
                RawPeer.Reply one = phone.expectReply(Duration.ofSeconds(5));
                assertThat(one.sourcePort()).isEqualTo(server.port());
                phone.send(server.port(), RawPeer.ack(1));
                RawPeer.Reply two = phone.expectReply(Duration.ofSeconds(5));
                assertThat(two.number()).isEqualTo(2);
                assertThat(two.payloadLength()).isEqualTo(1);
                phone.send(server.port(), RawPeer.ack(2));
            }
            assertThat(server.awaitSummaryOf(name(513)).outcome()).isEqualTo(TransferOutcome.COMPLETED);
        }
    }

    @Nested
    class Range {
        // Tests bind no fixed port: the range starts at a port the kernel just handed out, so it is most likely
        // free, and spans a few more in case one of them is not.
        private static int first;
        private static int last;

        @RegisterExtension
        static final FloorflashServerExtension server = FloorflashServerExtension.builder()
                .root(() -> root)
                .overrides(() -> {
                    first = freePort();
                    last = Math.min(65535, first + 7);
                    return Overrides.none().with(Key.TRANSFER_PORTS, TransferPortMode.range(first, last));
                })
                .build();

        @ParameterizedTest(name = "{0} fetches {1} bytes from a port of the range")
        @MethodSource("io.floorflash.server.it.PortModesIT#clientsAndSizes")
        void clientFetchesTheExactBytes(Client client, long size, @TempDir Path downloads) throws IOException {
            server.forgetSummaries();
            fetchesTheExactBytes(server, client, size, downloads);
            assertThat(server.server().transferPorts()).hasSizeBetween(1, 4)
                    .allSatisfy(port -> assertThat(port.getPort()).isBetween(first, last));
        }

        @ParameterizedTest(name = "{0} reports a missing file")
        @EnumSource(Client.class)
        void clientReportsAMissingFile(Client client, @TempDir Path downloads) {
            reportsAMissingFile(server, client, downloads);
        }
    }

    private static int freePort() {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

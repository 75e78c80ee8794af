package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.server.testing.FloorflashServerExtension;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every client fetches files at the block boundaries, in plain 512-byte lock-step, and gets the exact bytes. */
class ClientDownloadIT {
    /** Empty, one byte, around one 512-byte block (a full block ends with an empty DATA), one 1468 block, 2 MiB. */
    private static final long[] SIZES = {0, 1, 511, 512, 513, 1468, 2 * 1024 * 1024};

    @TempDir
    static Path root;

    @RegisterExtension
    static final FloorflashServerExtension server = FloorflashServerExtension.builder()
            .root(() -> root)
            .build();

    @BeforeAll
    static void writeFiles() throws Exception {
        for (long size : SIZES) {
            SeededFiles.write(root, name(size), size, size);
        }
    }

    static Stream<Arguments> clientsAndSizes() {
        return Arrays.stream(Client.values())
                .flatMap(client -> Arrays.stream(SIZES).mapToObj(size -> Arguments.of(client, size)));
    }

    @ParameterizedTest(name = "{0} fetches {1} bytes")
    @MethodSource("clientsAndSizes")
    void clientFetchesTheExactBytes(Client client, long size, @TempDir Path downloads) throws Exception {
        Path out = downloads.resolve("fetched.bin");
        ClientResult result = client.fetchFileOf(size, server.port(), name(size), out);

        result.assertDelivered(root.resolve(name(size)), out);
        assertThat(Files.size(out)).isEqualTo(size);
        TransferSummary summary = server.awaitSummaryOf(name(size));
        assertThat(summary.outcome()).as("server side of %s", result.command()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(summary.bytes()).isEqualTo(size);
        assertThat(summary.blockSize()).isEqualTo(512);
    }

    private static String name(long size) {
        return "size-" + size + ".bin";
    }
}

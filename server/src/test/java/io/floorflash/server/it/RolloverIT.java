package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.TransferSettings.RolloverSetting;
import io.floorflash.server.testing.FloorflashServerExtension;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.net.tftp.TFTP;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A 33 MiB image at 512-byte blocks needs 67,585 blocks, more than 16 bits count: block numbers roll over from 65535
 * to 0. Every client here rolls over correctly; with {@code rollover = refuse} the server says why and what to do.
 */
class RolloverIT {
    private static final String IMAGE = "snom-big.bin";
    /** More than 65535 * 512 = 33,553,920 bytes. */
    private static final long SIZE = 33L * 1024 * 1024;

    @TempDir
    static Path root;

    @BeforeAll
    static void writeImage() {
        SeededFiles.write(root, IMAGE, SIZE, 33);
    }

    @Nested
    class RollingOverToZero {
        @RegisterExtension
        static final FloorflashServerExtension server = FloorflashServerExtension.builder()
                .root(() -> root)
                .overrides(Overrides.none().with(Key.TRANSFER_ROLLOVER, RolloverSetting.ZERO))
                .build();

        @ParameterizedTest(name = "{0} rolls over at 512-byte blocks")
        @EnumSource(Client.class)
        void clientFetchesPastBlock65535(Client client, @TempDir Path downloads) {
            Path out = downloads.resolve(IMAGE);
            ClientResult result = client == Client.CURL
                    // Without options curl cannot be offered anything but 512-byte blocks.
                    ? Client.curl(server.port(), IMAGE, out, "--tftp-no-options")
                    : client.fetch(server.port(), IMAGE, out);

            result.assertDelivered(root.resolve(IMAGE), out);
            TransferSummary summary = server.awaitSummaryOf(IMAGE);
            assertThat(summary.outcome()).isEqualTo(TransferOutcome.COMPLETED);
            assertThat(summary.blockSize()).isEqualTo(512);
            assertThat(summary.bytes()).isEqualTo(SIZE);
        }
    }

    @Nested
    class Refusing {
        @RegisterExtension
        static final FloorflashServerExtension server = FloorflashServerExtension.builder()
                .root(() -> root)
                .overrides(Overrides.none().with(Key.TRANSFER_ROLLOVER, RolloverSetting.REFUSE))
                .build();

        @Test
        void curlIsToldWhyAndWhatToDo(@TempDir Path downloads) throws Exception {
            Path out = downloads.resolve(IMAGE);

            // -v: curl 7.88 prints the server's ERROR text only as "TFTP error: ..." in its verbose output.
            ClientResult result = Client.curl(server.port(), IMAGE, out, "--tftp-no-options", "-v").assertFailed();

            assertThat(result.output()).contains("TFTP error: " + IMAGE + " is " + SIZE + " bytes: 67585 blocks of 512 bytes")
                    .contains("more than 65535").contains("does not roll block numbers over")
                    .contains("larger blksize").contains("HTTP").contains("floorflash.transfer.rollover = zero");
            assertThat(!Files.exists(out) || Files.size(out) == 0).as("nothing delivered").isTrue();
            assertThat(server.summaries()).as("no transfer started").isEmpty();
        }

        @Test
        void commonsNetGetsTheErrorFromTheServer(@TempDir Path downloads) throws Exception {
            Path out = downloads.resolve(IMAGE);

            ClientResult result = Client.commonsNet(server.port(), IMAGE, out, TFTP.BINARY_MODE).assertFailed();

            assertThat(result.output()).contains("Error code 0 received: " + IMAGE + " is " + SIZE + " bytes")
                    .contains("does not roll block numbers over");
            assertThat(Files.size(out)).isZero();
        }

        @Test
        void aLargerBlockSizeStillFetchesIt(@TempDir Path downloads) {
            Path out = downloads.resolve(IMAGE);

            Client.curl(server.port(), IMAGE, out, "--tftp-blksize", "1468").assertDelivered(root.resolve(IMAGE), out);

            assertThat(server.awaitSummaryOf(IMAGE).blockSize()).isEqualTo(1468);
        }
    }
}

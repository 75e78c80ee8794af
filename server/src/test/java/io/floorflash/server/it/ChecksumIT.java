package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.TestServer;
import io.floorflash.server.transfer.TransferOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SHA256SUMS beside the images, in sha256sum's own format: a listed image whose bytes differ never reaches a
 * client, whatever client asks; with require-checksums, neither does an image no SHA256SUMS lists.
 */
class ChecksumIT {
    private static final String GOOD = "snom320.bin";
    private static final String CORRUPT = "snom820-r.bin";
    private static final String UNLISTED = "snomPA1.bin";

    @TempDir
    static Path root;

    @BeforeAll
    static void writeImages() throws Exception {
        SeededFiles.write(root, GOOD, 2 * 1024 * 1024 + 77, 320);
        SeededFiles.write(root, CORRUPT, 1024 * 1024, 820);
        SeededFiles.write(root, UNLISTED, 4096, 1);
        // CORRUPT is listed with the digest of other bytes: a flipped bit in transit or a wrong upload.
        Path other = SeededFiles.write(Files.createDirectory(root.resolve("elsewhere")), CORRUPT, 1024 * 1024, 821);
        Files.writeString(root.resolve("SHA256SUMS"), SeededFiles.sha256(root.resolve(GOOD)) + "  " + GOOD + "\n"
                + SeededFiles.sha256(other) + " *" + CORRUPT + "\n");
    }

    @Test
    void aListedImageWithTheRightDigestIsServedAndOneWithAnotherIsNot(@TempDir Path downloads) throws Exception {
        try (TestServer server = TestServer.start(root)) {
            Path good = downloads.resolve(GOOD);
            Client.CURL.fetch(server.port(), GOOD, good).assertDelivered(root.resolve(GOOD), good);
            assertThat(server.awaitSummaryOf(GOOD).sha256()).isEqualTo(SeededFiles.sha256(root.resolve(GOOD)));

            ClientResult hpa = Client.tftpHpa(server.port(), CORRUPT, downloads.resolve("hpa.bin"), "octet");
            ClientResult atftp = Client.atftp(server.port(), CORRUPT, downloads.resolve("atftp.bin"));

            assertThat(hpa.output()).contains("Error code 0: " + CORRUPT + " failed its checksum and is not served");
            assertThat(atftp.assertFailed().output()).contains("failed its checksum");
            assertThat(downloads.resolve("atftp.bin")).satisfiesAnyOf(
                    path -> assertThat(path).doesNotExist(), path -> assertThat(path).isEmptyFile());
            Path unlisted = downloads.resolve(UNLISTED);
            Client.CURL.fetch(server.port(), UNLISTED, unlisted).assertDelivered(root.resolve(UNLISTED), unlisted);
        }
    }

    @Test
    void requireChecksumsRefusesAnImageNoSha256sumsLists(@TempDir Path downloads) throws Exception {
        try (TestServer server = TestServer.start(root, Overrides.none().with(Key.FIRMWARE_REQUIRE_CHECKSUMS, true))) {
            ClientResult refused = Client.tftpHpa(server.port(), UNLISTED, downloads.resolve("x.bin"), "octet");
            assertThat(refused.output()).contains("Error code 0: " + UNLISTED + " is not served: the SHA256SUMS beside"
                    + " it does not list it");

            Path good = downloads.resolve(GOOD);
            Client.BUSYBOX.fetch(server.port(), GOOD, good).assertDelivered(root.resolve(GOOD), good);
            assertThat(server.awaitSummaryOf(GOOD).outcome()).isEqualTo(TransferOutcome.COMPLETED);
        }
    }
}

package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.server.testing.FloorflashServerExtension;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.net.tftp.TFTP;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * netascii (RFC 764 via RFC 1350): the server sends LF as CR LF and CR as CR NUL; clients convert back, so the local
 * text arrives unchanged. The transfer's size proves the converted stream was on the wire.
 */
class NetasciiIT {
    private static final String MIXED = "mixed.txt";
    private static final String UNIX = "unix.txt";

    @TempDir
    static Path root;

    @RegisterExtension
    static final FloorflashServerExtension server = FloorflashServerExtension.builder()
            .root(() -> root)
            .build();
    private static byte[] mixed;
    private static byte[] unix;

    @BeforeAll
    static void writeFiles() throws Exception {
        mixed = mixedText();
        unix = "first line\nsecond line\n\nlast line without end".repeat(40).getBytes(StandardCharsets.US_ASCII);
        Files.write(root.resolve(MIXED), mixed);
        Files.write(root.resolve(UNIX), unix);
    }

    @Test
    void tftpHpaGetsTheOriginalText(@TempDir Path downloads) throws IOException {
        Path out = downloads.resolve(MIXED);

        Client.tftpHpa(server.port(), MIXED, out, "netascii").assertSucceeded();

        assertThat(Files.readAllBytes(out)).isEqualTo(mixed);
        assertSentAsNetascii(MIXED, mixed);
    }

    @Test
    void atftpGetsTheOriginalText(@TempDir Path downloads) throws IOException {
        Path out = downloads.resolve(MIXED);

        Client.atftp(server.port(), MIXED, out, "--mode", "netascii").assertSucceeded();

        assertThat(Files.readAllBytes(out)).isEqualTo(mixed);
        assertSentAsNetascii(MIXED, mixed);
    }

    /**
     * commons-net's ASCII mode turns CR LF back into the local line end but leaves CR NUL as it is, so it is given
     * text without CR.
     */
    @Test
    void commonsNetGetsTheOriginalUnixText(@TempDir Path downloads) throws IOException {
        Path out = downloads.resolve(UNIX);

        Client.commonsNet(server.port(), UNIX, out, TFTP.ASCII_MODE).assertSucceeded();

        assertThat(Files.readAllBytes(out)).isEqualTo(unix);
        assertSentAsNetascii(UNIX, unix);
    }

    private static void assertSentAsNetascii(String file, byte[] text) {
        TransferSummary summary = server.awaitSummaryOf(file);
        assertThat(summary.outcome()).isEqualTo(TransferOutcome.COMPLETED);
        long crs = count(text, '\r');
        long lfs = count(text, '\n');
        assertThat(summary.size()).as("netascii length: one more byte per CR and per LF").isEqualTo(text.length + crs + lfs);
    }

    /**
     * LF, CR LF and bare CR line ends, a CR whose CR NUL is split between DATA 1 and 2, an LF whose CR LF is split
     * between DATA 2 and 3, and a CR as the very last byte.
     */
    private static byte[] mixedText() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes("a".repeat(511).getBytes(StandardCharsets.US_ASCII));
        text.write('\r');                     // netascii bytes 511-512: CR | NUL
        text.writeBytes("b".repeat(510).getBytes(StandardCharsets.US_ASCII));
        text.write('\n');                     // netascii bytes 1023-1024: CR | LF
        for (int i = 0; i < 60; i++) {
            text.writeBytes(("unix line " + i + "\ndos line " + i + "\r\nold mac line " + i + "\r")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        text.writeBytes("the end\r".getBytes(StandardCharsets.US_ASCII));
        return text.toByteArray();
    }

    private static long count(byte[] bytes, char c) {
        long n = 0;
        for (byte b : bytes) {
            if (b == c) {
                n++;
            }
        }
        return n;
    }
}

package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.TestServer;
import io.floorflash.server.transfer.TransferOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads that never finish leave nothing behind: a client that stops sending in the middle (the server gives up),
 * one whose process is killed, and one running when the server stops (the drain ends it). The server here gives up
 * after a second or so.
 */
class UploadCutIT {
    private static final Duration REPLY = Duration.ofSeconds(5);
    /** 200 ms doubling to 400 ms, 3 retries: a silent client is given up within about 2 s. */
    private static final Overrides IMPATIENT = Overrides.none()
            .with(Key.RETRANSMIT_INITIAL_TIMEOUT, Duration.ofMillis(200))
            .with(Key.RETRANSMIT_MIN_TIMEOUT, Duration.ofMillis(20))
            .with(Key.RETRANSMIT_MAX_TIMEOUT, Duration.ofMillis(400))
            .with(Key.RETRANSMIT_MAX_RETRIES, 3);

    @TempDir
    Path base;

    private TestServer start(Path uploads) throws Exception {
        return TestServer.start(Files.createDirectories(base.resolve("firmware")),
                UploadIT.uploadSettings(uploads, IMPATIENT));
    }

    @Test
    void aClientThatStopsInTheMiddleLeavesNoFile() throws Exception {
        Path uploads = base.resolve("uploads");
        try (TestServer server = start(uploads); RawPeer peer = new RawPeer()) {
            int port = sendBlocks(server, peer, "cut.bin", 20);
            assertThat(temporaryFiles(uploads)).as("the temporary file while it runs").hasSize(1);

            // The client goes quiet: the server resends its ACK, then gives up with an ERROR.
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.receive(Duration.ofMillis(200))
                    .filter(reply -> reply.opcode() == RawPeer.ERROR).isPresent());
            assertThat(server.awaitSummaryOf("cut.bin").outcome()).isEqualTo(TransferOutcome.TIMED_OUT);
            await().atMost(Duration.ofSeconds(5)).until(() -> temporaryFiles(uploads).isEmpty());
            assertThat(uploads.resolve("127.0.0.1/cut.bin")).doesNotExist();
            assertThat(port).isNotEqualTo(server.port());
        }
    }

    @Test
    void aKilledClientLeavesNoFile(@TempDir Path sources) throws Exception {
        Path uploads = base.resolve("uploads");
        Path big = SeededFiles.write(sources, "big.bin", 3 * 1024 * 1024, 5);
        try (TestServer server = start(uploads)) {
            ExternalProcess.requireOnPath("atftp", "apt-get install atftp");
            // atftp in lock-step at 512 bytes: 6144 round trips, long enough to be killed in the middle.
            Process atftp = new ProcessBuilder("atftp", "--put", "-l", big.toString(), "-r", "killed.bin", "127.0.0.1",
                    Integer.toString(server.port())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
                        .until(() -> !temporaryFiles(uploads).isEmpty() && Files.size(temporaryFiles(uploads).get(0)) > 0);
            } finally {
                atftp.destroyForcibly().waitFor();
            }
            assertThat(server.awaitSummaryOf("killed.bin").outcome()).isEqualTo(TransferOutcome.TIMED_OUT);
            await().atMost(Duration.ofSeconds(5)).until(() -> temporaryFiles(uploads).isEmpty());
            assertThat(uploads.resolve("127.0.0.1/killed.bin")).doesNotExist();
        }
    }

    @Test
    void aDrainEndsARunningUploadAndDeletesItsTemporaryFile() throws Exception {
        Path uploads = base.resolve("uploads");
        TestServer server = start(uploads);
        try (RawPeer peer = new RawPeer()) {
            sendBlocks(server, peer, "drained.bin", 5);
            assertThat(temporaryFiles(uploads)).hasSize(1);

            server.server().stop(Duration.ZERO);

            RawPeer.Reply reply = await().atMost(Duration.ofSeconds(10)).until(() -> peer.receive(Duration.ofMillis(200))
                    .filter(r -> r.opcode() == RawPeer.ERROR).orElse(null), r -> r != null);
            assertThat(reply.message()).contains("shutting down");
            assertThat(server.awaitSummaryOf("drained.bin").outcome()).isEqualTo(TransferOutcome.CANCELLED);
            assertThat(temporaryFiles(uploads)).isEmpty();
            assertThat(uploads.resolve("127.0.0.1/drained.bin")).doesNotExist();
        } finally {
            server.close();
        }
    }

    /** Sends a WRQ and {@code blocks} full blocks, each acknowledged; returns the server's transfer port. */
    private static int sendBlocks(TestServer server, RawPeer peer, String name, int blocks) {
        peer.send(server.port(), RawPeer.request(RawPeer.WRQ, name, "octet"));
        RawPeer.Reply reply = peer.expectReply(REPLY);
        assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.ACK);
        int port = reply.sourcePort();
        for (int block = 1; block <= blocks; block++) {
            peer.send(port, UploadIT.data(block, 512));
            do {
                reply = peer.expectReply(REPLY); // skipping re-ACKs of the block before, from the server's timer
            } while (reply.opcode() == RawPeer.ACK && reply.number() < block);
            assertThat(reply.opcode()).as("%s", reply).isEqualTo(RawPeer.ACK);
            assertThat(reply.number()).isEqualTo(block);
        }
        return port;
    }

    private static List<Path> temporaryFiles(Path root) {
        return UploadIT.temporaryFiles(root);
    }
}

package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar run as a service would run it ({@code --config FILE}), stopped with SIGTERM ({@link Process#destroy()}
 * on Linux) while a hand-driven client holds a transfer open: new requests are refused during the drain, the
 * transfer either completes or is ended with an ERROR once the drain time is over, the audit file has its line, and
 * the process exits 0.
 */
class ServiceStopIT {
    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final Pattern LISTENING = Pattern.compile("floorflash listening on udp 127\\.0\\.0\\.1:(\\d+)");
    private static final String SHUTTING_DOWN = "Server shutting down; try again shortly";
    private static final int SIZE = 10 * 512;

    @TempDir
    Path work;

    private Process jar;
    private Path output;

    @AfterEach
    void killWhatIsLeft() throws InterruptedException {
        if (jar != null && jar.isAlive()) {
            jar.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTransferRunningAtSigtermCompletesWithinTheDrainAndTheProcessExitsZero() throws Exception {
        String sha = SeededFiles.sha256(SeededFiles.write(firmware(), "slow.bin", SIZE, 3));
        int port = start(Duration.ofSeconds(20));
        try (RawPeer phone = new RawPeer(); RawPeer late = new RawPeer()) {
            int transferPort = startTransfer(phone, port, "slow.bin");

            jar.destroy();
            awaitOutput("floorflash stopping: new requests refused; 1 transfer running, waiting up to 20000 ms");
            expectRefusal(late, port);
            for (int block = 2; block <= 11; block++) {
                phone.send(transferPort, RawPeer.ack(block));
                if (block < 11) {
                    assertThat(phone.expectReply(REPLY).number()).isEqualTo(block + 1);
                }
            }

            // Far sooner than the 20 s drain time: the drain ends when the last transfer does.
            assertThat(awaitExit(Duration.ofSeconds(10))).as("exit status after SIGTERM").isZero();
        }
        assertThat(ExternalProcess.read(output)).contains("1 transfer finished, 0 cancelled (0 told to end); 1 request refused");
        assertThat(auditLines()).singleElement().asString()
                .contains("\"file\":\"slow.bin\",\"served\":\"slow.bin\",\"direction\":\"read\",\"sha256\":\"" + sha
                        + "\",\"outcome\":\"completed\",\"bytes\":5120,\"size\":5120,")
                .doesNotContain("reason");
    }

    @Test
    void aTransferStillRunningAfterTheDrainTimeGetsAnErrorAndTheProcessExitsZero() throws Exception {
        String sha = SeededFiles.sha256(SeededFiles.write(firmware(), "stuck.bin", SIZE, 4));
        int port = start(Duration.ofSeconds(2));
        try (RawPeer phone = new RawPeer(); RawPeer late = new RawPeer()) {
            int transferPort = startTransfer(phone, port, "stuck.bin");

            long signalled = System.nanoTime();
            jar.destroy();
            awaitOutput("floorflash stopping: new requests refused; 1 transfer running, waiting up to 2000 ms");
            expectRefusal(late, port);

            RawPeer.Reply error = phone.expectReply(Duration.ofSeconds(10));
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            assertThat(error.opcode()).as("%s", error).isEqualTo(RawPeer.ERROR);
            assertThat(error.sourcePort()).isEqualTo(transferPort);
            assertThat(error.message()).isEqualTo(SHUTTING_DOWN);
            assertThat(waitedMillis).as("the drain time passed first").isGreaterThanOrEqualTo(2000);
            assertThat(awaitExit(Duration.ofSeconds(10))).as("exit status after SIGTERM").isZero();
        }
        assertThat(ExternalProcess.read(output)).contains("0 transfers finished, 1 cancelled (1 told to end); 1 request refused");
        assertThat(auditLines()).singleElement().asString()
                .contains("\"file\":\"stuck.bin\",\"served\":\"stuck.bin\",\"direction\":\"read\",\"sha256\":\"" + sha
                        + "\",\"outcome\":\"cancelled\",\"bytes\":512,\"size\":5120,")
                .endsWith(",\"reason\":\"" + SHUTTING_DOWN + "\"}");
    }

    private Path firmware() throws IOException {
        return Files.createDirectories(work.resolve("firmware"));
    }

    /** Starts the jar with a config file of a service's shape; returns the port it listens on. */
    private int start(Duration drainTime) throws IOException {
        Path config = Files.writeString(work.resolve("floorflash.conf"), """
                floorflash {
                  tftp { address = "127.0.0.1", port = 0 }
                  firmware.root = "%s"
                  audit.file = "%s"
                  shutdown.drain-time = %d ms
                  # The client here acknowledges when the test says: nothing is resent in the meantime.
                  transfer.retransmit { initial-timeout = 60 s, max-timeout = 60 s, adaptive = false }
                }
                """.formatted(work.resolve("firmware"), work.resolve("log/audit.jsonl"), drainTime.toMillis()),
                StandardCharsets.UTF_8);
        Path jarFile = Path.of(System.getProperty("floorflash.jar", "target/floorflash.jar")).toAbsolutePath();
        assertThat(jarFile).as("the shaded jar (built by mvn package)").isRegularFile();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        output = work.resolve("floorflash.out");
        jar = new ProcessBuilder(List.of(java.toString(), "-Xmx128m", "-jar", jarFile.toString(), "--config", config.toString()))
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Matcher listening = await("the listening line").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(this::listening, Optional::isPresent).orElseThrow();
        return Integer.parseInt(listening.group(1));
    }

    private Optional<Matcher> listening() {
        String printed = ExternalProcess.read(output);
        Matcher matcher = LISTENING.matcher(printed);
        if (matcher.find()) {
            return Optional.of(matcher);
        }
        if (!jar.isAlive()) {
            fail("floorflash exited with " + jar.exitValue() + " before listening:\n" + printed);
        }
        return Optional.empty();
    }

    /** Asks for {@code file}, acknowledges DATA 1, reads DATA 2 and leaves it unacknowledged; returns the transfer's port. */
    private static int startTransfer(RawPeer phone, int port, String file) {
        phone.send(port, RawPeer.request(RawPeer.RRQ, file, "octet"));
        RawPeer.Reply first = phone.expectReply(REPLY);
        assertThat(first.opcode()).as("%s", first).isEqualTo(RawPeer.DATA);
        phone.send(first.sourcePort(), RawPeer.ack(1));
        assertThat(phone.expectReply(REPLY).number()).isEqualTo(2);
        return first.sourcePort();
    }

    private static void expectRefusal(RawPeer late, int port) {
        late.send(port, RawPeer.request(RawPeer.RRQ, "slow.bin", "octet"));
        RawPeer.Reply refusal = late.expectReply(REPLY);
        assertThat(refusal.opcode()).as("%s", refusal).isEqualTo(RawPeer.ERROR);
        assertThat(refusal.number()).isZero();
        assertThat(refusal.message()).isEqualTo(SHUTTING_DOWN);
    }

    private void awaitOutput(String line) {
        await("'" + line + "' in the output").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> ExternalProcess.read(output).contains(line));
    }

    private int awaitExit(Duration timeout) throws InterruptedException {
        if (!jar.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("floorflash did not exit within " + timeout.toSeconds() + " s of SIGTERM; it printed:\n" + ExternalProcess.read(output));
        }
        return jar.exitValue();
    }

    private List<String> auditLines() throws IOException {
        return Files.readAllLines(work.resolve("log/audit.jsonl"), StandardCharsets.UTF_8);
    }
}

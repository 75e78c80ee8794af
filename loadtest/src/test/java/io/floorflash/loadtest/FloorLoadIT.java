package io.floorflash.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.FloorflashServerExtension;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A floor of simulated phones against the real server in this JVM, on 127.0.0.1 and a free port, over a seeded
 * 1 MiB image: lock-step 512-byte blocks, full-size blocks in windows, simulated loss both ways, and the shaded jar
 * as a process.
 */
class FloorLoadIT {
    private static final String FILE = "snom320.bin";
    private static final int SIZE = 1 << 20;
    private static final int PHONES = 200;
    private static final Path JAR = Path.of("target", "floorflash-loadtest.jar");

    @TempDir
    static Path root;

    @RegisterExtension
    static final FloorflashServerExtension server = FloorflashServerExtension.builder()
            .root(() -> root)
            // Loopback's MTU carries any blksize; the large-block test asks for more than the 1468 default.
            .overrides(Overrides.none().with(Key.TRANSFER_MAX_BLOCK_SIZE, 65464))
            .build();

    private static byte[] firmware;

    @BeforeAll
    static void writeImage() throws Exception {
        firmware = new byte[SIZE];
        new Random(0xF100_F1A5L).nextBytes(firmware);
        Files.write(root.resolve(FILE), firmware);
    }

    @Test
    void aFloorOfSnomBootloadersGetsEveryByteInLockStep() throws Exception {
        ClientProfile snom = ClientProfile.SNOM_BOOTLOADER;

        LoadReport report = run("snom-bootloader, 512-byte lock-step", scenario(snom.options(), snom.timeout(),
                snom.retries(), 0));

        assertEveryPhoneGotEveryByte(report);
        assertThat(report.dataPackets()).as("one DATA per block at least").isGreaterThanOrEqualTo(PHONES * (SIZE / 512 + 1L));
    }

    @Test
    void aFloorAskingForFullSizeBlocksInWindowsGetsEveryByte() throws Exception {
        Map<String, String> options = Fixtures.options("blksize", "1468", "tsize", "0", "windowsize", "8");

        LoadReport report = run("blksize 1468, windowsize 8, tsize", scenario(options, Duration.ofSeconds(1), 10, 0));

        assertEveryPhoneGotEveryByte(report);
    }

    @ParameterizedTest(name = "blksize {0}, windowsize {1}")
    @CsvSource({"8192, 1", "65464, 4"})
    void phonesAskingForBlocksLargerThanNettysDefaultReceiveBufferGetEveryByte(int blockSize, int windowSize)
            throws Exception {
        Map<String, String> options = Fixtures.options("blksize", String.valueOf(blockSize), "windowsize",
                String.valueOf(windowSize));
        LoadScenario scenario = new LoadScenario(server.address(), FILE, ExpectedContent.ofBytes(firmware), 20, 20, 0,
                options, Duration.ofSeconds(1), 10, 0, 0, 42, Duration.ofSeconds(60), 2);

        LoadReport report = new LoadRun(scenario, System.out).run();

        assertThat(report.allOk()).as(report.toText()).isTrue();
        assertThat(report.bytes()).isEqualTo(20L * SIZE);
        // A block cut short by a small receive buffer would fail the byte check above; here, each block came in one
        // datagram. Resends by the server's 20 ms timer floor on a busy machine arrive as duplicates, not as more blocks.
        assertThat(report.dataPackets() - report.duplicates()).as("every DATA carried a full block")
                .isLessThanOrEqualTo(20L * (SIZE / blockSize + 1));
    }

    @Test
    void aFloorLosingFivePercentBothWaysStillGetsEveryByte() throws Exception {
        Map<String, String> options = Fixtures.options("blksize", "1468", "tsize", "0", "windowsize", "8");

        // When the first block of a window is lost, the phone's gap ACK repeats the server's last ACK, which the
        // server ignores (never resend on a duplicate ACK): only its own timer resends, after 1, 2, 4, 5, 5, 5 s.
        // The phones keep trying for 30 s so that a block lost three times in a row does not fail the run.
        LoadReport report = run("5% loss both ways, blksize 1468, windowsize 8",
                scenario(options, Duration.ofMillis(500), 60, 0.05));

        assertEveryPhoneGotEveryByte(report);
        assertThat(report.droppedReceived()).as("the loss was simulated").isPositive();
        assertThat(report.droppedSent()).isPositive();
        assertThat(report.timeouts()).isPositive();
    }

    @Test
    void theJarVerifiesEveryByteAndWritesJson() throws Exception {
        Path expected = root.resolve("expected.bin");
        Files.write(expected, firmware);
        Path json = root.resolve("ok.json");

        JarRun run = runJar("--file", FILE, "--expect-file", expected.toString(), "--phones", "20", "--profile", "ipxe",
                "--json", json.toString());

        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("transfers     20: ok 20, failed 0, mismatched 0");
        assertThat(Files.readString(json)).contains("{\"transfers\":20,\"ok\":20,\"failed\":0,\"mismatched\":0,\"bytes\":"
                + 20L * SIZE + ",").endsWith("\"errors\":{}}\n");
    }

    @Test
    void theJarExitsOneAndCountsMismatchesWhenTheHashIsWrong() throws Exception {
        byte[] other = firmware.clone();
        other[SIZE / 2] ^= 0x01;
        Path json = root.resolve("wrong.json");

        JarRun run = runJar("--file", FILE, "--expect-sha256", Fixtures.sha256(other), "--phones", "10",
                "--json", json.toString());

        assertThat(run.exitCode).as(run.output).isEqualTo(1);
        assertThat(Files.readString(json)).contains("\"ok\":0,", "\"failed\":10,", "\"mismatched\":10,",
                "\"errors\":{\"content differs: transfer ended after N bytes\":10}");
    }

    private static LoadScenario scenario(Map<String, String> options, Duration clientTimeout, int retries, double loss) {
        return new LoadScenario(server.address(), FILE, ExpectedContent.ofBytes(firmware), PHONES, PHONES, 0, options,
                clientTimeout, retries, loss, loss, 42, Duration.ofSeconds(120), 2);
    }

    private static LoadReport run(String title, LoadScenario scenario) throws InterruptedException {
        PrintStream out = System.out;
        out.println("== " + title);
        LoadReport report = new LoadRun(scenario, out).run();
        out.print(report.toText());
        return report;
    }

    private static void assertEveryPhoneGotEveryByte(LoadReport report) {
        assertThat(report.allOk()).as(report.toText()).isTrue();
        assertThat(report.ok()).isEqualTo(PHONES);
        assertThat(report.mismatched()).isZero();
        assertThat(report.bytes()).isEqualTo((long) PHONES * SIZE);
    }

    private static JarRun runJar(String... args) throws Exception {
        assertThat(JAR).as("the shaded jar (built at package, before failsafe runs)").isRegularFile();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(server.address().getPort()), "--threads", "1"));
        command.addAll(List.of(args));
        File output = Files.createTempFile(root, "jar", ".out").toFile();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the jar ends on its own").isTrue();
        } finally {
            process.destroyForcibly();
        }
        return new JarRun(process.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
    }

    private record JarRun(int exitCode, String output) {
    }
}

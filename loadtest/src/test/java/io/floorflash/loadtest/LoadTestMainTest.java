package io.floorflash.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The command line up to the scenario it builds. Nothing here sends a packet: {@code execute} is only called with
 * arguments that are refused before the run starts, and accepted ones are turned into a scenario directly.
 */
class LoadTestMainTest {
    private static final String SHA256 = "ab".repeat(32);

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.7", "10.0.0.1", "0.0.0.0", "2001:db8::1"})
    void refusesATargetThatIsNotLoopbackWithoutAllowRemote(String host) {
        Execution run = execute("--host", host, "--file", "snom320.bin", "--expect-sha256", SHA256);

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("floorflash-loadtest: --host " + host + " is not a loopback address",
                "pass --allow-remote only for a server in a test network of your own");
        assertThat(run.out).as("no run was started").isEmpty();
    }

    @Test
    void acceptsARemoteTargetWithAllowRemote() throws Exception {
        LoadScenario scenario = scenario("--host", "192.0.2.7", "--port", "6969", "--allow-remote", "--file", "snom320.bin",
                "--expect-sha256", SHA256);

        assertThat(scenario.server()).isEqualTo(new InetSocketAddress("192.0.2.7", 6969));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1"})
    void acceptsLoopbackTargets(String host) throws Exception {
        LoadScenario scenario = scenario("--host", host, "--file", "snom320.bin", "--expect-sha256", SHA256);

        assertThat(scenario.server().getAddress().isLoopbackAddress()).isTrue();
        assertThat(scenario.server().getPort()).isEqualTo(69);
    }

    @Test
    void givesEachPhoneAnAddressOfItsOwnFromTheClientBase() throws Exception {
        LoadScenario scenario = scenario("--client-base", "127.1.0.254", "--phones", "3", "--transfers", "7",
                "--file", "snom320.bin", "--expect-sha256", SHA256);

        assertThat(java.util.stream.IntStream.rangeClosed(1, 7).mapToObj(id -> scenario.localAddressOf(id).getHostAddress()))
                .containsExactly("127.1.0.254", "127.1.0.255", "127.1.1.0", "127.1.0.254", "127.1.0.255", "127.1.1.0",
                        "127.1.0.254");
        assertThat(scenario("--file", "x.bin", "--expect-sha256", SHA256).localAddressOf(5).getHostAddress())
                .as("without a base every phone sends from the server's loopback address").isEqualTo("127.0.0.1");
    }

    @Test
    void bindsEveryPhoneToTheOneAddressGiven() throws Exception {
        LoadScenario scenario = scenario("--host", "10.77.0.1", "--allow-remote", "--bind", "10.77.0.15", "--phones", "3",
                "--file", "snom320.bin", "--expect-sha256", SHA256);

        assertThat(scenario.localAddressOf(1).getHostAddress()).isEqualTo("10.77.0.15");
        assertThat(scenario.localAddressOf(3).getHostAddress()).isEqualTo("10.77.0.15");
        assertThat(scenario("--host", "10.77.0.1", "--allow-remote", "--file", "x.bin", "--expect-sha256", SHA256)
                .localAddressOf(1)).as("without --bind a remote server's phones bind any address").isNull();
        assertThat(execute("--bind", "phone.example.com", "--file", "x.bin", "--expect-sha256", SHA256).err)
                .contains("--bind: phone.example.com (expected: an IP address of this host)");
        assertThat(execute("--bind", "127.0.0.2", "--client-base", "127.1.0.1", "--file", "x.bin", "--expect-sha256",
                SHA256).exitCode).isEqualTo(2);
    }

    @Test
    void refusesAClientBaseOutsideLoopback() {
        assertThat(execute("--client-base", "10.0.0.1", "--file", "x.bin", "--expect-sha256", SHA256).err)
                .contains("--client-base: 10.0.0.1 (expected: an IPv4 loopback address such as 127.1.0.1, with room for 100 phones");
        assertThat(execute("--client-base", "127.255.255.250", "--phones", "10", "--file", "x.bin", "--expect-sha256", SHA256)
                .exitCode).isEqualTo(2);
        assertThat(execute("--client-base", "::1", "--file", "x.bin", "--expect-sha256", SHA256).exitCode).isEqualTo(2);
    }

    @Test
    void defaultsToTheSnomBootloaderWithNoOptions() throws Exception {
        LoadScenario scenario = scenario("--file", "snom320.bin", "--expect-sha256", SHA256);

        assertThat(scenario.file()).isEqualTo("snom320.bin");
        assertThat(scenario.options()).isEmpty();
        assertThat(scenario.clientTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(scenario.clientRetries()).isEqualTo(10);
        assertThat(scenario.phones()).isEqualTo(100);
        assertThat(scenario.transfers()).as("one transfer per phone").isEqualTo(100);
        assertThat(scenario.rampPerSecond()).isZero();
        assertThat(scenario.receiveLoss()).isZero();
        assertThat(scenario.sendLoss()).isZero();
        assertThat(scenario.maxDuration()).isEqualTo(Duration.ofSeconds(120));
        assertThat(scenario.threads()).isPositive();
        assertThat(scenario.expected().size()).as("only a hash is known").isEqualTo(-1);
    }

    @Test
    void asksForWhatUBootAsksFor() throws Exception {
        LoadScenario scenario = scenario("--profile", "uboot", "--file", "u-boot.bin", "--expect-sha256", SHA256);

        assertThat(scenario.options()).as("no tsize").containsExactly(Map.entry("blksize", "1468"), Map.entry("timeout", "5"));
        assertThat(scenario.clientTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(scenario.clientRetries()).isEqualTo(10);
    }

    @Test
    void asksForWhatIpxeAsksFor() throws Exception {
        LoadScenario scenario = scenario("--profile", "ipxe", "--file", "undionly.kpxe", "--expect-sha256", SHA256);

        assertThat(scenario.options()).containsExactly(Map.entry("blksize", "1432"), Map.entry("tsize", "0"));
        assertThat(scenario.clientTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(scenario.clientRetries()).isEqualTo(15);
    }

    @Test
    void addsBlockSizeWindowSizeAndTransferSizeToAProfileWithoutOptions() throws Exception {
        LoadScenario scenario = scenario("--profile", "plain", "--blksize", "1468", "--windowsize", "8", "--tsize",
                "--file", "snom320.bin", "--expect-sha256", SHA256);

        assertThat(scenario.options()).containsExactly(Map.entry("blksize", "1468"), Map.entry("tsize", "0"),
                Map.entry("windowsize", "8"));
    }

    @Test
    void overridesTheProfilesBlockSizeAndDropsItsTransferSize() throws Exception {
        LoadScenario scenario = scenario("--profile", "ipxe", "--blksize", "512", "--no-tsize", "--timeout", "2",
                "--file", "undionly.kpxe", "--expect-sha256", SHA256);

        assertThat(scenario.options()).containsExactly(Map.entry("blksize", "512"), Map.entry("timeout", "2"));
    }

    @Test
    void sendsNoOptionsAtAllWithNoOptionsWhateverElseIsAsked() throws Exception {
        LoadScenario scenario = scenario("--profile", "uboot", "--no-options", "--blksize", "1468", "--windowsize", "8",
                "--tsize", "--file", "u-boot.bin", "--expect-sha256", SHA256);

        assertThat(scenario.options()).isEmpty();
        assertThat(scenario.clientTimeout()).as("the profile's timing stays").isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void takesRunShapeAndClientTimingFromTheCommandLine() throws Exception {
        LoadScenario scenario = scenario("--file", "snom320.bin", "--expect-sha256", SHA256, "--phones", "50",
                "--transfers", "1000", "--ramp", "25", "--client-timeout-ms", "250", "--retries", "20", "--loss-rx", "0.05",
                "--loss-tx", "0.02", "--seed", "99", "--duration", "30", "--threads", "3");

        assertThat(scenario.phones()).isEqualTo(50);
        assertThat(scenario.transfers()).isEqualTo(1000);
        assertThat(scenario.rampPerSecond()).isEqualTo(25);
        assertThat(scenario.clientTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(scenario.clientRetries()).isEqualTo(20);
        assertThat(scenario.receiveLoss()).isEqualTo(0.05);
        assertThat(scenario.sendLoss()).isEqualTo(0.02);
        assertThat(scenario.seed()).isEqualTo(99);
        assertThat(scenario.maxDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(scenario.threads()).isEqualTo(3);
    }

    @Test
    void readsTheExpectedBytesFromAFile(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("snom320.bin");
        Files.write(copy, Fixtures.content(1234));

        LoadScenario scenario = scenario("--file", "snom320.bin", "--expect-file", copy.toString());

        assertThat(scenario.expected().size()).isEqualTo(1234);
    }

    @Test
    void refusesAnUnknownProfile() {
        Execution run = execute("--profile", "cisco", "--file", "x.bin", "--expect-sha256", SHA256);

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("profile: 'cisco' (expected: snom-bootloader, uboot, ipxe or plain)");
    }

    @Test
    void refusesNumbersOutOfRange() {
        assertThat(execute("--phones", "0", "--file", "x.bin", "--expect-sha256", SHA256).err)
                .contains("--phones: 0 (expected: 1-100000)");
        assertThat(execute("--port", "70000", "--file", "x.bin", "--expect-sha256", SHA256).exitCode).isEqualTo(2);
        assertThat(execute("--loss-rx", "1", "--file", "x.bin", "--expect-sha256", SHA256).err)
                .contains("--loss-rx/--loss-tx (expected: 0 <= loss < 1)");
        assertThat(execute("--duration", "0", "--file", "x.bin", "--expect-sha256", SHA256).exitCode).isEqualTo(2);
    }

    @Test
    void refusesAClientTimingThatWouldFireRequestsInATightLoop() {
        Execution zeroWait = execute("--client-timeout-ms", "0", "--retries", "1000", "--file", "x.bin",
                "--expect-sha256", SHA256);
        assertThat(zeroWait.exitCode).isEqualTo(2);
        assertThat(zeroWait.err).contains("--client-timeout-ms: 0 (expected: 1-600000)");
        assertThat(execute("--retries", "-1", "--file", "x.bin", "--expect-sha256", SHA256).err)
                .contains("--retries: -1 (expected: 0-1000)");
        assertThat(execute("--threads", "0", "--file", "x.bin", "--expect-sha256", SHA256).err)
                .contains("--threads: 0 (expected: 1-1024)");
    }

    @Test
    void refusesAHashThatIsNotSha256() {
        Execution run = execute("--file", "x.bin", "--expect-sha256", "abcd");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("sha256: 4 hex digits (expected: 64)");
    }

    @Test
    void needsExactlyOneWayToCheckTheContent() {
        assertThat(execute("--file", "x.bin").exitCode).isEqualTo(2);
        assertThat(execute("--file", "x.bin", "--expect-sha256", SHA256, "--expect-file", "x.bin").exitCode).isEqualTo(2);
    }

    @Test
    void refusesAnExpectedFileThatCannotBeReadAsAUsageError(@TempDir Path dir) {
        Path missing = dir.resolve("missing.bin");

        Execution run = execute("--file", "x.bin", "--expect-file", missing.toString());

        assertThat(run.exitCode).as("1 would mean a transfer failed").isEqualTo(2);
        assertThat(run.err).contains("--expect-file: " + missing + " cannot be read");
    }

    @Test
    void refusesAHostThatIsNotAnAddressAsAUsageError() {
        // A malformed IPv6 literal fails without a name lookup, so no packet leaves the machine.
        Execution run = execute("--host", "[::1", "--file", "x.bin", "--expect-sha256", SHA256);

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--host: [::1 does not resolve");
    }

    private static LoadScenario scenario(String... args) throws Exception {
        LoadTestMain main = new LoadTestMain();
        new CommandLine(main).parseArgs(args);
        return main.scenario();
    }

    /** Runs the command as {@code main} would, capturing what it prints; only for arguments that are refused. */
    private static Execution execute(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        StringWriter picocliErr = new StringWriter();
        int exitCode;
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            CommandLine commandLine = new CommandLine(new LoadTestMain());
            commandLine.setErr(new PrintWriter(picocliErr, true));
            exitCode = commandLine.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Execution(exitCode, outBytes.toString(StandardCharsets.UTF_8),
                errBytes.toString(StandardCharsets.UTF_8) + picocliErr);
    }

    private record Execution(int exitCode, String out, String err) {
    }
}

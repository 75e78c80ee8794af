package io.floorflash.loadtest;

import io.floorflash.protocol.TftpOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar floorflash-loadtest.jar --file snom320.bin --expect-file snom320.bin --phones 500 ...}. */
@Command(name = "floorflash-loadtest", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        version = "floorflash-loadtest 0.1.0",
        description = "Simulates a floor of phones fetching one file over TFTP at once, verifies every byte, and "
                + "reports goodput, latency percentiles and its own CPU cost. Exits 1 when any transfer failed.")
public final class LoadTestMain implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "TFTP server address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "69", description = "TFTP server port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--file", required = true, description = "Remote file name to request.")
    String file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Expected expected;

    static final class Expected {
        @Option(names = "--expect-file", paramLabel = "PATH", description = "Local copy of the file; every byte is compared.")
        Path file;

        @Option(names = "--expect-sha256", paramLabel = "HEX", description = "SHA-256 of the file, when no copy is at hand.")
        String sha256;
    }

    @Option(names = "--phones", defaultValue = "100", description = "Transfers in flight at once (default: ${DEFAULT-VALUE}).")
    int phones;

    @Option(names = "--transfers", description = "Transfers in all (default: the number of phones).")
    Integer transfers;

    @Option(names = "--ramp", defaultValue = "0", paramLabel = "N",
            description = "Start N phones per second; 0 starts them all at once, like a switch reboot (default).")
    int ramp;

    @Option(names = "--profile", defaultValue = "snom-bootloader",
            description = "Client behaviour: snom-bootloader, uboot, ipxe or plain (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--blksize", description = "Request this blksize (overrides the profile).")
    Integer blksize;

    @Option(names = "--windowsize", description = "Request this windowsize (overrides the profile).")
    Integer windowsize;

    @Option(names = "--tsize", negatable = true, description = "Ask for tsize (overrides the profile).")
    Boolean tsize;

    @Option(names = "--timeout", description = "Request this timeout option in seconds (overrides the profile).")
    Integer timeout;

    @Option(names = "--no-options", description = "Send no options at all, whatever the profile.")
    boolean noOptions;

    @Option(names = "--client-timeout-ms", description = "The phones' own retry wait in ms (default: the profile's).")
    Integer clientTimeoutMs;

    @Option(names = "--retries", description = "Retries before a phone gives up (default: the profile's).")
    Integer retries;

    @Option(names = "--loss-rx", defaultValue = "0", description = "Fraction of received packets to drop (default: 0).")
    double lossRx;

    @Option(names = "--loss-tx", defaultValue = "0", description = "Fraction of sent packets to drop (default: 0).")
    double lossTx;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the simulated loss (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--duration", defaultValue = "120", paramLabel = "SECONDS",
            description = "Hard cap on the run; phones still running then fail (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--threads", description = "Simulator event-loop threads (default: one per core).")
    Integer threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    Path json;

    @Option(names = "--client-base", paramLabel = "IP",
            description = "Give each phone an address of its own, counting up from IP (a 127.x.y.z loopback address:"
                    + " Linux answers on all of 127.0.0.0/8), so the floor page shows one tile per phone.")
    String clientBase;

    @Option(names = "--bind", paramLabel = "IP",
            description = "Every phone sends from this one address of this host and hears only what is sent to it"
                    + " (a test host with several addresses). Default: any address, or the loopback --host.")
    String bind;

    @Option(names = "--allow-remote", description = "Allow a target that is not a loopback address.")
    boolean allowRemote;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTestMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        LoadScenario scenario;
        try {
            scenario = scenario();
        } catch (IllegalArgumentException e) {
            System.err.println("floorflash-loadtest: " + e.getMessage());
            return 2;
        }
        out.printf("floorflash-loadtest: %d transfers of %s from %s:%d, %d in flight, options %s%n", scenario.transfers(),
                scenario.file(), host, port, scenario.phones(), scenario.options().isEmpty() ? "none" : scenario.options());
        LoadReport report = new LoadRun(scenario, out).run();
        out.print(report.toText());
        if (json != null) {
            Files.writeString(json, report.toJson() + "\n", StandardCharsets.UTF_8);
        }
        return report.allOk() ? 0 : 1;
    }

    /** {@code raw} as the first of {@code phones} IPv4 loopback addresses, all inside 127.0.0.0/8. */
    static InetAddress clientBase(String raw, int phones) {
        InetAddress base = null;
        if (raw.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            try {
                base = InetAddress.getByName(raw);
            } catch (UnknownHostException e) {
                base = null;
            }
        }
        if (base == null || !base.isLoopbackAddress()
                || !LoadScenario.offset(base, phones - 1).isLoopbackAddress()) {
            throw new IllegalArgumentException("--client-base: " + raw + " (expected: an IPv4 loopback address such as"
                    + " 127.1.0.1, with room for " + phones + " phones inside 127.0.0.0/8)");
        }
        return base;
    }

    LoadScenario scenario() throws Exception {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--host: " + host + " does not resolve (expected: an address or a known name)");
        }
        if (!address.isLoopbackAddress() && !allowRemote) {
            throw new IllegalArgumentException("--host " + host + " is not a loopback address (expected: 127.0.0.0/8 or ::1;"
                    + " pass --allow-remote only for a server in a test network of your own)");
        }
        check(port >= 1 && port <= 65535, "--port: " + port + " (expected: 1-65535)");
        check(phones >= 1 && phones <= 100_000, "--phones: " + phones + " (expected: 1-100000)");
        int total = transfers == null ? phones : transfers;
        check(total >= 1 && total <= 10_000_000, "--transfers: " + total + " (expected: 1-10000000)");
        check(ramp >= 0 && ramp <= 1_000_000, "--ramp: " + ramp + " (expected: 0-1000000)");
        check(lossRx >= 0 && lossRx < 1 && lossTx >= 0 && lossTx < 1, "--loss-rx/--loss-tx (expected: 0 <= loss < 1)");
        check(duration >= 1 && duration <= 24 * 3600, "--duration: " + duration + " (expected: 1-86400 seconds)");
        // A zero wait with many retries would fire requests at the server in a tight loop.
        check(clientTimeoutMs == null || clientTimeoutMs >= 1 && clientTimeoutMs <= 600_000,
                "--client-timeout-ms: " + clientTimeoutMs + " (expected: 1-600000)");
        check(retries == null || retries >= 0 && retries <= 1000, "--retries: " + retries + " (expected: 0-1000)");
        check(threads == null || threads >= 1 && threads <= 1024, "--threads: " + threads + " (expected: 1-1024)");
        ClientProfile clientProfile = ClientProfile.fromCliName(profile);
        Map<String, String> options = new java.util.LinkedHashMap<>(clientProfile.options());
        if (blksize != null) {
            options.put(TftpOptions.BLKSIZE, Integer.toString(blksize));
        }
        if (tsize != null) {
            if (tsize) {
                options.put(TftpOptions.TSIZE, "0");
            } else {
                options.remove(TftpOptions.TSIZE);
            }
        }
        if (timeout != null) {
            options.put(TftpOptions.TIMEOUT, Integer.toString(timeout));
        }
        if (windowsize != null) {
            options.put(TftpOptions.WINDOWSIZE, Integer.toString(windowsize));
        }
        if (noOptions) {
            options.clear();
        }
        InetAddress base = null;
        if (clientBase != null) {
            check(address.isLoopbackAddress(), "--client-base needs a loopback --host (the phones send from loopback addresses)");
            base = clientBase(clientBase, phones);
        }
        ExpectedContent content = expected.file != null
                ? ExpectedContent.ofBytes(readExpected(expected.file))
                : ExpectedContent.ofSha256(expected.sha256);
        Duration clientTimeout = clientTimeoutMs != null ? Duration.ofMillis(clientTimeoutMs) : clientProfile.timeout();
        int clientRetries = retries != null ? retries : clientProfile.retries();
        int loopThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        InetAddress bindAddress = null;
        if (bind != null) {
            check(base == null, "--bind and --client-base exclude each other (one address for all, or one each)");
            check(bind.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*"), "--bind: " + bind
                    + " (expected: an IP address of this host)");
            bindAddress = InetAddress.getByName(bind);
        }
        return new LoadScenario(new InetSocketAddress(address, port), file, content, phones, total, ramp, options,
                clientTimeout, clientRetries, lossRx, lossTx, seed, Duration.ofSeconds(duration), loopThreads, base,
                bindAddress);
    }

    /** A file that cannot be read is a usage error (exit 2), not a failed transfer (exit 1). */
    private static byte[] readExpected(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("--expect-file: " + file + " cannot be read, "
                    + e.getClass().getSimpleName() + " (expected: a readable local copy of the file)");
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

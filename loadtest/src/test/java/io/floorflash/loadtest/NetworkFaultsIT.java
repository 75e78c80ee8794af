package io.floorflash.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.floorflash.loadtest.FaultyLink.Impairment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server and a floor of 500 simulated phones in two network namespaces of their own, joined by a {@link FaultyLink}
 * that loses, duplicates, reorders and delays packets: every phone gets every byte. Then phones vanish mid-window
 * while others download through a storm of ICMP "port unreachable" messages, and all along the audit log sits on a
 * 64 KiB tmpfs that is full after the first couple of hundred transfers: the server keeps serving, gives up the
 * vanished phones, counts the audit lines it loses, and Netty's paranoid leak detector finds nothing.
 *
 * <p>Both shaded jars run as processes, one server for the whole class (its audit tmpfs is mounted in a mount
 * namespace of its own by {@code unshare -m}). Each scenario's phones send from an address of their own, so the
 * server's log tells its transfers apart; the figures (completion p99, server retransmits) are printed, not asserted.
 * Needs root: see {@link FaultyLink}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkFaultsIT {
    private static final Path WORK = Path.of("target", "network-faults").toAbsolutePath();
    private static final Path SERVER_JAR = Path.of(System.getProperty("floorflash.server.jar",
            "../server/target/floorflash.jar")).toAbsolutePath();
    private static final Path LOADTEST_JAR = Path.of(System.getProperty("floorflash.loadtest.jar",
            "target/floorflash-loadtest.jar")).toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String SMALL = "snom320.bin";
    private static final int SMALL_SIZE = 64 * 1024;
    private static final String LARGE = "snom820-r.bin";
    private static final int LARGE_SIZE = 1 << 20;
    private static final int PHONES = 500;
    /** ICMP messages of the storm, sent over 8 seconds. */
    private static final int STORM = 50_000;
    private static final String AUDIT_TMPFS_SIZE = "64k";
    private static final Pattern LISTENING = Pattern.compile("floorflash listening on udp [0-9.]+:(\\d+)");
    /** The label every series carries (floorflash.node.name); the series below are written without it. */
    private static final Pattern NODE_LABEL = Pattern.compile("(?<=[{,])node=\"[^\"]*\",?");
    private static final Pattern PAGE = Pattern.compile("floor page at (http://127\\.0\\.0\\.1:\\d+/)");
    /** A line logged at ERROR ({@code logback.xml}'s pattern: time, then level). */
    private static final Pattern ERROR_LINE = Pattern.compile("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} ERROR ");
    private static final Pattern TRANSFER_LINE = Pattern.compile(
            "transfer client=([0-9.]+):\\d+ file=\\S+ outcome=(\\S+) .* retransmits=(\\d+)");
    /**
     * A scenario's phones try 40 times, a second apart, before giving up: longer than the 17 s after which the server
     * quietly drops a client that never acknowledged its first DATA (at 20% loss, five copies of DATA 1 can all be
     * lost), so such a phone asks again and gets a new transfer.
     */
    private static final List<String> PATIENT = List.of("--retries", "40", "--duration", "150", "--threads", "1");

    private static FaultyLink link;
    private static Process server;
    private static int tftpPort;
    private static String metricsUrl;
    private static Path auditDir;
    private static final List<String> scenarioLines = new ArrayList<>();
    private static final Map<String, String> scenarioAddresses = new LinkedHashMap<>();

    @BeforeAll
    static void startServerAcrossAFaultyLink() throws Exception {
        assertThat(SERVER_JAR).as("the server's shaded jar (built before the loadtest module)").isRegularFile();
        assertThat(LOADTEST_JAR).as("the load test's shaded jar (built at package)").isRegularFile();
        deleteTree(WORK);
        Path firmware = Files.createDirectories(WORK.resolve("firmware"));
        Files.write(firmware.resolve(SMALL), Fixtures.content(SMALL_SIZE));
        Files.write(firmware.resolve(LARGE), Fixtures.content(LARGE_SIZE));
        auditDir = Files.createDirectories(WORK.resolve("audit"));
        Path config = Files.writeString(WORK.resolve("server.conf"),
                "floorflash.audit.file = \"" + auditDir.resolve("audit.jsonl") + "\"\n");

        link = FaultyLink.create(WORK);
        // A mount namespace of the server's own holds the tiny tmpfs; exec keeps one PID from ip to java.
        server = link.server().start("server", List.of("unshare", "--mount", "sh", "-c",
                "mount -t tmpfs -o size=" + AUDIT_TMPFS_SIZE + " floorflash-audit \"$0\" && exec \"$@\"",
                auditDir.toString(), JAVA, "-Xmx512m", "-XX:MaxDirectMemorySize=2g",
                "-Dio.netty.leakDetection.level=paranoid", "-jar", SERVER_JAR.toString(), "--config", config.toString(),
                "--root", firmware.toString(), "--address", FaultyLink.SERVER_ADDRESS, "--port", "0", "--http-port", "0"));
        await("the server's listening line").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !server.isAlive() || PAGE.matcher(serverLog()).find());
        assertThat(server.isAlive()).as("server running:%n%s", serverLog()).isTrue();
        Matcher listening = LISTENING.matcher(serverLog());
        assertThat(listening.find()).isTrue();
        tftpPort = Integer.parseInt(listening.group(1));
        Matcher page = PAGE.matcher(serverLog());
        assertThat(page.find()).isTrue();
        metricsUrl = page.group(1) + "metrics";
    }

    @AfterAll
    static void stopEverything() throws IOException {
        if (link != null) {
            link.close();
        }
        if (server != null && Files.exists(WORK.resolve("server.log"))) {
            printSummary();
        }
    }

    /** One floor's run across the link, with the phones' profile. */
    record Scenario(String name, Impairment toPhones, Impairment toServer, String phonesAddress, List<String> profile) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Scenario> impairedLinks() {
        List<String> snom = List.of("--profile", "snom-bootloader");
        List<String> plain = List.of("--profile", "plain");
        List<String> windows = List.of("--profile", "plain", "--blksize", "1468", "--windowsize", "8", "--tsize");
        return Stream.of(
                new Scenario("5% loss each way, Snom bootloader at 512", Impairment.loss(0.05), Impairment.loss(0.05),
                        "10.77.0.11", snom),
                new Scenario("20% loss each way, blksize 1468 windowsize 8", Impairment.loss(0.2), Impairment.loss(0.2),
                        "10.77.0.12", windows),
                new Scenario("10% duplicated each way, plain 512", Impairment.duplicate(0.1), Impairment.duplicate(0.1),
                        "10.77.0.13", plain),
                new Scenario("reordered each way (10 ms delay, 25% at once), blksize 1468 windowsize 8",
                        Impairment.reorder(Duration.ofMillis(10), 0.25), Impairment.reorder(Duration.ofMillis(10), 0.25),
                        "10.77.0.14", windows),
                new Scenario("50 ms delay each way, Snom bootloader at 512", Impairment.delay(Duration.ofMillis(50)),
                        Impairment.delay(Duration.ofMillis(50)), "10.77.0.15", snom));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("impairedLinks")
    void everyPhoneGetsEveryByteAcrossAnImpairedLink(Scenario scenario) throws Exception {
        link.phones().sendFrom(scenario.phonesAddress());
        scenarioAddresses.put(scenario.name(), scenario.phonesAddress());
        link.impair(scenario.toPhones(), scenario.toServer(), scenarioAddresses.size() * 100L);
        Map<String, Long> before = link.stats();
        List<String> arguments = new ArrayList<>(PATIENT);
        arguments.addAll(scenario.profile());

        FloorRun run;
        try {
            run = load("scenario-" + scenarioAddresses.size(), PHONES, SMALL, arguments);
        } finally {
            link.impair(Impairment.NONE, Impairment.NONE, 0);
        }

        Map<String, Long> after = link.stats();
        String line = String.format(Locale.ROOT, "%s: %d phones, %d ok, %d mismatched, completion p50 %.0f ms, p99 %.0f ms,"
                        + " max %.0f ms, %d client timeouts, %d duplicate DATA; link to phones %s, to server %s",
                scenario.name(), PHONES, run.ok(), run.report.path("mismatched").asInt(), run.number("completion_ms_p50"),
                run.number("completion_ms_p99"), run.number("completion_ms_max"), run.report.path("client_timeouts").asLong(),
                run.report.path("duplicate_data").asLong(), delta(before, after, "to-phones"), delta(before, after, "to-server"));
        scenarioLines.add(line);
        System.out.println("network faults: " + line);
        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.ok()).as(run.output).isEqualTo(PHONES);
        assertThat(run.report.path("mismatched").asInt()).isZero();
    }

    @Order(2)
    @Test
    void phonesVanishingMidWindowAndAnIcmpStormLeaveTheOthersServed() throws Exception {
        String vanishing = "10.77.0.16";
        link.phones().sendFrom(vanishing);
        long sentBefore = link.stats().get("to-phones.packets");
        Process doomed = link.phones().start("vanishing-phones", loadCommand(PHONES, LARGE,
                List.of("--profile", "plain", "--blksize", "1468", "--windowsize", "8", "--duration", "120", "--threads", "1")));
        // Mid-window: every phone has its transfer, and on average three windows have gone out to each.
        await("500 transfers under way").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> metric("floorflash_transfers_active") >= PHONES
                        && link.stats().get("to-phones.packets") - sentBefore >= PHONES * 24L);
        double runningAtKill = metric("floorflash_transfers_active");
        doomed.destroyForcibly();
        assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).as("the phones are gone").isTrue();

        link.phones().sendFrom("10.77.0.17");
        String ports = serverUdpPorts();
        long unreachableBefore = icmpUnreachableReceived();
        Process storm = link.phones().start("icmp-storm", List.of("python3", FaultyLink.script("icmp_storm.py").toString(),
                FaultyLink.SERVER_ADDRESS, vanishing, ports, Integer.toString(STORM), "8"));
        FloorRun survivors = load("survivors", 100, SMALL, List.of("--profile", "snom-bootloader", "--retries", "40",
                "--duration", "90", "--threads", "1"));
        assertThat(storm.waitFor(60, TimeUnit.SECONDS)).as("the storm ends by itself").isTrue();
        String stormed = Files.readString(link.phones().log("icmp-storm")).strip();
        long unreachable = icmpUnreachableReceived() - unreachableBefore;

        assertThat(survivors.exitCode).as(survivors.output).isZero();
        assertThat(survivors.ok()).isEqualTo(100);
        await("the vanished phones' transfers given up").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> metric("floorflash_transfers_active") == 0);
        Map<String, Integer> outcomes = outcomesOf(vanishing);
        String line = String.format(Locale.ROOT, "vanishing phones: %.0f transfers running when the phones were killed;"
                        + " ended as %s; 100 phones meanwhile: %d ok, p99 %.0f ms; ICMP storm to udp ports %s: %s,"
                        + " %d port-unreachable messages reached the server's namespace",
                runningAtKill, outcomes, survivors.ok(), survivors.number("completion_ms_p99"), ports, stormed, unreachable);
        scenarioLines.add(line);
        System.out.println("network faults: " + line);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).as("every vanished transfer ended")
                .isEqualTo(PHONES);
        assertThat(outcomes).containsKey("timed-out");
        assertThat(stormed).startsWith("sent " + STORM + " ");
        assertThat(unreachable).as("the storm reached the server").isGreaterThanOrEqualTo(STORM * 9L / 10);
    }

    @Order(3)
    @Test
    void aFullDiskUnderTheAuditLogLosesLinesWholeAndCountsThem() throws Exception {
        await("no transfer running").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> metric("floorflash_transfers_active") == 0);
        Path audit = Path.of("/proc", Long.toString(server.pid()), "root").resolve(auditDir.resolve("audit.jsonl")
                .toString().substring(1));

        // The writer works in the background: wait until it has dealt with every finished transfer.
        await("every audit line written or counted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readAllLines(audit, StandardCharsets.UTF_8).size() + auditLinesLost() == transfersEnded());

        List<String> lines = Files.readAllLines(audit, StandardCharsets.UTF_8);
        String line = String.format(Locale.ROOT, "audit log on a %s tmpfs: %d transfers ended, %d lines in the file (%d"
                        + " bytes), %.0f counted as lost (write-failed %.0f, queue-full %.0f)", AUDIT_TMPFS_SIZE,
                (long) transfersEnded(), lines.size(), Files.size(audit), auditLinesLost(),
                metric("floorflash_audit_lines_lost_total{reason=\"write-failed\"}"),
                metric("floorflash_audit_lines_lost_total{reason=\"queue-full\"}"));
        scenarioLines.add(line);
        System.out.println("network faults: " + line);
        assertThat(lines).as("whole lines only").isNotEmpty()
                .allSatisfy(json -> assertThat(json).startsWith("{\"ts\":\"").endsWith("}"));
        assertThat(metric("floorflash_audit_lines_lost_total{reason=\"write-failed\"}")).as("the disk did fill").isPositive();
        assertThat(serverLog()).contains("audit log: cannot write to " + auditDir.resolve("audit.jsonl")
                + " (No space left on device)");
    }

    @Order(4)
    @Test
    void theServerStillAnswersThenStopsCleanlyWithNoLeakFound() throws Exception {
        // The paranoid detector reports a leaked buffer once it is collected, on a later allocation: collect, then load.
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        assertThat(jcmd).as("the JDK's jcmd").isExecutable();
        FaultyLink.Result gc = FaultyLink.run(Duration.ofSeconds(60), jcmd.toString(), Long.toString(server.pid()), "GC.run");
        assertThat(gc.exitCode()).as(gc.output()).isZero();
        link.phones().sendFrom("10.77.0.18");
        FloorRun after = load("after-gc", 50, SMALL, List.of("--profile", "snom-bootloader", "--threads", "1"));
        assertThat(after.ok()).as(after.output).isEqualTo(50);

        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();

        String log = serverLog();
        assertThat(server.exitValue()).as(log).isZero();
        assertThat(log).contains("floorflash stopped").doesNotContain("LEAK:");
        assertThat(log.lines().filter(l -> ERROR_LINE.matcher(l).lookingAt()).toList()).as("ERROR is for bugs only")
                .isEmpty();
    }

    /** The load test's jar in the phones' namespace, to its end. */
    private static FloorRun load(String name, int phones, String file, List<String> arguments) throws Exception {
        Path json = WORK.resolve(name + ".json");
        Process process = link.phones().start(name, loadCommand(phones, file, append(arguments, "--json", json.toString())));
        boolean ended = process.waitFor(200, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        String output = Files.readString(link.phones().log(name));
        assertThat(ended).as("the load test ends by itself:%n%s", output).isTrue();
        assertThat(json).as(output).exists();
        return new FloorRun(process.exitValue(), output, new ObjectMapper().readTree(json.toFile()));
    }

    private static List<String> loadCommand(int phones, String file, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", LOADTEST_JAR.toString(), "--host",
                FaultyLink.SERVER_ADDRESS, "--allow-remote", "--port", Integer.toString(tftpPort), "--file", file,
                "--expect-file", WORK.resolve("firmware").resolve(file).toString(), "--phones", Integer.toString(phones),
                // Bound to the run's own address: a late datagram of an earlier run's transfer (sent to that run's
                // address and a port it used) must not reach a phone of this run that drew the same port.
                "--bind", link.phones().source()));
        command.addAll(arguments);
        return command;
    }

    private static List<String> append(List<String> list, String... more) {
        List<String> all = new ArrayList<>(list);
        all.addAll(List.of(more));
        return all;
    }

    /** One load test run: how it exited, what it printed, its JSON report. */
    private record FloorRun(int exitCode, String output, JsonNode report) {
        int ok() {
            return report.path("ok").asInt();
        }

        double number(String field) {
            return report.path(field).asDouble();
        }
    }

    /** A Prometheus sample from the server's /metrics (0 when absent), read with curl inside its namespace. */
    /** The value of {@code series} as written without the {@code node} label every series carries, or 0. */
    private static double metric(String series) {
        for (String raw : link.server().run("curl", "-sS", "--max-time", "10", metricsUrl).split("\n")) {
            String line = NODE_LABEL.matcher(raw).replaceFirst("").replace("{}", "").replace(",}", "}");
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private static double transfersEnded() {
        double ended = metric("floorflash_transfers_completed_total");
        for (String outcome : List.of("client-error", "timed-out", "deadline", "unreachable", "cancelled")) {
            ended += metric("floorflash_transfers_failed_total{outcome=\"" + outcome + "\"}");
        }
        return ended;
    }

    private static double auditLinesLost() {
        return metric("floorflash_audit_lines_lost_total{reason=\"write-failed\"}")
                + metric("floorflash_audit_lines_lost_total{reason=\"queue-full\"}");
    }

    /** What the link did to one direction's packets between two readings of its counters. */
    private static String delta(Map<String, Long> before, Map<String, Long> after, String direction) {
        List<String> parts = new ArrayList<>();
        for (String counter : List.of("packets", "dropped", "duplicated", "delayed", "early")) {
            String key = direction + "." + counter;
            long n = after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
            if (n > 0 || counter.equals("packets")) {
                parts.add(counter + " " + n);
            }
        }
        return String.join(" ", parts);
    }

    /** The UDP ports the server has open: the listener's and the transfer ports. */
    private static String serverUdpPorts() {
        TreeSet<Integer> ports = new TreeSet<>();
        for (String line : link.server().run("ss", "-Hnua").split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4 && columns[3].startsWith(FaultyLink.SERVER_ADDRESS + ":")) {
                ports.add(Integer.parseInt(columns[3].substring(columns[3].indexOf(':') + 1)));
            }
        }
        assertThat(ports).as("the listener and the transfer ports").hasSizeGreaterThanOrEqualTo(2);
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    /** ICMP "destination unreachable" messages the server's namespace has received. */
    private static long icmpUnreachableReceived() {
        List<String> icmp = link.server().run("cat", "/proc/net/snmp").lines().filter(l -> l.startsWith("Icmp: ")).toList();
        List<String> names = List.of(icmp.get(0).split(" "));
        return Long.parseLong(icmp.get(1).split(" ")[names.indexOf("InDestUnreachs")]);
    }

    /** How the server's transfers for phones at {@code address} ended, from its log. */
    private static Map<String, Integer> outcomesOf(String address) throws IOException {
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        for (String line : serverLog().split("\n")) {
            Matcher m = TRANSFER_LINE.matcher(line);
            if (m.find() && m.group(1).equals(address)) {
                outcomes.merge(m.group(2), 1, Integer::sum);
            }
        }
        return outcomes;
    }

    private static String serverLog() throws IOException {
        return Files.readString(link.server().log("server"), StandardCharsets.UTF_8);
    }

    /** Each scenario's figures, with the server's retransmissions summed from its log once every transfer ended. */
    private static void printSummary() throws IOException {
        Map<String, long[]> byAddress = new LinkedHashMap<>();
        for (String line : Files.readAllLines(WORK.resolve("server.log"), StandardCharsets.UTF_8)) {
            Matcher m = TRANSFER_LINE.matcher(line);
            if (m.find()) {
                long[] sums = byAddress.computeIfAbsent(m.group(1), a -> new long[2]);
                sums[0]++;
                sums[1] += Long.parseLong(m.group(3));
            }
        }
        System.out.println("network faults: summary");
        scenarioAddresses.forEach((name, address) -> {
            long[] sums = byAddress.getOrDefault(address, new long[2]);
            System.out.printf(Locale.ROOT, "network faults: %s: server retransmits %d over %d transfers%n", name, sums[1],
                    sums[0]);
        });
        scenarioLines.forEach(line -> System.out.println("network faults: " + line));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}

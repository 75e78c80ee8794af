package io.floorflash.loadtest;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces of the test's own, the server's ({@value #SERVER_ADDRESS}) and the phones'
 * ({@value #PHONES_ADDRESS}), joined by one link that loses, duplicates, delays and reorders packets as told
 * ({@link #impair}, per direction), with no route anywhere else: what runs inside reaches the other side and nothing
 * more.
 *
 * <p>The link is not a veth pair with {@code tc netem}: the kernel of this project's machines (and so of CI) has no
 * netem (CONFIG_NET_SCH_NETEM is not set) and no tc action that drops or delays. Each namespace gets a TUN device
 * instead, and {@code netfaults/relay.py}, started in the server's namespace, moves the packets between the two,
 * impairing each datagram on its own, seeded. A TUN device's reader gets segmented, checksummed datagrams, so the
 * server's UDP GSO windows are impaired block by block, as on a wire.
 *
 * <p>Names carry this JVM's PID. {@link #close} stops the processes started here, by their PIDs, then the relay, and
 * deletes both namespaces, also after a failed test; a shutdown hook does the same if {@code close} is never reached.
 * Needs root (namespaces, TUN devices, mounts), iproute2's {@code ip}, {@code python3} and {@code /dev/net/tun}:
 * {@link #create} fails, naming what is missing, rather than letting the tests skip.
 */
final class FaultyLink implements AutoCloseable {
    static final String SERVER_ADDRESS = "10.77.0.1";
    static final String PHONES_ADDRESS = "10.77.0.2";
    private static final String PREFIX = "/24";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Path work;
    private final Side server;
    private final Side phones;
    /** Processes started in either namespace, stopped in reverse order. */
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> relayAnswers = new LinkedBlockingQueue<>();
    private final Thread cleanup = new Thread(this::close, "faulty-link-cleanup");
    private Process relay;
    private Writer relayCommands;
    private boolean closed;

    private FaultyLink(Path work, long pid) {
        this.work = work;
        this.server = new Side("ff-faults-" + pid + "-srv", "ffs" + pid, SERVER_ADDRESS);
        this.phones = new Side("ff-faults-" + pid + "-pho", "ffp" + pid, PHONES_ADDRESS);
    }

    /**
     * Creates both namespaces and the link, with no impairment yet. Logs of the processes go to {@code work}.
     *
     * @throws IllegalStateException when a tool or a privilege is missing, saying which
     */
    static FaultyLink create(Path work) throws IOException {
        requireTools();
        FaultyLink link = new FaultyLink(work, ProcessHandle.current().pid());
        Runtime.getRuntime().addShutdownHook(link.cleanup);
        boolean success = false;
        try {
            link.build();
            success = true;
        } finally {
            if (!success) {
                link.close();
            }
        }
        return link;
    }

    private static void requireTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("ip", "python3", "unshare", "curl", "ss")) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the network fault tests need root, iproute2, python3, util-linux's unshare,"
                    + " curl and /dev/net/tun; missing: " + String.join(", ", missing)
                    + " (sudo apt-get install iproute2 python3 util-linux curl)");
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private void build() throws IOException {
        for (Side side : List.of(server, phones)) {
            Result made = run(COMMAND_TIMEOUT, "ip", "netns", "add", side.namespace);
            if (made.exitCode != 0) {
                throw new IllegalStateException("cannot create network namespace " + side.namespace + " (the network"
                        + " fault tests need root: CAP_SYS_ADMIN and CAP_NET_ADMIN): " + made.output.strip());
            }
            side.created = true;
        }
        startRelay();
        for (Side side : List.of(server, phones)) {
            side.ip("link", "set", "lo", "up");
            // No IPv6 link-local address, so no router solicitation or MLD report travels the link among the test's packets.
            side.ip("link", "set", side.device, "addrgenmode", "none");
            side.ip("addr", "add", side.address + PREFIX, "dev", side.device);
            // Room for a floor's burst: the link, not the device's queue, decides what is lost.
            side.ip("link", "set", side.device, "txqueuelen", "10000", "up");
        }
    }

    private void startRelay() throws IOException {
        Path log = work.resolve("relay.err");
        ProcessBuilder builder = server.command(List.of("python3", script("relay.py").toString(), server.device,
                "/run/netns/" + phones.namespace, phones.device)).redirectError(log.toFile());
        relay = builder.start();
        relayCommands = new OutputStreamWriter(relay.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader answers = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = answers.readLine(); line != null; line = answers.readLine()) {
                    relayAnswers.add(line);
                }
            } catch (IOException e) {
                relayAnswers.add("relay output closed: " + e);
            }
        }, "faulty-link-relay");
        reader.setDaemon(true);
        reader.start();
        String ready = nextAnswer(Duration.ofSeconds(20));
        if (!"ready".equals(ready)) {
            throw new IllegalStateException("the link's relay did not start (" + ready + "): " + Files.readString(log).strip());
        }
    }

    /** A script of {@code src/test/resources/netfaults}. */
    static Path script(String name) {
        try {
            return Path.of(FaultyLink.class.getResource("/netfaults/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Side server() {
        return server;
    }

    Side phones() {
        return phones;
    }

    /** From now on, packets to the phones suffer {@code toPhones}, packets to the server {@code toServer}. */
    void impair(Impairment toPhones, Impairment toServer, long seed) {
        relay("set to-phones " + toPhones.settings() + " seed=" + seed, "ok");
        relay("set to-server " + toServer.settings() + " seed=" + (seed + 1), "ok");
    }

    /** The link's counters so far: {@code to-phones.packets}, {@code to-server.dropped}, ... */
    Map<String, Long> stats() {
        String line = relay("stats", null);
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String part : line.substring("stats ".length()).split("\\|")) {
            String[] words = part.trim().split(" ");
            for (int i = 1; i < words.length; i++) {
                String[] pair = words[i].split("=");
                counters.put(words[0] + "." + pair[0], Long.parseLong(pair[1]));
            }
        }
        return counters;
    }

    private synchronized String relay(String command, String expected) {
        try {
            relayCommands.write(command + "\n");
            relayCommands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the link's relay is gone", e);
        }
        String answer = nextAnswer(COMMAND_TIMEOUT);
        if (answer == null || expected != null && !expected.equals(answer)) {
            throw new IllegalStateException("relay: '" + command + "' answered " + answer);
        }
        return answer;
    }

    private String nextAnswer(Duration timeout) {
        try {
            return relayAnswers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Stops every process started here, then the relay, and deletes both namespaces. A second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Process> processes = new ArrayList<>(started);
        Collections.reverse(processes);
        processes.forEach(FaultyLink::stop);
        if (relay != null) {
            try {
                relayCommands.write("quit\n");
                relayCommands.close();
            } catch (IOException e) {
                // Gone already: stop() below makes sure.
            }
            stop(relay);
        }
        for (Side side : List.of(phones, server)) {
            if (side.created) {
                Result deleted = run(COMMAND_TIMEOUT, "ip", "netns", "delete", side.namespace);
                if (deleted.exitCode != 0) {
                    System.err.println("faulty link: could not delete " + side.namespace + ": " + deleted.output.strip());
                }
            }
        }
        if (Thread.currentThread() != cleanup) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // The JVM is shutting down already.
            }
        }
    }

    /** SIGTERM to the process and to its children, by PID; SIGKILL for whatever is left after a grace period. */
    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Runs {@code command} in this namespace of the host (no namespace), bounded in time. */
    static Result run(Duration timeout, String... command) {
        return run(new ProcessBuilder(command), timeout);
    }

    private static Result run(ProcessBuilder builder, Duration timeout) {
        Path output = null;
        try {
            // Through a file, so a command that hangs cannot hold the wait below on a pipe.
            output = Files.createTempFile("faulty-link", ".out");
            Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", builder.command()) + ": still running after " + timeout);
            }
            return new Result(process.exitValue(), Files.readString(output));
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", builder.command()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    /** What a command printed and how it exited. */
    record Result(int exitCode, String output) {
    }

    /** How the link treats the packets of one direction, as netem's options would say it. */
    record Impairment(double loss, double duplicate, Duration delay, double reorder) {
        static final Impairment NONE = new Impairment(0, 0, Duration.ZERO, 0);

        static Impairment loss(double fraction) {
            return new Impairment(fraction, 0, Duration.ZERO, 0);
        }

        static Impairment duplicate(double fraction) {
            return new Impairment(0, fraction, Duration.ZERO, 0);
        }

        static Impairment delay(Duration delay) {
            return new Impairment(0, 0, delay, 0);
        }

        /** netem's {@code delay D reorder R}: a fraction R of the packets goes at once, the others D late. */
        static Impairment reorder(Duration delay, double fraction) {
            return new Impairment(0, 0, delay, fraction);
        }

        String settings() {
            return String.format(Locale.ROOT, "loss=%s duplicate=%s delay=%s reorder=%s", loss, duplicate,
                    delay.toNanos() / 1e9, reorder);
        }

        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            if (loss > 0) {
                parts.add(percent(loss) + " loss");
            }
            if (duplicate > 0) {
                parts.add(percent(duplicate) + " duplicated");
            }
            if (!delay.isZero()) {
                parts.add(delay.toMillis() + " ms delay");
            }
            if (reorder > 0) {
                parts.add(percent(reorder) + " sent at once (reordered)");
            }
            return parts.isEmpty() ? "clean" : String.join(", ", parts);
        }

        private static String percent(double fraction) {
            return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
        }
    }

    /** One of the two namespaces: runs commands inside it. */
    final class Side {
        final String namespace;
        final String device;
        final String address;
        private boolean created;
        /** The address this side sends from now ({@link #sendFrom}), or null for its own. */
        private volatile String source;

        private Side(String namespace, String device, String address) {
            this.namespace = namespace;
            this.device = device;
            this.address = address;
        }

        /** {@code command} to run inside this namespace. */
        ProcessBuilder command(List<String> command) {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            full.addAll(command);
            return new ProcessBuilder(full);
        }

        /**
         * Starts {@code command} inside this namespace, its output (and errors) to {@code name.log} in the link's
         * folder; {@link FaultyLink#close} stops it if it still runs.
         */
        Process start(String name, List<String> command) throws IOException {
            Process process = command(command).redirectErrorStream(true)
                    .redirectOutput(work.resolve(name + ".log").toFile()).start();
            started.add(process);
            return process;
        }

        /** The address this side sends from now: the last {@link #sendFrom}, else its own. */
        String source() {
            return source != null ? source : address;
        }

        /** The log of a process started as {@code name}. */
        Path log(String name) {
            return work.resolve(name + ".log");
        }

        /** Runs {@code command} inside this namespace to its end, bounded in time; fails unless it exits 0. */
        String run(String... command) {
            Result result = FaultyLink.run(command(List.of(command)), COMMAND_TIMEOUT);
            if (result.exitCode != 0) {
                throw new IllegalStateException(namespace + ": " + String.join(" ", command) + " exited "
                        + result.exitCode + ": " + result.output.strip());
            }
            return result.output;
        }

        /**
         * From now on this side's new connections and datagrams leave from {@code extra} (added to the device), so
         * the other side can tell one run's traffic from another's.
         */
        void sendFrom(String extra) {
            source = extra;
            if (!run("ip", "-o", "addr", "show", "dev", device).contains(" " + extra + "/32 ")) {
                ip("addr", "add", extra + "/32", "dev", device);
            }
            ip("route", "replace", address.substring(0, address.lastIndexOf('.')) + ".0" + PREFIX, "dev", device, "src", extra);
        }

        private void ip(String... arguments) {
            List<String> command = new ArrayList<>(List.of("ip", "-n", namespace));
            command.addAll(List.of(arguments));
            Result result = FaultyLink.run(COMMAND_TIMEOUT, command.toArray(String[]::new));
            if (result.exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + ": " + result.output.strip());
            }
        }
    }
}

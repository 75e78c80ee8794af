package io.floorflash.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of the test's own, so that guests in QEMU reach a server without touching the machine's
 * network: a bridge holding the server's address and one tap device per guest. No route leads out, nothing is
 * forwarded or translated, and no address is added outside the namespace. Deleting the namespace takes the bridge
 * and the taps with it. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and {@code /dev/net/tun}.
 */
final class NetworkNamespace implements AutoCloseable {
    /** The server's address on the bridge; guests take others from {@link #PREFIX}. */
    static final String SERVER_ADDRESS = "10.69.0.1";
    static final String PREFIX = "10.69.0.";
    static final String NETMASK = "255.255.255.0";
    private static final String BRIDGE = "br0";
    private static final String INSTALL = "apt-get install iproute2 (and run as root: a network namespace and tap devices need it)";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger CREATED = new AtomicInteger();

    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /** A new namespace named after {@code purpose}, this JVM's PID and a counter, with its bridge up. */
    static NetworkNamespace create(String purpose) {
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            fail("/dev/net/tun is missing: QEMU's guests need tap devices (load the tun module, or give the container"
                    + " --device /dev/net/tun)");
        }
        ExternalProcess.requireOnPath("ip", INSTALL);
        String name = "ff-" + purpose + "-" + ProcessHandle.current().pid() + "-" + CREATED.incrementAndGet();
        ExternalProcess.Finished added = ExternalProcess.run(List.of("ip", "netns", "add", name), COMMAND_TIMEOUT, INSTALL);
        if (added.exitCode() != 0) {
            fail("cannot create the network namespace " + name + " (needs root): " + added.output());
        }
        NetworkNamespace namespace = new NetworkNamespace(name);
        try {
            namespace.ip("link", "set", "lo", "up");
            namespace.ip("link", "add", BRIDGE, "type", "bridge");
            namespace.ip("addr", "add", SERVER_ADDRESS + "/24", "dev", BRIDGE);
            namespace.ip("link", "set", BRIDGE, "up");
            return namespace;
        } catch (RuntimeException | Error e) {
            namespace.close();
            throw e;
        }
    }

    /** Adds a tap device on the bridge for a QEMU guest ({@code -netdev tap,ifname=TAP}); at most 15 characters. */
    String addTap(String tap) {
        ip("tuntap", "add", "dev", tap, "mode", "tap");
        ip("link", "set", tap, "master", BRIDGE, "up");
        return tap;
    }

    /**
     * A veth pair from the host into this namespace: {@code hostDevice} (at most 15 characters) on the host with
     * {@code hostAddress}/24, its peer {@code inside} in the namespace with {@code insideAddress}/24, both up. The pair
     * goes when the namespace is deleted (its inside end with it).
     */
    void addVethToHost(String hostDevice, String hostAddress, String insideAddress) {
        String inside = "veth0";
        host("link", "add", hostDevice, "type", "veth", "peer", "name", inside, "netns", name);
        host("addr", "add", hostAddress + "/24", "dev", hostDevice);
        host("link", "set", hostDevice, "up");
        ip("addr", "add", insideAddress + "/24", "dev", inside);
        ip("link", "set", inside, "up");
    }

    /** {@code command} run inside the namespace ({@code ip netns exec}, which replaces itself with the command). */
    List<String> exec(List<String> command) {
        List<String> inside = new ArrayList<>(List.of("ip", "netns", "exec", name));
        inside.addAll(command);
        return inside;
    }

    String name() {
        return name;
    }

    /** {@code ip -n NAME ARGS}, failing the test on a non-zero exit. */
    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        ExternalProcess.Finished run = ExternalProcess.run(command, COMMAND_TIMEOUT, INSTALL);
        if (run.exitCode() != 0) {
            fail(String.join(" ", command) + " failed (exit " + run.exitCode() + "): " + run.output());
        }
    }

    /** {@code ip ARGS} on the host, failing the test on a non-zero exit. */
    private static void host(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        ExternalProcess.Finished run = ExternalProcess.run(command, COMMAND_TIMEOUT, INSTALL);
        if (run.exitCode() != 0) {
            fail(String.join(" ", command) + " failed (exit " + run.exitCode() + "): " + run.output());
        }
    }

    /** Deletes the namespace; stop the processes inside it first, or their devices outlive this call. */
    @Override
    public void close() {
        ExternalProcess.Finished deleted = ExternalProcess.run(List.of("ip", "netns", "delete", name), COMMAND_TIMEOUT, INSTALL);
        if (deleted.exitCode() != 0) {
            throw new AssertionError("cannot delete the network namespace " + name + ": " + deleted.output());
        }
    }
}

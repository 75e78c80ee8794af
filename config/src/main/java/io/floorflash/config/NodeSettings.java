package io.floorflash.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * This node's name in a fleet: carried in every audit line, in {@code /api/transfers}, as the {@code node} label of
 * every metric and in the floor page's header, so a dashboard over many sites tells them apart.
 *
 * @param name 1-63 letters, digits, {@code .}, {@code _} and {@code -}, beginning and ending with a letter or digit
 */
public record NodeSettings(String name) {
    /** A host name's characters (and {@code _}, which container and VM names use), as label and JSON value alike. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
    private static final String EXPECTED = "1-63 letters, digits, '.', '_' or '-', beginning and ending with a letter"
            + " or digit";
    /** The kernel's own host name on Linux: no DNS lookup, unlike {@link InetAddress#getLocalHost()}. */
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    public NodeSettings {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + printable(name) + "' (expected: " + EXPECTED + ")");
        }
    }

    /** Reads {@code floorflash.node}; an empty name is this machine's host name, asked for now. */
    static NodeSettings read(ConfigReader in, Supplier<String> hostName) {
        in.onlyKeys(Set.of("name"));
        String name = in.read("name", key -> {
            String raw = in.config().getString(key).strip();
            if (raw.isEmpty()) {
                String host = hostName.get();
                if (!NAME.matcher(host).matches()) {
                    throw new IllegalArgumentException("'' and the host name '" + printable(host)
                            + "' is no node name (expected: set floorflash.node.name to " + EXPECTED + ")");
                }
                return host;
            }
            if (!NAME.matcher(raw).matches()) {
                throw new IllegalArgumentException("'" + printable(raw) + "' (expected: " + EXPECTED + ")");
            }
            return raw;
        }, "");
        return in.build(() -> new NodeSettings(name));
    }

    private static String printable(String raw) {
        return raw.replaceAll("\\p{Cntrl}", "?");
    }

    /**
     * This machine's host name: the kernel's (a container's or pod's own name), else the JDK's, else
     * {@code "localhost"}. Called at start and at a reload, never on an event loop: the JDK's path may ask DNS.
     */
    static String hostName() {
        try {
            String kernel = Files.readString(KERNEL_HOSTNAME, StandardCharsets.US_ASCII).strip();
            if (!kernel.isEmpty()) {
                return kernel;
            }
        } catch (IOException | SecurityException e) {
            // Not Linux, or /proc is not mounted: the JDK's answer below.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}

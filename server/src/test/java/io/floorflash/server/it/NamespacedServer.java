package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shaded jar, run inside a {@link NetworkNamespace} as its own process on the namespace's server address and
 * port 69, with a configuration file of the test's: no HTTP side, no audit log, no drain on stop. Its log (one INFO
 * line per finished transfer) is read back for what the server decided.
 */
final class NamespacedServer implements AutoCloseable {
    /**
     * U-Boot 2023.01 always asks port 69: its {@code tftpdstp} variable exists only with CONFIG_TFTP_PORT, which
     * Debian's qemu_arm64 build leaves out. The namespace is private, so port 69 there collides with nothing.
     */
    static final int PORT = 69;
    private static final Pattern LISTENING = Pattern.compile("floorflash listening on udp \\S+:" + PORT + " ");

    private final Process process;
    private final Path log;

    private NamespacedServer(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the server in {@code namespace}, serving {@code root} with {@code floorflash.transfer.ports = ports}, and
     * waits until it listens. Its configuration and log go to {@code work}.
     */
    static NamespacedServer start(NetworkNamespace namespace, Path root, String ports, Path work) {
        return start(namespace, NetworkNamespace.SERVER_ADDRESS, root, ports, List.of(), work);
    }

    /**
     * Starts the server in {@code namespace} on {@code address}, with {@code more} lines of HOCON inside the
     * {@code floorflash} block (an origin, a cache folder).
     */
    static NamespacedServer start(NetworkNamespace namespace, String address, Path root, String ports, List<String> more,
                                  Path work) {
        Path jar = Path.of(System.getProperty("floorflash.jar", "target/floorflash.jar")).toAbsolutePath();
        assertThat(jar).as("the shaded jar (built by mvn package)").isRegularFile();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path config = work.resolve("floorflash-" + ports + ".conf");
        Path log = work.resolve("floorflash-" + ports + ".log");
        try {
            Files.writeString(config, String.join("\n",
                    "floorflash {",
                    "  tftp { address = \"" + address + "\", port = " + PORT + " }",
                    String.join("\n", more),
                    "  transfer.ports = \"" + ports + "\"",
                    "  firmware.root = \"" + root + "\"",
                    "  http.enabled = false",
                    "  audit.enabled = false",
                    "  shutdown.drain-time = 0s",
                    "}", ""));
            Process process = new ProcessBuilder(namespace.exec(List.of(java.toString(), "-Xmx256m", "-jar", jar.toString(),
                    "--config", config.toString())))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            NamespacedServer server = new NamespacedServer(process, log);
            server.awaitListening();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start floorflash in " + namespace.name(), e);
        }
    }

    private void awaitListening() {
        try {
            await("floorflash listening").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    fail("floorflash exited with " + process.exitValue() + " before listening:\n" + log());
                }
                return LISTENING.matcher(log()).find();
            });
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Everything the server logged so far. */
    String log() {
        return ExternalProcess.read(log);
    }

    /**
     * Waits for the server's line about a finished transfer of {@code file} to {@code client} ({@code address:port}),
     * at most {@code timeout}, and returns it.
     */
    String awaitTransferLine(String client, String file, Duration timeout) {
        Pattern line = Pattern.compile("transfer client=" + Pattern.quote(client) + " file=" + Pattern.quote(file) + " .*");
        return await("the server's line on " + file + " to " + client).atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> find(line), Optional::isPresent).orElseThrow();
    }

    private Optional<String> find(Pattern line) {
        Matcher matcher = line.matcher(log());
        return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
    }

    /** SIGTERM through its own process handle (the server exits at once: no drain), SIGKILL after 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("floorflash did not stop within 20 s of SIGTERM and was killed:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

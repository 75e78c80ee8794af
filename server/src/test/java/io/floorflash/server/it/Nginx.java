package io.floorflash.server.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's nginx as an origin, started by the test with its own configuration in a temporary folder: it serves
 * {@code docroot} below {@code /firmware/} on 127.0.0.1 and a port picked by binding port 0 first, logs every request
 * to its own access log, and is stopped through its own process handle (never by name).
 */
final class Nginx implements AutoCloseable {
    private static final String INSTALL = "install Debian's nginx (apt-get install nginx; .ci/run does)";

    private final Path prefix;
    private final Path docroot;
    private final int port;
    /** Addresses it listens on besides 127.0.0.1 (the host ends of a test's veth pairs). */
    private final List<String> moreAddresses;
    private Process process;

    private Nginx(Path prefix, Path docroot, int port, List<String> moreAddresses) {
        this.prefix = prefix;
        this.docroot = docroot;
        this.port = port;
        this.moreAddresses = List.copyOf(moreAddresses);
    }

    /** Starts nginx serving {@code docroot} as {@code http://127.0.0.1:PORT/firmware/}; fails when nginx is missing. */
    static Nginx start(Path prefix, Path docroot) {
        return start(prefix, docroot, List.of());
    }

    /** The same, listening also on {@code moreAddresses} (the same port). */
    static Nginx start(Path prefix, Path docroot, List<String> moreAddresses) {
        Nginx nginx = new Nginx(prefix, docroot, freePort(), moreAddresses);
        nginx.start();
        return nginx;
    }

    private void start() {
        Path binary = binary();
        try {
            Files.createDirectories(prefix.resolve("tmp"));
            Path conf = prefix.resolve("nginx.conf");
            boolean root = "root".equals(System.getProperty("user.name"));
            Files.writeString(conf, String.join("\n",
                    root ? "user root;" : "",
                    "worker_processes 1;",
                    "pid " + prefix.resolve("nginx.pid") + ";",
                    "error_log " + prefix.resolve("error.log") + " info;",
                    "events { worker_connections 512; }",
                    "http {",
                    "  access_log " + prefix.resolve("access.log") + ";",
                    "  client_body_temp_path " + prefix.resolve("tmp") + ";",
                    "  proxy_temp_path " + prefix.resolve("tmp") + ";",
                    "  fastcgi_temp_path " + prefix.resolve("tmp") + ";",
                    "  uwsgi_temp_path " + prefix.resolve("tmp") + ";",
                    "  scgi_temp_path " + prefix.resolve("tmp") + ";",
                    "  default_type application/octet-stream;",
                    "  server {",
                    "    listen 127.0.0.1:" + port + ";",
                    moreAddresses.stream().map(a -> "    listen " + a + ":" + port + ";").collect(Collectors.joining("\n")),
                    "    location /firmware/ { alias " + docroot.toAbsolutePath() + "/; }",
                    "  }",
                    "}", ""), StandardCharsets.UTF_8);
            process = new ProcessBuilder(List.of(binary.toString(), "-c", conf.toString(), "-p", prefix.toString(),
                    "-g", "daemon off;"))
                    .redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("stdout.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        await("nginx accepting on 127.0.0.1:" + port).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!process.isAlive()) {
                        fail("nginx exited with " + process.exitValue() + ":\n" + ExternalProcess.read(prefix.resolve("stdout.log"))
                                + ExternalProcess.read(prefix.resolve("error.log")));
                    }
                    try (Socket probe = new Socket()) {
                        probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /** The origin URL: {@code http://127.0.0.1:PORT/firmware/}. */
    String url() {
        return url("127.0.0.1");
    }

    /** The origin URL on one of its addresses. */
    String url(String address) {
        return "http://" + address + ":" + port + "/firmware/";
    }

    /** GETs of {@code name} from {@code client} (the access log's first field). */
    long requestsFrom(String client, String name) {
        Path log = prefix.resolve("access.log");
        if (!Files.exists(log)) {
            return 0;
        }
        String needle = "\"GET /firmware/" + name + " ";
        return ExternalProcess.read(log).lines().filter(line -> line.startsWith(client + " ") && line.contains(needle))
                .count();
    }

    Path docroot() {
        return docroot;
    }

    /** Requests in the access log with {@code method} for {@code /firmware/name}, whatever their status. */
    long requests(String method, String name) {
        Path log = prefix.resolve("access.log");
        if (!Files.exists(log)) {
            return 0;
        }
        String needle = "\"" + method + " /firmware/" + name + " ";
        return ExternalProcess.read(log).lines().filter(line -> line.contains(needle)).count();
    }

    /** GET requests for {@code name} answered with a body (200). */
    long bodies(String name) {
        Path log = prefix.resolve("access.log");
        if (!Files.exists(log)) {
            return 0;
        }
        String needle = "\"GET /firmware/" + name + " HTTP/1.1\" 200 ";
        return ExternalProcess.read(log).lines().filter(line -> line.contains(needle)).count();
    }

    /** Stops nginx (its master, through our handle; the master ends its worker) and waits for the port to close. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        await("nginx's port closed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return false;
            } catch (IOException e) {
                return true;
            }
        });
    }

    /** Starts it again on the same port. */
    void restart() {
        start();
    }

    @Override
    public void close() {
        stop();
    }

    private static Path binary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return ExternalProcess.requireOnPath("nginx", INSTALL);
    }

    private static int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.floorflash.server.metrics.Exposition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image Jib builds ({@code mvn -Pimage}, which sets {@code floorflash.image.tar}), run by podman: loaded
 * from its tarball, started as its unprivileged user on the host's network, bound to loopback on ports the kernel
 * picks, it serves a file over TFTP byte for byte, names its node in {@code /api/transfers} and {@code /metrics}, and
 * stops with exit status 0 on SIGTERM. Skipped without the profile (the default build builds no image).
 */
class ContainerImageIT {
    private static final String IMAGE = "floorflash/floorflash:" + System.getProperty("floorflash.version", "0.1.0-SNAPSHOT");
    private static final Pattern TFTP_PORT = Pattern.compile("listening on udp 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern PAGE = Pattern.compile("floor page at (http://127\\.0\\.0\\.1:\\d+/)");
    private static final String PODMAN = "apt-get install podman runc";

    @TempDir
    Path root;
    @TempDir
    Path logs;
    @TempDir
    Path downloads;

    @Test
    void theImageServesAFileOverTftpAsItsUnprivilegedUser() throws Exception {
        String tar = System.getProperty("floorflash.image.tar", "");
        assertThat(!tar.isEmpty() && Files.exists(Path.of(tar)))
                .as("the image tarball %s: this test runs with mvn -Pimage, which builds it (README.md, \"Containers and"
                        + " Kubernetes\")", tar).isTrue();
        ExternalProcess.requireOnPath("podman", PODMAN);
        assertThat(podman(List.of("load", "-i", tar), 300).output()).contains("floorflash/floorflash");

        Path image = SeededFiles.write(root, "snom320.bin", 70_000, 11);
        // The unprivileged user (65532) reads the images and writes the audit log through these.
        for (Path dir : List.of(root, logs)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(dir == logs ? "rwxrwxrwx" : "rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-r--r--"));
        String name = "floorflash-it-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> run = new ArrayList<>(runtime());
        run.addAll(List.of("run", "-d", "--name", name,
                // Limits this machine lets a container lower but not raise; harmless where any are allowed.
                "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
                "--network", "host", "--env", "HOME=/tmp",
                "-v", root + ":/srv/firmware:ro", "-v", logs + ":/var/log/floorflash",
                IMAGE, "--config", "/etc/floorflash/floorflash.conf",
                "--address", "127.0.0.1", "--port", "0", "--http-address", "127.0.0.1", "--http-port", "0"));
        podman(run, 60);
        try {
            String started = await("the container's listener").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> podman(List.of("logs", name), 30).output(),
                            log -> PAGE.matcher(log).find() || log.contains("floorflash: "));
            Matcher port = TFTP_PORT.matcher(started);
            Matcher page = PAGE.matcher(started);
            assertThat(port.find() && page.find()).as("started: %s", started).isTrue();
            assertThat(started).as("Netty's native transport loads in the image").contains("(epoll, ");

            Path got = downloads.resolve("snom320.bin");
            Client.curl(Integer.parseInt(port.group(1)), "snom320.bin", got).assertDelivered(image, got);

            HttpClient http = HttpClient.newHttpClient();
            String floor = await("the transfer on the floor").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> get(http, page.group(1) + "api/transfers"), json -> json.contains("\"done\":1"));
            String node = new ObjectMapper().readTree(floor).get("node").asText();
            assertThat(node).isNotEmpty();
            assertThat(Exposition.parse(get(http, page.group(1) + "metrics")).node()).isEqualTo(node);
            assertThat(Files.readString(logs.resolve("audit.jsonl"))).contains("\"node\":\"" + node + "\"",
                    "\"file\":\"snom320.bin\"", "\"outcome\":\"completed\"");

            podman(List.of("stop", "-t", "20", name), 60);
            assertThat(podman(List.of("inspect", "--format", "{{.State.ExitCode}}", name), 30).output().strip())
                    .as("exit status after SIGTERM").isEqualTo("0");
            assertThat(podman(List.of("logs", name), 30).output()).contains("floorflash stopped");
        } finally {
            ExternalProcess.run(List.of("podman", "rm", "-f", name), Duration.ofSeconds(60), PODMAN);
        }
    }

    /**
     * runc where installed: crun refuses this machine's hybrid cgroup layout ("cgroups in hybrid mode not
     * supported"), runc runs there and anywhere else.
     */
    private static List<String> runtime() {
        return Files.isExecutable(Path.of("/usr/bin/runc")) ? List.of("podman", "--runtime", "runc")
                : List.of("podman");
    }

    private static ExternalProcess.Finished podman(List<String> args, int seconds) {
        List<String> command = new ArrayList<>(args.get(0).equals("podman") ? List.of() : runtime());
        command.addAll(args);
        ExternalProcess.Finished finished = ExternalProcess.run(command, Duration.ofSeconds(seconds), PODMAN);
        assertThat(finished.exitCode()).as("%s: %s", command, finished.output()).isZero();
        return finished;
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}

package io.floorflash.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import io.floorflash.server.metrics.Exposition;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.floorflash.server.provisioning.WebhookReceiver;
import org.apache.commons.net.tftp.TFTP;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provisioning with the shipped jar and real clients: rules (deny, serve with captures, prefix stripping), rollout
 * groups with their releases, the same decisions over HTTP, {@code explain}, the audit line's requested and served
 * names, and SIGHUP: a promotion is served at once while a running transfer finishes on its old bytes, and a broken
 * configuration is rejected whole with the old one kept.
 */
class ProvisioningIT {
    private static final Pattern TFTP_PORT = Pattern.compile("listening on udp 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern PAGE = Pattern.compile("floor page at (http://127\\.0\\.0\\.1:\\d+/)");
    private static final Pattern FIRMWARE_HTTP = Pattern.compile("firmware over HTTP on tcp 127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path work;
    private Path root;
    private Path config;
    private Path log;
    private Path audit;
    private Process server;
    private int port;
    private String page;
    private int firmwarePort;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectories(work.resolve("root"));
        SeededFiles.write(Files.createDirectories(root.resolve("releases/10.1.1")), "snom320.bin", 300_000, 1);
        SeededFiles.write(Files.createDirectories(root.resolve("releases/10.1.2")), "snom320.bin", 300_000, 2);
        SeededFiles.write(Files.createDirectories(root.resolve("private")), "keys.txt", 100, 3);
        Files.writeString(root.resolve("snomD345-generic.htm"), "<settings><!-- no device row --></settings>\n", UTF_8);
        Files.writeString(work.resolve("snomD345.htm"), "<settings>\n<user_name perm=\"R\">{{user}}</user_name>\n"
                + "<setting_server perm=\"R\">{{server}}</setting_server>\n<phone_mac>{{mac}}</phone_mac>\n</settings>\n",
                UTF_8);
        Files.writeString(work.resolve("phones.csv"), "mac,user,server\n00:04:13:A1:1F:A7,desk 17 <R&D>,"
                + "\"http://pbx.example.com/prov,v2\"\n000413a11fb0,reception,http://pbx.example.com/prov\n", UTF_8);
        audit = work.resolve("audit.jsonl");
        config = work.resolve("floorflash.conf");
        writeConfig("releases/10.1.2", "releases/10.1.1");
        launch();
    }

    /** Starts the jar on {@link #config} and reads its ports from its log. */
    private void launch() throws Exception {
        log = Files.createTempFile(work, "server-", ".log");
        Path jar = Path.of(System.getProperty("floorflash.jar", "target/floorflash.jar")).toAbsolutePath();
        assertThat(jar).as("the shaded jar (built by mvn package)").isRegularFile();
        server = new ProcessBuilder(List.of(java(), "-Xmx256m", "-jar", jar.toString(), "--config", config.toString(),
                "--address", "127.0.0.1", "--port", "0", "--http-port", "0", "--firmware-http-address", "127.0.0.1",
                "--firmware-http-port", "0"))
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        port = Integer.parseInt(printed(TFTP_PORT).group(1));
        page = printed(PAGE).group(1);
        firmwarePort = Integer.parseInt(printed(FIRMWARE_HTTP).group(1));
    }

    /** The canary (127.0.0.2) on {@code canary}, every other loopback client on {@code everyone}. */
    private void writeConfig(String canary, String everyone) throws IOException {
        Files.writeString(config, String.join("\n",
                "floorflash.firmware.root = \"" + root + "\"",
                "floorflash.audit.file = \"" + audit + "\"",
                "floorflash.http.floor.roster = [ { address = \"127.0.0.2\", name = \"canary phone\" },"
                        + " { address = \"127.0.0.9\", name = \"absent phone\" } ]",
                "floorflash.groups = [",
                "  { name = \"canary\", clients = [\"canary phone\"], release = \"" + canary + "\" }",
                "  { name = \"everyone\", clients = [\"127.0.0.0/8\"], release = \"" + everyone + "\" }",
                "]",
                "floorflash.rules = [",
                "  { glob = \"private/*\", deny = \"not served here\" }",
                "  { file = \"tftpboot/(.*)\", serve = \"${release}/$1\" }",
                "  { file = \"snomD345-([0-9A-Fa-f]{12})\\\\.htm\", render { template = \"" + work.resolve("snomD345.htm")
                        + "\", inventory = \"" + work.resolve("phones.csv") + "\", fallback = \"snomD345-generic.htm\","
                        + " escape = xml } }",
                "]", ""), UTF_8);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("the server did not stop within 20 s of SIGTERM; it printed:\n" + ExternalProcess.read(log));
            }
        }
    }

    @Test
    void rulesAndGroupsDecideWhatEachClientGetsOverTftpAndHttp() throws Exception {
        Path everyone = root.resolve("releases/10.1.1/snom320.bin");
        Path canary = root.resolve("releases/10.1.2/snom320.bin");

        Path hpa = work.resolve("hpa.bin");
        Client.tftpHpa(port, "snom320.bin", hpa, "binary").assertDelivered(everyone, hpa);
        Path stripped = work.resolve("stripped.bin");
        Client.curl(port, "tftpboot/snom320.bin", stripped).assertDelivered(everyone, stripped);
        Path fromCanary = work.resolve("canary.bin");
        Client.commonsNet(port, "snom320.bin", fromCanary, TFTP.BINARY_MODE, InetAddress.getByName("127.0.0.2"))
                .assertDelivered(canary, fromCanary);

        ClientResult denied = Client.tftpHpa(port, "private/keys.txt", work.resolve("keys.txt"), "binary");
        assertThat(denied.succeeded()).isFalse();
        assertThat(denied.output()).contains("Error code 2: not served here");

        HttpResponse<byte[]> overHttp = get("http://127.0.0.1:" + firmwarePort + "/firmware/snom320.bin");
        assertThat(overHttp.statusCode()).isEqualTo(200);
        assertThat(overHttp.body()).isEqualTo(Files.readAllBytes(everyone));
        HttpResponse<byte[]> deniedOverHttp = get("http://127.0.0.1:" + firmwarePort + "/firmware/private/keys.txt");
        assertThat(deniedOverHttp.statusCode()).isEqualTo(403);
        assertThat(new String(deniedOverHttp.body(), UTF_8)).isEqualTo("not served here\n");

        String transfers = await("the floor's groups").atMost(Duration.ofSeconds(10))
                .until(() -> text(page + "api/transfers"), body -> body.contains("\"name\":\"canary\""));
        assertThat(transfers).contains("{\"name\":\"canary\",\"release\":\"releases/10.1.2\",\"phones\":1,\"done\":1,"
                        + "\"otherRelease\":0,\"loading\":0,\"failed\":0,\"neverCame\":0}",
                "{\"name\":\"everyone\",\"release\":\"releases/10.1.1\",\"phones\":2,\"done\":0,\"otherRelease\":0,"
                        + "\"loading\":0,\"failed\":1,\"neverCame\":1}",
                "\"file\":\"snom320.bin\",\"served\":\"releases/10.1.2/snom320.bin\"");
        String lines = await("the audit lines").atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(audit) ? Files.readString(audit) : "", text -> text.lines().count() >= 3);
        assertThat(lines).contains("\"client\":\"127.0.0.1\"", "\"file\":\"tftpboot/snom320.bin\",\"served\":\"releases/"
                + "10.1.1/snom320.bin\",\"direction\":\"read\",\"sha256\":\"" + SeededFiles.sha256(everyone) + "\"");
        assertThat(lines).contains("\"client\":\"127.0.0.2\"", "\"file\":\"snom320.bin\",\"served\":\"releases/10.1.2/"
                + "snom320.bin\"");
    }

    @Test
    void aRenderRuleMakesEachPhonesSettingsFileOverTftpAndHttp() throws Exception {
        String expected = "<settings>\n<user_name perm=\"R\">desk 17 &lt;R&amp;D&gt;</user_name>\n"
                + "<setting_server perm=\"R\">http://pbx.example.com/prov,v2</setting_server>\n"
                + "<phone_mac>000413a11fa7</phone_mac>\n</settings>\n";

        Path hpa = work.resolve("hpa.htm");
        ClientResult fetched = Client.tftpHpa(port, "snomD345-000413A11FA7.htm", hpa, "binary");
        assertThat(fetched.succeeded()).as("%s", fetched).isTrue();
        assertThat(Files.readString(hpa)).isEqualTo(expected);
        Path atftp = work.resolve("atftp.htm");
        assertThat(Client.atftp(port, "snomD345-000413a11fa7.htm", atftp, "--option", "blksize 1468").succeeded()).isTrue();
        assertThat(Files.readString(atftp)).isEqualTo(expected);
        HttpResponse<byte[]> overHttp = get("http://127.0.0.1:" + firmwarePort + "/firmware/snomD345-000413A11FA7.htm");
        assertThat(overHttp.statusCode()).isEqualTo(200);
        assertThat(new String(overHttp.body(), UTF_8)).isEqualTo(expected);

        Path unknown = work.resolve("unknown.htm");
        Client.curl(port, "snomD345-000413A1FFFF.htm", unknown)
                .assertDelivered(root.resolve("snomD345-generic.htm"), unknown);

        Files.writeString(work.resolve("phones.csv"), Files.readString(work.resolve("phones.csv"))
                .replace("desk 17 <R&D>", "desk 18"), UTF_8);
        Path changed = work.resolve("changed.htm");
        Client.curl(port, "snomD345-000413A11FA7.htm", changed).assertSucceeded();
        assertThat(Files.readString(changed)).as("a changed inventory is read again").contains(">desk 18<");

        ExternalProcess.Finished explained = explain("127.0.0.5", "snomD345-000413A11FA7.htm");
        assertThat(explained.output()).contains("rule:     floorflash.rules[2]", "action:   render " + work.resolve("snomD345.htm"),
                "device '000413A11FA7'", "file:     rendered snomD345-000413A11FA7.htm", "result:   served");
    }

    @Test
    void explainAnswersAsTheServerDoes() throws Exception {
        ExternalProcess.Finished canary = explain("127.0.0.2", "snom320.bin");
        assertThat(canary.exitCode()).isZero();
        assertThat(canary.output()).contains("group 'canary' (release releases/10.1.2)", "rule:     none matches",
                "action:   serve releases/10.1.2/snom320.bin",
                "sha256:   " + SeededFiles.sha256(root.resolve("releases/10.1.2/snom320.bin")));

        ExternalProcess.Finished stripped = explain("127.0.0.5", "/tftpboot/snom320.bin");
        assertThat(stripped.output()).contains("rule:     floorflash.rules[1] {\"file\":\"tftpboot/(.*)\"",
                "action:   serve releases/10.1.1/snom320.bin");

        Files.writeString(config, Files.readString(config).replace("release = \"releases/10.1.1\"",
                "release = \"releases/10.1.3\"").replace("deny = ", "deni = "));
        ExternalProcess.Finished broken = explain("127.0.0.2", "snom320.bin");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.output()).contains("floorflash.groups[1].release: 'releases/10.1.3'",
                "floorflash.rules[0].deni: unknown key (did you mean 'deny'?)");
    }

    @Test
    void sighupPromotesAReleaseWhileARunningTransferFinishesOnItsOldBytes() throws Exception {
        Path oldImage = root.resolve("releases/10.1.1/snom320.bin");
        Path newImage = root.resolve("releases/10.1.2/snom320.bin");
        byte[] oldBytes = Files.readAllBytes(oldImage);
        try (RawPeer slow = new RawPeer()) {
            // A lock-step download from 127.0.0.1 (group everyone, release 10.1.1), held after its first block.
            slow.send(port, RawPeer.request(1, "snom320.bin", "octet"));
            RawPeer.Reply first = slow.expectReply(Duration.ofSeconds(5));
            assertThat(first.opcode()).isEqualTo(RawPeer.DATA);

            writeConfig("releases/10.1.2", "releases/10.1.2"); // promote everyone
            Files.writeString(config, "floorflash.tftp.max-requests-per-second = 30000\n",
                    StandardOpenOption.APPEND);
            hangUp();
            await("the reload").atMost(Duration.ofSeconds(10))
                    .until(() -> ExternalProcess.read(log).contains("configuration reloaded from"));
            assertThat(ExternalProcess.read(log)).contains("configuration reload: floorflash.tftp.max-requests-per-second changed but only takes"
                    + " effect on a restart");

            Path promoted = work.resolve("promoted.bin");
            Client.tftpHpa(port, "snom320.bin", promoted, "binary").assertDelivered(newImage, promoted);

            // Copies of DATA 1 resent while the test waited are skipped: only the next block is taken.
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            RawPeer.Reply data = first;
            int expected = 1;
            while (true) {
                assertThat(data.opcode()).isEqualTo(RawPeer.DATA);
                if (data.number() == (expected & 0xFFFF)) {
                    received.write(data.bytes(), 4, data.payloadLength());
                    slow.send(data.sourcePort(), RawPeer.ack(data.number()));
                    expected++;
                    if (data.payloadLength() < 512) {
                        break;
                    }
                }
                data = slow.expectReply(Duration.ofSeconds(5));
            }
            assertThat(received.toByteArray()).as("the running transfer's bytes: the release it started on")
                    .isEqualTo(oldBytes);
        }

        await("the promotion on the floor").atMost(Duration.ofSeconds(10))
                .until(() -> text(page + "api/transfers"), body -> body.contains("{\"name\":\"everyone\",\"release\":"
                        + "\"releases/10.1.2\",\"phones\":2,\"done\":1,"));
        assertThat(Exposition.parse(text(page + "metrics")).samples())
                .containsEntry("floorflash_config_reloads_total{result=\"applied\"}", 1.0)
                .containsEntry("floorflash_config_reloads_total{result=\"rejected\"}", 0.0);

        Files.writeString(config, Files.readString(config).replace("release = \"releases/10.1.2\" }\n]",
                "release = \"releases/9.9\" }\n]").replace("floorflash.rules = [", "floorflash.rules = [\n  { file = \"(\" }"));
        hangUp();
        await("the rejection").atMost(Duration.ofSeconds(10))
                .until(() -> ExternalProcess.read(log).contains("configuration reload from " + config + " rejected"));
        assertThat(ExternalProcess.read(log)).contains("floorflash.groups[1].release: 'releases/9.9'",
                "floorflash.rules[0].file: '('");
        Path still = work.resolve("still.bin");
        Client.curl(port, "snom320.bin", still).assertDelivered(newImage, still);
        assertThat(Exposition.parse(text(page + "metrics")).samples())
                .containsEntry("floorflash_config_reloads_total{result=\"rejected\"}", 1.0);
    }

    @Test
    void aWatchedConfigurationIsReloadedWhenItsFileChanges() throws Exception {
        stop();
        Files.writeString(config, Files.readString(config) + "floorflash.reload.watch-config = true\n"
                + "floorflash.reload.settle = 200 ms\n", UTF_8);
        launch();
        Path before = work.resolve("before.bin");
        Client.curl(port, "snom320.bin", before).assertDelivered(root.resolve("releases/10.1.1/snom320.bin"), before);

        String promoted = Files.readString(config).replace("release = \"releases/10.1.1\"", "release = \"releases/10.1.2\"");
        Path next = work.resolve(".floorflash.conf.new");
        Files.writeString(next, promoted, UTF_8);
        Files.move(next, config, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);

        await("the reload").atMost(Duration.ofSeconds(10))
                .until(() -> ExternalProcess.read(log).contains("configuration reloaded from"));
        Path after = work.resolve("after.bin");
        Client.curl(port, "snom320.bin", after).assertDelivered(root.resolve("releases/10.1.2/snom320.bin"), after);
    }

    @Test
    void aReloadTurnsTheWebhookOnAndARejectedOneLeavesItAsItWas() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Files.writeString(config, Files.readString(config) + "floorflash.hooks.webhook.url = \"" + receiver.url()
                    + "\"\n", UTF_8);
            hangUp();
            await("the reload").atMost(Duration.ofSeconds(10))
                    .until(() -> ExternalProcess.read(log).contains("configuration reloaded from"));

            Path fetched = work.resolve("hooked.bin");
            Client.curl(port, "snom320.bin", fetched).assertSucceeded();
            await("the webhook's post").atMost(Duration.ofSeconds(10)).until(() -> receiver.posts().size() == 1);
            assertThat(receiver.posts().get(0).body()).contains("\"client\":\"127.0.0.1\"",
                    "\"file\":\"snom320.bin\",\"served\":\"releases/10.1.1/snom320.bin\"");

            Files.writeString(config, Files.readString(config) + "floorflash.hooks.webhook.url = \"ftp://nowhere\"\n",
                    UTF_8);
            hangUp();
            await("the rejection").atMost(Duration.ofSeconds(10))
                    .until(() -> ExternalProcess.read(log).contains("rejected, the running configuration stays"));
            Client.curl(port, "snom320.bin", work.resolve("again.bin")).assertSucceeded();
            await("the second post, to the same receiver").atMost(Duration.ofSeconds(10))
                    .until(() -> receiver.posts().size() == 2);
        }
    }

    private void hangUp() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private ExternalProcess.Finished explain(String client, String name) {
        Path jar = Path.of(System.getProperty("floorflash.jar", "target/floorflash.jar")).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx128m", "-jar", jar.toString(), "explain",
                "--config", config.toString(), "--client", client, name));
        return ExternalProcess.run(command, Duration.ofSeconds(60), "mvn package");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Matcher printed(Pattern pattern) {
        return await("the server's start line " + pattern).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Matcher m = pattern.matcher(ExternalProcess.read(log));
                    if (!m.find()) {
                        if (!server.isAlive()) {
                            fail("the server exited with " + server.exitValue() + ":\n" + ExternalProcess.read(log));
                        }
                        return null;
                    }
                    return m;
                }, m -> m != null);
    }

    private static HttpResponse<byte[]> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}

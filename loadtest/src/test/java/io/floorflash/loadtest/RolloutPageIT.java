package io.floorflash.loadtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Overrides;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The floor page's rollout groups in headless Chromium: each group's release and counts, and a promotion (a reload
 * that points the second group at the canary's release) shown at once, its phones now on another release.
 */
class RolloutPageIT {
    @TempDir
    Path root;

    @Test
    void thePageShowsEachGroupsReleaseAndFollowsAPromotion() throws Exception {
        HeadlessChromium.binary();
        Files.createDirectories(root.resolve("releases/10.1.2"));
        Files.createDirectories(root.resolve("releases/10.1.1"));
        Files.writeString(root.resolve("releases/10.1.2/snom320.bin"), "new release", UTF_8);
        Files.writeString(root.resolve("releases/10.1.1/snom320.bin"), "old release", UTF_8);
        FloorflashServer server = FloorflashServer.start(settings("releases/10.1.1"));
        try (HeadlessChromium chromium = HeadlessChromium.start(Path.of("target"), 1200, 900)) {
            assertThat(fetch(server.localAddress(), "127.4.0.5", "snom320.bin")).isEqualTo("new release");
            assertThat(fetch(server.localAddress(), "127.4.1.5", "snom320.bin")).isEqualTo("old release");
            assertThat(fetch(server.localAddress(), "127.4.1.6", "snom320.bin")).isEqualTo("old release");

            chromium.navigate(server.pageUrl().orElseThrow());

            await("the groups on the page").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> row(chromium, "floor"), "floor|releases/10.1.1|3|2|0|0|0|1"::equals);
            assertThat(row(chromium, "canary")).isEqualTo("canary|releases/10.1.2|1|1|0|0|0|0");
            assertThat(chromium.evaluate("document.getElementById('groups').hidden").asBoolean()).isFalse();

            server.reconfigure(settings("releases/10.1.2"));

            await("the promotion on the page").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> row(chromium, "floor"), "floor|releases/10.1.2|3|0|2|0|0|1"::equals);
            assertThat(fetch(server.localAddress(), "127.4.1.5", "snom320.bin")).isEqualTo("new release");
            await("a promoted phone done").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> row(chromium, "floor"), "floor|releases/10.1.2|3|1|1|0|0|1"::equals);
            chromium.screenshot(Path.of("target", "rollout-page.png"), 1200);
        } finally {
            server.close();
        }
    }

    /** Canary: the roster's "Floor 4a" on 10.1.2; floor: the rest of 127.4.0.0/16 on {@code floorRelease}. */
    private Settings settings(String floorRelease) {
        return SettingsLoader.parse(String.join("\n",
                "floorflash.http.floor.roster = [ { address = \"127.4.0.0/24\", name = \"Floor 4a\" },"
                        + " { address = \"127.4.1.9\", name = \"reception\" } ]",
                "floorflash.groups = [",
                "  { name = \"canary\", clients = [\"Floor 4a\"], release = \"releases/10.1.2\" }",
                "  { name = \"floor\", clients = [\"127.4.0.0/16\"], release = \"" + floorRelease + "\" }",
                "]"), TestServer.settings(root, Overrides.none()));
    }

    /** The group's row as "cell|cell|...". */
    private static String row(HeadlessChromium chromium, String group) throws Exception {
        return chromium.evaluate("(() => { const r = document.querySelector('#group-rows tr[data-group=\"" + group
                + "\"]'); return r ? Array.from(r.cells).map(c => c.textContent).join('|') : ''; })()").asText();
    }

    /** A small file fetched in lock-step from {@code from}: RRQ, one DATA, its ACK. */
    private static String fetch(InetSocketAddress server, String from, String file) throws Exception {
        ByteArrayOutputStream rrq = new ByteArrayOutputStream();
        rrq.write(new byte[] {0, 1});
        rrq.write(file.getBytes(UTF_8));
        rrq.write(0);
        rrq.write("octet".getBytes(UTF_8));
        rrq.write(0);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(from), 0))) {
            socket.setSoTimeout(5000);
            socket.send(new DatagramPacket(rrq.toByteArray(), rrq.size(), server));
            DatagramPacket data = new DatagramPacket(new byte[1024], 1024);
            socket.receive(data);
            assertThat(data.getData()[1]).as("a DATA packet").isEqualTo((byte) 3);
            assertThat(data.getLength()).as("one short block").isLessThan(4 + 512);
            byte[] ack = {0, 4, data.getData()[2], data.getData()[3]};
            socket.send(new DatagramPacket(ack, ack.length, data.getSocketAddress()));
            return new String(data.getData(), 4, data.getLength() - 4, UTF_8);
        }
    }
}

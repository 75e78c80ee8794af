package io.floorflash.server.provisioning;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.floorflash.config.Overrides;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsLoader;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.firmware.FirmwareStore;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rendered settings files through the store's load queue (run on the calling thread here). */
class ProvisioningTest {
    @TempDir
    Path dir;
    private Path root;
    private Provisioning provisioning;

    @BeforeEach
    void rules() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(dir.resolve("t.cfg"), "user={{user}}\nmac={{MAC_colons}}\n", UTF_8);
        Files.writeString(dir.resolve("phones.csv"), "mac,user\n00-04-13-a1-1f-a7,desk\n", UTF_8);
        Files.writeString(dir.resolve("broken.cfg"), "user={{#user}}\n", UTF_8);
        Settings settings = SettingsLoader.parse(
                "floorflash.firmware.root = \"" + root + "\"\n"
                        + "floorflash.rules = ["
                        + " { file = \"(?<mac>[0-9a-f]{12})\\\\.cfg\", render { template = \"" + dir.resolve("t.cfg")
                        + "\", inventory = \"" + dir.resolve("phones.csv") + "\", mac = mac } },"
                        + " { file = \"broken-([0-9a-f]{12})\\\\.cfg\", render { template = \"" + dir.resolve("broken.cfg")
                        + "\", inventory = \"" + dir.resolve("phones.csv") + "\" } } ]", Overrides.none());
        FirmwareStore store = new FirmwareStore(settings.firmware(), Runnable::run, Ticker.systemTicker());
        provisioning = new Provisioning(settings.provisioning(), store);
    }

    private FirmwareImage open(String name, TransferMode mode) throws IOException {
        return provisioning.open(InetAddress.getByName("10.0.0.1"), name, mode).join();
    }

    private FirmwareException refusal(String name) {
        try {
            open(name, TransferMode.OCTET);
        } catch (CompletionException e) {
            return (FirmwareException) e.getCause();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError(name + " was served");
    }

    @Test
    void rendersTheDevicesRowInOctetAndNetascii() throws IOException {
        FirmwareImage octet = open("000413a11fa7.cfg", TransferMode.OCTET);
        byte[] bytes = new byte[(int) octet.size()];
        octet.block(0, bytes.length).readBytes(bytes).release();
        assertThat(new String(bytes, UTF_8)).isEqualTo("user=desk\nmac=00:04:13:A1:1F:A7\n");

        FirmwareImage netascii = open("000413a11fa7.cfg", TransferMode.NETASCII);
        assertThat(netascii.size()).as("each LF sent as CR LF").isEqualTo(bytes.length + 2);
        assertThat(netascii.sha256()).isNotEqualTo(octet.sha256());
    }

    @Test
    void anUnlistedDeviceWithoutAFallbackIsNotFoundAndABrokenTemplateIsAnError() {
        FirmwareException unknown = refusal("000413a1ffff.cfg");
        assertThat(unknown.code()).isEqualTo(ErrorCode.FILE_NOT_FOUND);
        assertThat(unknown.getMessage()).isEqualTo("File not found: 000413a1ffff.cfg (no such device in the inventory)");

        FirmwareException broken = refusal("broken-000413a11fa7.cfg");
        assertThat(broken.code()).isEqualTo(ErrorCode.NOT_DEFINED);
        assertThat(broken.getMessage()).isEqualTo("broken-000413a11fa7.cfg cannot be made: its template or inventory is"
                + " broken; see the server log");
    }
}

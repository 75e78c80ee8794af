package io.floorflash.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Overrides;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The systemd unit and the configuration shipped in {@code packaging/} agree with each other and with the server. */
class ServiceUnitTest {
    private static final Path PACKAGING = Path.of("..", "packaging");

    private static List<String> unit() throws IOException {
        return Files.readAllLines(PACKAGING.resolve("floorflash.service"));
    }

    private static String value(List<String> unit, String key) {
        return unit.stream().filter(line -> line.startsWith(key + "=")).map(line -> line.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError(key + " missing from the unit"));
    }

    @Test
    void theShippedConfigurationLoadsAndWritesTheAuditWhereTheUnitAllows() throws IOException {
        Settings settings = SettingsLoader.load(PACKAGING.resolve("floorflash.conf"), Overrides.none());

        assertThat(settings.tftp().port()).isEqualTo(69);
        assertThat(settings.audit().file()).startsWithRaw(Path.of("/var/log", value(unit(), "LogsDirectory")));
    }

    @Test
    void theShippedConfigurationKeepsTheOperatorSideOnLoopbackAndTheFirmwareSideOff() throws IOException {
        Settings settings = SettingsLoader.load(PACKAGING.resolve("floorflash.conf"), Overrides.none());

        assertThat(settings.http().address().isLoopbackAddress()).as("the floor's inventory stays on this machine").isTrue();
        assertThat(settings.http().firmware().enabled()).isFalse();
    }

    @Test
    void theUnitWaitsLongerThanTheDrain() throws IOException {
        Settings settings = SettingsLoader.load(PACKAGING.resolve("floorflash.conf"), Overrides.none());
        List<String> unit = unit();

        Duration stopTimeout = Duration.ofSeconds(Long.parseLong(value(unit, "TimeoutStopSec")));
        assertThat(stopTimeout).isGreaterThan(settings.shutdown().drainTime().plusSeconds(10));
    }

    @Test
    void theUnitRunsTheInstalledJarWithTheInstalledConfiguration() throws IOException {
        String execStart = String.join(" ", unit()).replace("\\ ", " ");

        assertThat(execStart).contains("-jar /opt/floorflash/floorflash.jar --config /etc/floorflash/floorflash.conf");
        assertThat(value(unit(), "AmbientCapabilities")).isEqualTo("CAP_NET_BIND_SERVICE");
        assertThat(value(unit(), "CapabilityBoundingSet")).isEqualTo("CAP_NET_BIND_SERVICE");
    }

    @Test
    void systemctlReloadSendsTheSignalTheServerReloadsOn() throws IOException {
        assertThat(value(unit(), "ExecReload")).isEqualTo("/bin/kill -HUP $MAINPID");
    }
}

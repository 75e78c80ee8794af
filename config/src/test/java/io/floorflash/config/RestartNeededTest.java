package io.floorflash.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.TransferSettings.RolloverSetting;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartNeededTest {
    @TempDir
    Path root;

    @Test
    void theSameSettingsNeedNoRestart() {
        assertThat(Settings.restartNeeded(load(Overrides.none()), load(Overrides.none()))).isEmpty();
    }

    @Test
    void addressesPortsSocketsAndTheAuditFileNeedARestartEachNamedByItsFullKey() {
        Settings before = load(Overrides.none());
        Settings after = load(Overrides.none()
                .with(Key.TFTP_PORT, 6969)
                .with(Key.TFTP_ADDRESS, "127.0.0.1")
                .with(Key.TRANSFER_PORTS, TransferPortMode.SINGLE)
                .with(Key.HTTP_ADDRESS, "0.0.0.0")
                .with(Key.FIRMWARE_HTTP_PORT, 8080)
                .with(Key.AUDIT_FILE, root.resolveSibling("other-audit.jsonl")));

        assertThat(Settings.restartNeeded(before, after)).containsExactly(
                "floorflash.tftp.address",
                "floorflash.tftp.port",
                "floorflash.transfer.ports",
                "floorflash.http.address",
                "floorflash.http.firmware.port",
                "floorflash.audit.file");
    }

    @Test
    void rosterChecksumsWebhookAndDrainTimeAreReloaded() throws Exception {
        Settings before = load(Overrides.none());
        Settings after = load(Overrides.none()
                .with(Key.FLOOR_ROSTER, List.of(new RosterEntry(InetAddress.getByName("10.0.5.0"), 24, "Floor 5")))
                .with(Key.FIRMWARE_REQUIRE_CHECKSUMS, true)
                .with(Key.WEBHOOK_URL, "http://127.0.0.1:9/hooks")
                .with(Key.SHUTDOWN_DRAIN_TIME, Duration.ofSeconds(5)));

        assertThat(Settings.restartNeeded(before, after)).isEmpty();
    }

    @Test
    void theTransfersPolicyUploadsAndTheWatcherNeedARestart() {
        Settings before = load(Overrides.none());
        Settings after = load(Overrides.none()
                .with(Key.TRANSFER_ROLLOVER, RolloverSetting.REFUSE)
                .with(Key.RETRANSMIT_INITIAL_TIMEOUT, Duration.ofMillis(500))
                .with(Key.UPLOADS_OVERWRITE, true)
                .with(Key.RELOAD_WATCH_CONFIG, true));

        assertThat(Settings.restartNeeded(before, after)).containsExactly(
                "floorflash.transfer.rollover",
                "floorflash.transfer.retransmit.initial-timeout",
                "floorflash.uploads.overwrite",
                "floorflash.reload.watch-config");
    }

    @Test
    void aNewFirmwareRootNeedsARestartOfTheStoreThatReadsIt(@TempDir Path other) {
        assertThat(Settings.restartNeeded(load(Overrides.none()), load(Overrides.none().with(Key.FIRMWARE_ROOT, other))))
                .containsExactly("floorflash.firmware.root");
    }

    private Settings load(Overrides overrides) {
        return SettingsLoader.load(Overrides.none().with(Key.FIRMWARE_ROOT, root)
                .with(Key.AUDIT_FILE, root.resolveSibling("audit.jsonl")).with(overrides));
    }
}

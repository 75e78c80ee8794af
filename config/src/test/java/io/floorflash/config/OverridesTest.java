package io.floorflash.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.floorflash.config.ListenerSettings.TransportKind;
import io.floorflash.config.TransferSettings.RolloverSetting;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverridesTest {
    @TempDir
    Path dir;

    @Test
    void everyKeyIsAKeyOfReferenceConf() {
        Config reference = ConfigFactory.parseResources(getClass().getClassLoader(), "reference.conf");

        assertThat(Key.all()).isNotEmpty().allSatisfy(key -> assertThat(reference.hasPathOrNull(key.name()))
                .as(key.name()).isTrue());
        assertThat(Key.all()).extracting(Key::name).doesNotHaveDuplicates();
    }

    @Test
    void typedValuesReachTheirRecords() throws Exception {
        RosterEntry floor5 = new RosterEntry(InetAddress.getByName("10.0.5.0"), 24, "Floor 5");
        RosterEntry reception = new RosterEntry(InetAddress.getByName("10.0.5.17"), 32, "");
        Settings settings = SettingsLoader.load(Overrides.none()
                .with(Key.TFTP_ADDRESS, "127.0.0.1")
                .with(Key.TFTP_PORT, 0)
                .with(Key.TFTP_TRANSPORT, TransportKind.IO_URING)
                .with(Key.TFTP_RECEIVE_BUFFER, 1L << 20)
                .with(Key.TRANSFER_ROLLOVER, RolloverSetting.REFUSE)
                .with(Key.TRANSFER_PORTS, TransferPortMode.range(50000, 50010))
                .with(Key.RETRANSMIT_INITIAL_TIMEOUT, Duration.ofMillis(300))
                .with(Key.RETRANSMIT_MIN_TIMEOUT, Duration.ofNanos(1_500_000))
                .with(Key.RETRANSMIT_BACKOFF, 1.5)
                .with(Key.FIRMWARE_ROOT, dir)
                .with(Key.FIRMWARE_REQUIRE_CHECKSUMS, true)
                .with(Key.HTTP_TOKEN_FILE, dir.resolve("token"))
                .with(Key.HTTP_ALLOWED_HOSTS, List.of("floor.example.com:8443"))
                .with(Key.FLOOR_ROSTER, List.of(floor5, reception))
                .with(Key.AUDIT_FILE, dir.resolveSibling("audit.jsonl")));

        assertThat(settings.tftp().address()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(settings.tftp().port()).isZero();
        assertThat(settings.tftp().transport()).isEqualTo(TransportKind.IO_URING);
        assertThat(settings.tftp().receiveBuffer()).isEqualTo(1 << 20);
        assertThat(settings.transfer().rollover()).isEqualTo(RolloverSetting.REFUSE);
        assertThat(settings.transfer().ports()).isEqualTo(TransferPortMode.range(50000, 50010));
        assertThat(settings.transfer().retransmit().initialTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(settings.transfer().retransmit().minTimeout()).isEqualTo(Duration.ofNanos(1_500_000));
        assertThat(settings.transfer().retransmit().backoff()).isEqualTo(1.5);
        assertThat(settings.firmware().root()).isEqualTo(dir);
        assertThat(settings.firmware().requireChecksums()).isTrue();
        assertThat(settings.http().tokenFile()).hasValue(dir.resolve("token"));
        assertThat(settings.http().allowedHosts()).containsExactly(new AllowedHost("floor.example.com", 8443));
        assertThat(settings.http().floor().roster()).containsExactly(floor5, reception);
        assertThat(settings.audit().file()).isEqualTo(dir.resolveSibling("audit.jsonl"));
    }

    @Test
    void aLaterValueWinsAndOverridesCombine() {
        Overrides base = Overrides.none().with(Key.TFTP_PORT, 69).with(Key.HTTP_ENABLED, false);
        Overrides more = Overrides.none().with(Key.TFTP_PORT, 1069);

        Overrides both = base.with(more);

        assertThat(both.get(Key.TFTP_PORT)).hasValue(1069);
        assertThat(both.get(Key.HTTP_ENABLED)).hasValue(false);
        assertThat(both.has(Key.HTTP_PORT)).isFalse();
        assertThat(base.get(Key.TFTP_PORT)).as("unchanged").hasValue(69);
        assertThat(both).isEqualTo(Overrides.none().with(Key.HTTP_ENABLED, false).with(Key.TFTP_PORT, 1069));
    }

    @Test
    void anInvalidValueIsReportedUnderItsKey() {
        assertThatThrownBy(() -> SettingsLoader.load(Overrides.none().with(Key.TFTP_PORT, 70000)))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("floorflash.tftp.port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> Overrides.none().with(Key.FIRMWARE_ROOT, null))
                .isInstanceOf(NullPointerException.class).hasMessage("floorflash.firmware.root");
    }
}

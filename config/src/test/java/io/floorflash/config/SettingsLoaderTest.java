package io.floorflash.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.ConfigFactory;
import io.floorflash.config.ListenerSettings.TransportKind;
import io.floorflash.config.TransferSettings.RolloverSetting;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    @Test
    void referenceConfProducesTheDocumentedDefaults() throws IOException {
        Settings settings = SettingsLoader.load(null, Map.of());

        ListenerSettings tftp = settings.tftp();
        assertThat(tftp.address()).isEqualTo(InetAddress.getByName("0.0.0.0"));
        assertThat(tftp.port()).isEqualTo(69);
        assertThat(tftp.transport()).isEqualTo(TransportKind.AUTO);
        assertThat(tftp.eventLoopThreads()).isEqualTo(1);
        assertThat(tftp.receiveBuffer()).isEqualTo(4 * 1024 * 1024);
        assertThat(tftp.sockets()).isEqualTo(4);
        assertThat(tftp.maxRequestsPerSecond()).isEqualTo(20_000);

        TransferSettings transfer = settings.transfer();
        assertThat(transfer.maxBlockSize()).isEqualTo(1468);
        assertThat(transfer.maxBlockSizeIpv6()).isEqualTo(1448);
        assertThat(transfer.maxWindowSize()).isEqualTo(64);
        assertThat(transfer.rollover()).isEqualTo(RolloverSetting.ZERO);
        assertThat(transfer.maxActiveTransfers()).isEqualTo(20_000);
        assertThat(transfer.udpGso()).isTrue();
        assertThat(transfer.ports()).isEqualTo(TransferPortMode.SHARED);
        assertThat(transfer.unknownTransferRepliesPerSecond()).isEqualTo(100);
        assertThat(transfer.socketsPerLoop()).isEqualTo(4);
        assertThat(transfer.deadline()).isEqualTo(Duration.ofMinutes(30));
        assertThat(transfer.maxTransfersPerAddress()).isEqualTo(1000);
        assertThat(transfer.maxClientTimeout()).isEqualTo(Duration.ofSeconds(10));

        RetransmitSettings retransmit = transfer.retransmit();
        assertThat(retransmit.initialTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(retransmit.backoff()).isEqualTo(2.0);
        assertThat(retransmit.maxTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(retransmit.jitter()).isEqualTo(0.1);
        assertThat(retransmit.maxRetries()).isEqualTo(11);
        assertThat(retransmit.adaptive()).isTrue();
        assertThat(retransmit.minTimeout()).isEqualTo(Duration.ofMillis(20));
        assertThat(retransmit.maxUnverifiedRetries()).isEqualTo(4);

        FirmwareSettings firmware = settings.firmware();
        assertThat(firmware.cacheMaxBytes()).isEqualTo(1L << 30);
        assertThat(firmware.cacheIdleExpiry()).isEqualTo(Duration.ofMinutes(10));
        assertThat(firmware.loadThreads()).isEqualTo(2);
        assertThat(firmware.loadTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(firmware.memoryBudget()).isEqualTo(1536L << 20);
        assertThat(firmware.requireChecksums()).isFalse();
        assertThat(firmware.root()).isAbsolute().isEqualTo(Path.of("firmware").toAbsolutePath().normalize());

        HttpSettings http = settings.http();
        assertThat(http.enabled()).isTrue();
        assertThat(http.address()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(http.port()).isEqualTo(8069);
        assertThat(http.maxRequestBytes()).isEqualTo(1024);
        assertThat(http.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(http.tokenFile()).isEmpty();
        assertThat(http.allowedHosts()).isEmpty();
        assertThat(http.maxConnections()).isEqualTo(64);
        assertThat(http.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        FirmwareHttpSettings firmwareHttp = http.firmware();
        assertThat(firmwareHttp.enabled()).isFalse();
        assertThat(firmwareHttp.address()).isEqualTo(InetAddress.getByName("0.0.0.0"));
        assertThat(firmwareHttp.port()).isEqualTo(8070);
        assertThat(firmwareHttp.maxConnections()).isEqualTo(1024);
        assertThat(http.floor().maxPhones()).isEqualTo(10_000);
        assertThat(http.floor().throughputHistory()).isEqualTo(Duration.ofMinutes(10));
        assertThat(http.floor().roster()).isEmpty();

        AuditSettings audit = settings.audit();
        assertThat(audit.enabled()).isTrue();
        assertThat(audit.file()).isAbsolute().isEqualTo(Path.of("logs/audit.jsonl").toAbsolutePath().normalize());
        assertThat(audit.maxFileSize()).isEqualTo(100L << 20);
        assertThat(audit.maxHistory()).isEqualTo(90);
        assertThat(audit.totalSizeCap()).isEqualTo(5L << 30);

        assertThat(settings.shutdown().drainTime()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsARosterOfPhonesAndNetworks() throws IOException {
        Path file = write("roster.conf", """
                floorflash.http.floor.roster = [
                  { address = "10.0.5.0/24", name = "Floor 5" }
                  { address = "10.0.5.17", name = " reception " }
                  { address = "10.0.6.9/22" }
                  { address = "fd00::17" }
                ]
                """);

        List<RosterEntry> roster = SettingsLoader.load(file, Map.of()).http().floor().roster();

        assertThat(roster).extracting(RosterEntry::toString)
                .containsExactly("10.0.5.0/24 Floor 5", "10.0.5.17 reception", "10.0.4.0/22", "fd00:0:0:0:0:0:0:17");
        assertThat(roster.get(0).contains(InetAddress.getByName("10.0.5.200"))).isTrue();
        assertThat(roster.get(0).contains(InetAddress.getByName("10.0.6.1"))).isFalse();
        assertThat(roster.get(2).contains(InetAddress.getByName("10.0.7.255"))).isTrue();
        assertThat(roster.get(2).contains(InetAddress.getByName("10.0.8.0"))).isFalse();
        assertThat(roster.get(1).isSingleAddress()).isTrue();
        assertThat(roster.get(3).contains(InetAddress.getByName("10.0.5.17"))).as("another family").isFalse();
    }

    @Test
    void reportsEveryBadRosterEntryUnderItsIndex() throws IOException {
        Path file = write("roster.conf", """
                floorflash.http.floor.roster = [
                  { address = "10.0.5.300" }
                  { address = "10.0.5.0/33", name = "Floor 5" }
                  { name = "nobody" }
                  { address = "phone.example.com" }
                  { address = "10.0.5.17", colour = blue }
                  { address = "10.0.5.17" }
                  { address = "10.0.5.18", name = "%s" }
                ]
                """.formatted("x".repeat(65)));

        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(file, Map.of()));

        assertThat(failure).isNotNull();
        String expected = " (expected: an IP address such as 10.0.5.17 or a network such as 10.0.5.0/24)";
        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.http.floor.roster[0].address: '10.0.5.300'" + expected,
                "floorflash.http.floor.roster[1].address: '10.0.5.0/33' (expected: a prefix length of 0-32 after the /)",
                "floorflash.http.floor.roster[2].address: missing" + expected,
                "floorflash.http.floor.roster[3].address: 'phone.example.com'" + expected,
                "floorflash.http.floor.roster[4].colour: unknown key (expected one of: address, name)",
                "floorflash.http.floor.roster[5].address: 10.0.5.17 is listed twice (also floorflash.http.floor.roster[4])",
                "floorflash.http.floor.roster[6].name: '" + "x".repeat(65) + "' (expected: at most 64 characters, no control characters)");
    }

    @Test
    void boundsTheRosterByMaxPhones() throws IOException {
        Path file = write("roster.conf", """
                floorflash.http.floor.max-phones = 2
                floorflash.http.floor.roster = [ { address = "10.0.5.1" }, { address = "10.0.5.2" }, { address = "10.0.5.3" } ]
                floorflash.http { port = -1, enabled = maybe }
                """);

        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(file, Map.of()));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.http.floor.roster: 3 entries (expected: at most max-phones, 2)",
                "floorflash.http.port: -1 (expected: 0-65535)",
                "floorflash.http.enabled: 'maybe' (expected: true or false)");
    }

    @Test
    void readsTheHttpGuardsAndTheFirmwareSide() throws IOException {
        Path file = write("http.conf", """
                floorflash.http {
                  token-file = "secrets/http-token"
                  allowed-hosts = [ "Floor.Example.com", "floor.example.com:8443", "10.0.0.5", "[2001:DB8::5]:80" ]
                  max-connections = 8
                  header-timeout = 2 seconds
                  firmware { enabled = true, address = "127.0.0.1", port = 8080, max-connections = 500 }
                }
                """);

        HttpSettings http = SettingsLoader.load(file, Map.of()).http();

        assertThat(http.tokenFile()).hasValue(Path.of("secrets/http-token").toAbsolutePath());
        assertThat(http.allowedHosts()).containsExactly(new AllowedHost("floor.example.com", 0),
                new AllowedHost("floor.example.com", 8443), new AllowedHost("10.0.0.5", 0), new AllowedHost("[2001:db8::5]", 80));
        assertThat(http.maxConnections()).isEqualTo(8);
        assertThat(http.headerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(http.firmware()).isEqualTo(new FirmwareHttpSettings(true, InetAddress.getByName("127.0.0.1"), 8080, 500));
    }

    @Test
    void refusesBadAllowedHostsAndAFirmwarePortOnTheOperatorsAddress() throws IOException {
        Path file = write("http.conf", """
                floorflash.http {
                  port = 8069
                  allowed-hosts = [ "ok.example.com", "http://floor.example.com", "floor.example.com:0", "300.1.1.1",
                                    "[not-ipv6]", "x:99999", "*.example.com" ]
                  max-connections = 0
                  header-timeout = 10 ms
                  firmware { enabled = true, address = "0.0.0.0", port = 8069 }
                }
                """);

        SettingsException failure = catchThrowableOfType(SettingsException.class, () -> SettingsLoader.load(file, Map.of()));

        assertThat(failure).isNotNull();
        String expected = " (expected: a host name, an IPv4 address or an IPv6 address in brackets, optionally with :port,"
                + " such as floor.example.com or 10.0.0.5:8069)";
        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.http.allowed-hosts[1]: 'http://floor.example.com'" + expected,
                "floorflash.http.allowed-hosts[2]: 'floor.example.com:0'" + expected,
                "floorflash.http.allowed-hosts[3]: '300.1.1.1'" + expected,
                "floorflash.http.allowed-hosts[4]: '[not-ipv6]'" + expected,
                "floorflash.http.allowed-hosts[5]: 'x:99999'" + expected,
                "floorflash.http.allowed-hosts[6]: '*.example.com'" + expected,
                "floorflash.http.max-connections: 0 (expected: 1-100000)",
                "floorflash.http.header-timeout: PT0.01S (expected: PT0.1S to PT1H)",
                "floorflash.http.firmware.port: 8069 (expected: another port than the operator side's,"
                        + " floorflash.http.port, on the same address)");
    }

    @Test
    void readsTheAuditAndShutdownSections() throws IOException {
        Path file = write("floorflash.conf", """
                floorflash {
                  audit { enabled = false, file = "%s", max-file-size = 10 MiB, max-history = 7, total-size-cap = 1 GiB }
                  shutdown.drain-time = 0 s
                }
                """.formatted(dir.resolve("log/../audit.jsonl")));

        Settings settings = SettingsLoader.load(file, Map.of());

        assertThat(settings.audit()).isEqualTo(new AuditSettings(false, dir.resolve("audit.jsonl"), 10L << 20, 7, 1L << 30));
        assertThat(settings.shutdown().drainTime()).isZero();
    }

    @Test
    void uploadsAreOffByDefaultWithASixteenMebibyteQuota() {
        Settings settings = SettingsLoader.load(null, Map.of("floorflash.firmware.root", dir.resolve("fw").toString()));

        assertThat(settings.uploads().enabled()).isFalse();
        assertThat(settings.uploads().maxBytes()).isEqualTo(16L << 20);
        assertThat(settings.uploads().overwrite()).isFalse();
        assertThat(settings.uploads().root()).isEqualTo(Path.of("uploads").toAbsolutePath().normalize());
    }

    @Test
    void readsTheUploadsSection() throws IOException {
        Path file = write("floorflash.conf", """
                floorflash {
                  firmware.root = "%s"
                  uploads { enabled = true, root = "%s", max-bytes = 1 MiB, overwrite = true, write-threads = 3 }
                }
                """.formatted(dir.resolve("fw"), dir.resolve("up/../uploads")));

        Settings settings = SettingsLoader.load(file, Map.of());

        assertThat(settings.uploads()).isEqualTo(new UploadSettings(true, dir.resolve("uploads"), 1L << 20, true, 3,
                256 * 1024));
    }

    @Test
    void refusesAnUploadRootInsideTheFirmwareRootOrAroundIt() {
        SettingsException inside = catchThrowableOfType(SettingsException.class, () -> SettingsLoader.load(null, Map.of(
                "floorflash.firmware.root", dir.toString(),
                "floorflash.uploads.enabled", true,
                "floorflash.uploads.root", dir.resolve("uploads").toString())));
        Settings disabled = SettingsLoader.load(null, Map.of("floorflash.firmware.root", dir.toString(),
                "floorflash.uploads.root", dir.resolve("uploads").toString()));
        SettingsException around = catchThrowableOfType(SettingsException.class, () -> SettingsLoader.load(null, Map.of(
                "floorflash.firmware.root", dir.resolve("fw").toString(),
                "floorflash.uploads.root", dir.toString(),
                "floorflash.uploads.write-threads", "0",
                "floorflash.uploads.overwrit", "true")));

        assertThat(inside.problems()).containsExactly("floorflash.uploads.root: " + dir.resolve("uploads")
                + " (expected: outside the firmware root " + dir + " and not containing it, or phones could fetch what"
                + " others uploaded)");
        assertThat(disabled.uploads().enabled()).as("a root that is never written is not checked").isFalse();
        assertThat(around.problems()).containsExactlyInAnyOrder(
                "floorflash.uploads.write-threads: 0 (expected: 1-64)",
                "floorflash.uploads.overwrit: unknown key (did you mean 'overwrite'?)");
    }

    @Test
    void refusesAnAuditFileInsideTheFirmwareRootAndACapBelowOneFile() {
        SettingsException failure = catchThrowableOfType(SettingsException.class, () -> SettingsLoader.load(null, Map.of(
                "floorflash.firmware.root", dir.toString(),
                "floorflash.audit.file", dir.resolve("sub/audit.jsonl").toString(),
                "floorflash.audit.max-file-size", "2 MiB",
                "floorflash.audit.total-size-cap", "1 MiB",
                "floorflash.shutdown.drain-time", "-1 s")));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.audit.total-size-cap: 1048576 bytes (expected: at least max-file-size, 2097152 bytes)",
                "floorflash.audit.file: " + dir.resolve("sub/audit.jsonl") + " (expected: outside the firmware root " + dir
                        + ", or anyone could fetch it over TFTP)",
                "floorflash.shutdown.drain-time: PT-1S (expected: PT0S to PT1H)");
    }

    @Test
    void allowsAnAuditFileInsideTheRootWhenTheAuditIsOff() {
        Settings settings = SettingsLoader.load(null, Map.of(
                "floorflash.firmware.root", dir.toString(),
                "floorflash.audit.enabled", false,
                "floorflash.audit.file", dir.resolve("audit.jsonl").toString()));

        assertThat(settings.audit().enabled()).isFalse();
    }

    @Test
    void aHoconFileOverridesTheDefaults() throws IOException {
        Path file = write("floorflash.conf", """
                floorflash {
                  tftp { address = "127.0.0.1", port = 6969, transport = nio }
                  transfer.max-block-size = 512
                  transfer.retransmit.initial-timeout = 500 ms
                  firmware { root = "%s", cache-max-bytes = 64 MiB }
                }
                """.formatted(dir.resolve("fw/../fw")));

        Settings settings = SettingsLoader.load(file, Map.of());

        assertThat(settings.tftp().address()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(settings.tftp().port()).isEqualTo(6969);
        assertThat(settings.tftp().transport()).isEqualTo(TransportKind.NIO);
        assertThat(settings.transfer().maxBlockSize()).isEqualTo(512);
        assertThat(settings.transfer().maxBlockSizeIpv6()).isEqualTo(1448);
        assertThat(settings.transfer().retransmit().initialTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.firmware().root()).isEqualTo(dir.resolve("fw"));
        assertThat(settings.firmware().cacheMaxBytes()).isEqualTo(64L << 20);
    }

    @Test
    void commandLineOverridesWinOverTheFile() throws IOException {
        Path file = write("floorflash.conf", """
                floorflash.tftp.port = 6969
                floorflash.transfer.max-window-size = 8
                """);

        Settings settings = SettingsLoader.load(file, Map.of(
                "floorflash.tftp.port", 1069,
                "floorflash.firmware.root", dir.toString()));

        assertThat(settings.tftp().port()).isEqualTo(1069);
        assertThat(settings.transfer().maxWindowSize()).isEqualTo(8);
        assertThat(settings.firmware().root()).isEqualTo(dir);
    }

    @Test
    void reportsEveryInvalidValueAtOnceOneLinePerKey() throws IOException {
        Path file = write("bad.conf", """
                floorflash {
                  tftp { address = "no.such.host.invalid", port = 70000, transport = kqueue }
                  transfer {
                    max-block-size = 70000
                    max-window-size = 0
                    rollover = sideways
                    retransmit { initial-timeout = 3 seconds, max-timeout = 2 seconds, jitter = 0.9 }
                  }
                }
                """);

        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(file, Map.of()));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.tftp.address: 'no.such.host.invalid' (expected: an IP address or a resolvable host name)",
                "floorflash.tftp.port: 70000 (expected: 0-65535)",
                "floorflash.tftp.transport: 'kqueue' (expected: one of auto, epoll, io-uring, nio)",
                "floorflash.transfer.max-block-size: 70000 (expected: 8-65464)",
                "floorflash.transfer.max-window-size: 0 (expected: 1-65535)",
                "floorflash.transfer.rollover: 'sideways' (expected: one of zero, one, refuse)",
                "floorflash.transfer.retransmit.jitter: 0.9 (expected: 0.0-0.5)",
                "floorflash.transfer.retransmit.max-timeout: PT2S (expected: at least initial-timeout, PT3S)");
        assertThat(failure).hasMessageStartingWith("invalid configuration:\n  ")
                .hasMessageContaining("floorflash.transfer.max-block-size: 70000 (expected: 8-65464)");
    }

    @Test
    void refusesAClientTimeoutCapOfPartSecondsAndAPerAddressCapAboveTheTotal() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.transfer.max-client-timeout", "1500 ms",
                        "floorflash.transfer.max-active-transfers", 100,
                        "floorflash.transfer.max-transfers-per-address", 101)));

        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.transfer.max-client-timeout: PT1.5S (expected: whole seconds, 1 to 255)",
                "floorflash.transfer.max-transfers-per-address: 101 (expected: at most max-active-transfers, 100)");
    }

    @Test
    void aRecordBuiltInCodeChecksItselfWithTheFilesWords() {
        Settings defaults = SettingsLoader.load(null, Map.of());
        RetransmitSettings retransmit = defaults.transfer().retransmit();

        assertThatThrownBy(() -> new RetransmitSettings(Duration.ofSeconds(3), 2.0, Duration.ofSeconds(2), 0.1, 11, true,
                retransmit.minTimeout(), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max-timeout: PT2S (expected: at least initial-timeout, PT3S)");
        assertThatThrownBy(() -> new ListenerSettings(defaults.tftp().address(), 70000, TransportKind.NIO, 1, 0, 1, 0))
                .hasMessage("port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> new AuditSettings(true, dir.resolve("a.jsonl"), 2048, 7, 1024))
                .hasMessage("total-size-cap: 1024 bytes (expected: at least max-file-size, 2048 bytes)");
    }

    @Test
    void refusesAMemoryBudgetBelowTheCache() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.firmware.memory-budget", "512 MiB")));

        assertThat(failure.problems()).containsExactly(
                "floorflash.firmware.memory-budget: 536870912 (expected: at least cache-max-bytes, 1073741824)");
    }

    @Test
    void refusesAnAdaptiveFloorAboveTheInitialTimeout() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.transfer.retransmit.min-timeout", "2 seconds")));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactly(
                "floorflash.transfer.retransmit.min-timeout: PT2S (expected: at most initial-timeout, PT1S)");
    }

    @Test
    void reportsAnOutOfRangeTimeoutOnlyOnce() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.transfer.retransmit.max-timeout", "1 ms")));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactly(
                "floorflash.transfer.retransmit.max-timeout: PT0.001S (expected: PT0.01S to PT4M15S)");
    }

    @ParameterizedTest
    @CsvSource({"single, single", "SHARED, shared", "50000-50999, 50000-50999", "'  7000 - 7000 ', 7000-7000"})
    void readsEachPortMode(String value, String read) {
        assertThat(SettingsLoader.load(null, Map.of("floorflash.transfer.ports", value)).transfer().ports())
                .hasToString(read);
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "0-10", "50999-50000", "60000-70000", "50000-", "69"})
    void refusesANonsensePortMode(String value) {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.transfer.ports", value)));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactly("floorflash.transfer.ports: '" + value
                + "' (expected: shared, single, or a port range such as 50000-50999)");
    }

    @Test
    void reportsAnInvalidRootUnderItsKey() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.firmware.root", "fw\0")));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).singleElement().asString().startsWith("floorflash.firmware.root: ");
    }

    @Test
    void reportsAMissingConfigFileClearly() {
        Path missing = dir.resolve("missing.conf");

        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(missing, Map.of()));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactly("config file " + missing + ": not found");
    }

    @Test
    void reportsAMalformedConfigFile() throws IOException {
        Path file = write("broken.conf", "floorflash { tftp { port = 69 }\n");

        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(file, Map.of()));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).singleElement().asString().contains("broken.conf");
    }

    @Test
    void refusesUnknownKeysUnderFloorflashNamingTheNearestKnownOne() throws IOException {
        Path file = write("extra.conf", """
                floorflash.transfer.prots = single
                floorflash.transfer.retransmit.max-retry = 3
                floorflash.tftp.colour = blue
                floorflash.htpp { port = 8080 }
                someone-else.setting = 1
                """);

        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(file, Map.of("floorflash.firmware.cache-max-byte", "1 GiB")));

        assertThat(failure).isNotNull();
        assertThat(failure.problems()).containsExactlyInAnyOrder(
                "floorflash.transfer.prots: unknown key (did you mean 'ports'?)",
                "floorflash.transfer.retransmit.max-retry: unknown key (did you mean 'max-retries'?)",
                "floorflash.tftp.colour: unknown key (expected one of: address, event-loop-threads,"
                        + " max-requests-per-second, port, receive-buffer, sockets, transport)",
                "floorflash.htpp: unknown key (did you mean 'http'?)",
                "floorflash.firmware.cache-max-byte: unknown key (did you mean 'cache-max-bytes'?)");
    }

    @Test
    void leavesKeysOutsideFloorflashToOthers() throws IOException {
        Path file = write("shared.conf", """
                someone-else { setting = 1, floorflash = 2 }
                akka.loglevel = DEBUG
                """);

        assertThat(SettingsLoader.load(file, Map.of()).tftp().port()).isEqualTo(69);
    }

    @Test
    void systemPropertiesAreNeitherSettingsNorUnknownKeys() {
        // Failsafe passes -Dfloorflash.jar=...; typesafe-config's defaultReference() would make both keys of the tree.
        System.setProperty("floorflash.jar", "target/floorflash.jar");
        System.setProperty("floorflash.tftp.port", "1069");
        try {
            ConfigFactory.invalidateCaches();
            assertThat(SettingsLoader.load(null, Map.of()).tftp().port()).isEqualTo(69);
        } finally {
            System.clearProperty("floorflash.jar");
            System.clearProperty("floorflash.tftp.port");
            ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void referenceConfDocumentsEveryKey() throws IOException {
        List<String> lines;
        try (InputStream in = Objects.requireNonNull(
                SettingsLoader.class.getClassLoader().getResourceAsStream("reference.conf"), "reference.conf")) {
            lines = new String(in.readAllBytes(), UTF_8).lines().toList();
        }
        Pattern assignment = Pattern.compile("^\\s*([A-Za-z0-9_-]+)\\s*(=|:)");
        List<String> keys = new ArrayList<>();
        List<String> undocumented = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = assignment.matcher(lines.get(i));
            if (m.find()) {
                keys.add(m.group(1));
                if (i == 0 || !lines.get(i - 1).strip().startsWith("#")) {
                    undocumented.add(m.group(1) + " (line " + (i + 1) + ")");
                }
            }
        }

        assertThat(undocumented).as("keys without a comment line right above them").isEmpty();
        int parsedKeys = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf")
                .getConfig("floorflash").entrySet().size();
        assertThat(keys).as("every key of reference.conf is written as 'key = value' on its own line")
                .hasSize(parsedKeys);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, UTF_8);
    }
}

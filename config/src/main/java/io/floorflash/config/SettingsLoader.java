package io.floorflash.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link Settings} from HOCON: command-line overrides, then an optional file, then {@code reference.conf}.
 * Every key is read and checked here, and every problem is reported at once in one {@link SettingsException}.
 */
public final class SettingsLoader {
    private static final String ROOT = "floorflash.";
    private static final int MAX_NAME_LENGTH = 64;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern PORT_RANGE = Pattern.compile("(\\d{1,5})\\s*-\\s*(\\d{1,5})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    /** A DNS name (labels of letters, digits and inner hyphens), a dotted quad or a bracketed IPv6 address; a port. */
    private static final Pattern HOST_AND_PORT = Pattern.compile(
            "((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?");

    private final Config config;
    private final List<String> problems = new ArrayList<>();
    /** The {@code floorflash} section, for the records that read themselves ({@code ShutdownSettings.read}). */
    private final ConfigReader floorflash;

    private SettingsLoader(Config config) {
        this.config = config;
        this.floorflash = new ConfigReader(config.hasPath("floorflash") ? config.getConfig("floorflash")
                : com.typesafe.config.ConfigFactory.empty(), "floorflash", problems);
    }

    /**
     * Reads {@code file} (when not null) over the reference defaults, with {@code overrides} (full key paths such as
     * {@code floorflash.tftp.port}) winning over both.
     *
     * @throws SettingsException when the file cannot be parsed or any value is invalid
     */
    public static Settings load(Path file, Map<String, ?> overrides) {
        if (file != null && !Files.exists(file)) {
            throw new SettingsException(List.of("config file " + file + ": not found"));
        }
        Config merged;
        try {
            Config fromFile = file == null
                    ? ConfigFactory.empty()
                    : ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            merged = ConfigFactory.parseMap(overrides, "command line")
                    .withFallback(fromFile)
                    .withFallback(ConfigFactory.defaultReference(SettingsLoader.class.getClassLoader()))
                    .resolve();
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
        return load(merged);
    }

    /** Builds settings from an already merged and resolved configuration. */
    public static Settings load(Config config) {
        SettingsLoader loader = new SettingsLoader(config);
        Settings settings = loader.build();
        if (!loader.problems.isEmpty()) {
            throw new SettingsException(loader.problems);
        }
        return settings;
    }

    private Settings build() {
        ListenerSettings tftp = new ListenerSettings(
                read("tftp.address", this::address, null),
                intIn("tftp.port", 0, 65535, 69),
                read("tftp.transport", k -> enumValue(k, ListenerSettings.TransportKind.class), ListenerSettings.TransportKind.AUTO),
                intIn("tftp.event-loop-threads", 0, 1024, 0),
                (int) bytesIn("tftp.receive-buffer", 0, Integer.MAX_VALUE, 0),
                intIn("tftp.sockets", 1, 64, 1),
                intIn("tftp.max-requests-per-second", 0, 10_000_000, 0));
        if (tftp.maxRequestsPerSecond() > 0 && tftp.maxRequestsPerSecond() < 100 * tftp.sockets()) {
            problems.add(ROOT + "tftp.max-requests-per-second: " + tftp.maxRequestsPerSecond() + " (expected: 0, or at"
                    + " least 100 per listening socket, " + 100 * tftp.sockets() + ")");
        }
        RetransmitSettings retransmit = new RetransmitSettings(
                durationIn("transfer.retransmit.initial-timeout", Duration.ofMillis(10), Duration.ofSeconds(255)),
                doubleIn("transfer.retransmit.backoff", 1.0, 10.0),
                durationIn("transfer.retransmit.max-timeout", Duration.ofMillis(10), Duration.ofSeconds(255)),
                doubleIn("transfer.retransmit.jitter", 0.0, 0.5),
                intIn("transfer.retransmit.max-retries", 0, 100, 0),
                read("transfer.retransmit.adaptive", config::getBoolean, false),
                durationIn("transfer.retransmit.min-timeout", Duration.ofMillis(1), Duration.ofSeconds(255)),
                intIn("transfer.retransmit.max-unverified-retries", 0, 100, 0));
        if (retransmit.initialTimeout() != null && retransmit.maxTimeout() != null
                && retransmit.maxTimeout().compareTo(retransmit.initialTimeout()) < 0) {
            problems.add(ROOT + "transfer.retransmit.max-timeout: " + retransmit.maxTimeout()
                    + " (expected: at least initial-timeout, " + retransmit.initialTimeout() + ")");
        }
        if (retransmit.initialTimeout() != null && retransmit.minTimeout() != null
                && retransmit.minTimeout().compareTo(retransmit.initialTimeout()) > 0) {
            problems.add(ROOT + "transfer.retransmit.min-timeout: " + retransmit.minTimeout()
                    + " (expected: at most initial-timeout, " + retransmit.initialTimeout() + ")");
        }
        TransferSettings transfer = new TransferSettings(
                intIn("transfer.max-block-size", 8, 65464, 512),
                intIn("transfer.max-block-size-ipv6", 8, 65464, 512),
                intIn("transfer.max-window-size", 1, 65535, 1),
                read("transfer.rollover", k -> enumValue(k, TransferSettings.RolloverSetting.class),
                        TransferSettings.RolloverSetting.ZERO),
                intIn("transfer.max-active-transfers", 1, 1_000_000, 1),
                durationIn("transfer.deadline", Duration.ofSeconds(1), Duration.ofDays(1)),
                retransmit,
                read("transfer.udp-gso", config::getBoolean, false),
                read("transfer.ports", this::transferPorts, TransferPortMode.SHARED),
                intIn("transfer.unknown-transfer-replies-per-second", 0, 1_000_000, 0),
                intIn("transfer.sockets-per-loop", 1, 64, 1),
                intIn("transfer.max-transfers-per-address", 1, 1_000_000, 1),
                wholeSeconds("transfer.max-client-timeout", 1, 255));
        if (transfer.maxTransfersPerAddress() > transfer.maxActiveTransfers()) {
            problems.add(ROOT + "transfer.max-transfers-per-address: " + transfer.maxTransfersPerAddress()
                    + " (expected: at most max-active-transfers, " + transfer.maxActiveTransfers() + ")");
        }
        FirmwareSettings firmware = new FirmwareSettings(
                read("firmware.root", k -> Path.of(config.getString(k)).toAbsolutePath().normalize(), null),
                bytesIn("firmware.cache-max-bytes", 1, Long.MAX_VALUE, 1),
                durationIn("firmware.cache-idle-expiry", Duration.ofSeconds(1), Duration.ofDays(365)),
                intIn("firmware.load-threads", 1, 64, 1),
                durationIn("firmware.load-timeout", Duration.ofMillis(100), Duration.ofHours(1)),
                bytesIn("firmware.memory-budget", 1, Long.MAX_VALUE, 1),
                read("firmware.require-checksums", this::bool, false));
        if (firmware.memoryBudget() < firmware.cacheMaxBytes()) {
            problems.add(ROOT + "firmware.memory-budget: " + firmware.memoryBudget()
                    + " (expected: at least cache-max-bytes, " + firmware.cacheMaxBytes() + ")");
        }
        int maxPhones = intIn("http.floor.max-phones", 1, 1_000_000, 1);
        FloorSettings floor = new FloorSettings(
                maxPhones,
                durationIn("http.floor.throughput-history", Duration.ofSeconds(10), Duration.ofHours(24)),
                roster("http.floor.roster", maxPhones));
        FirmwareHttpSettings firmwareHttp = new FirmwareHttpSettings(
                read("http.firmware.enabled", this::bool, false),
                read("http.firmware.address", this::address, null),
                intIn("http.firmware.port", 0, 65535, 0),
                intIn("http.firmware.max-connections", 1, 100_000, 1));
        HttpSettings http = new HttpSettings(
                read("http.enabled", this::bool, false),
                read("http.address", this::address, null),
                intIn("http.port", 0, 65535, 0),
                read("http.token-file", this::optionalPath, Optional.empty()),
                read("http.allowed-hosts", this::allowedHosts, List.of()),
                intIn("http.max-connections", 1, 100_000, 1),
                durationIn("http.header-timeout", Duration.ofMillis(100), Duration.ofHours(1)),
                (int) bytesIn("http.max-request-bytes", 0, 1024 * 1024, 0),
                durationIn("http.idle-timeout", Duration.ofSeconds(1), Duration.ofHours(1)),
                firmwareHttp,
                floor);
        if (http.enabled() && firmwareHttp.enabled() && http.port() != 0 && http.port() == firmwareHttp.port()
                && overlap(http.address(), firmwareHttp.address())) {
            problems.add(ROOT + "http.firmware.port: " + firmwareHttp.port() + " (expected: another port than the operator"
                    + " side's, floorflash.http.port, on the same address)");
        }

        AuditSettings audit = new AuditSettings(
                read("audit.enabled", config::getBoolean, false),
                read("audit.file", k -> Path.of(config.getString(k)).toAbsolutePath().normalize(), null),
                bytesIn("audit.max-file-size", 1024, Long.MAX_VALUE, 1024),
                intIn("audit.max-history", 1, 3650, 1),
                bytesIn("audit.total-size-cap", 1024, Long.MAX_VALUE, Long.MAX_VALUE));
        if (audit.totalSizeCap() < audit.maxFileSize()) {
            problems.add(ROOT + "audit.total-size-cap: " + audit.totalSizeCap() + " bytes (expected: at least max-file-size, "
                    + audit.maxFileSize() + " bytes)");
        }
        if (audit.enabled() && audit.file() != null && firmware.root() != null && audit.file().startsWith(firmware.root())) {
            problems.add(ROOT + "audit.file: " + audit.file() + " (expected: outside the firmware root " + firmware.root()
                    + ", or anyone could fetch it over TFTP)");
        }
        ShutdownSettings shutdown = ShutdownSettings.read(floorflash.at("shutdown"));
        UploadSettings uploads = UploadSettings.read(floorflash.at("uploads"));
        if (uploads != null && uploads.enabled() && firmware.root() != null && UploadSettings.nested(uploads.root(), firmware.root())) {
            problems.add(ROOT + "uploads.root: " + uploads.root() + " (expected: outside the firmware root "
                    + firmware.root() + " and not containing it, or phones could fetch what others uploaded)");
        }
        ProvisioningSettings provisioning = ProvisioningSettings.read(floorflash, floor.roster(), firmware.root());
        ReloadSettings reload = ReloadSettings.read(floorflash.at("reload"));
        HookSettings hooks = HookSettings.read(floorflash.at("hooks"));
        OriginSettings origin = OriginSettings.read(floorflash.at("firmware"));
        if (origin != null && origin.enabled() && firmware.root() != null && origin.cacheDir().startsWith(firmware.root())) {
            problems.add(ROOT + "firmware.cache-dir: " + origin.cacheDir() + " (expected: outside the firmware root "
                    + firmware.root() + ", or its files would be served under names of their own)");
        }
        if (!problems.isEmpty()) {
            return null; // load() reports them; a record skipped for its problems is null
        }
        return new Settings(tftp, transfer, firmware, http, audit, shutdown, uploads, provisioning, reload,
                hooks, origin);
    }

    /** The roster: a list of {@code { address = "10.0.5.0/24", name = "Floor 5" }}, at most {@code maxEntries}. */
    private List<RosterEntry> roster(String key, int maxEntries) {
        String path = ROOT + key;
        List<? extends Config> items = read(key, config::getConfigList, List.of());
        if (items.size() > maxEntries) {
            problems.add(path + ": " + items.size() + " entries (expected: at most max-phones, " + maxEntries + ")");
            return List.of();
        }
        List<RosterEntry> roster = new ArrayList<>();
        Map<InetAddress, Integer> singles = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String at = path + "[" + i + "]";
            Config item = items.get(i);
            for (String unknown : item.root().keySet()) {
                if (!unknown.equals("address") && !unknown.equals("name")) {
                    problems.add(at + "." + unknown + ": unknown key (expected: address, name)");
                }
            }
            RosterEntry entry = rosterEntry(at, item);
            if (entry == null) {
                continue;
            }
            if (entry.isSingleAddress()) {
                Integer before = singles.putIfAbsent(entry.network(), i);
                if (before != null) {
                    problems.add(at + ".address: " + entry.network().getHostAddress() + " is listed twice (also "
                            + path + "[" + before + "])");
                    continue;
                }
            }
            roster.add(entry);
        }
        return roster;
    }

    private RosterEntry rosterEntry(String at, Config item) {
        String name = "";
        if (item.hasPath("name")) {
            try {
                name = item.getString("name").strip();
            } catch (ConfigException e) {
                problems.add(at + ".name: " + e.getMessage().replaceFirst("^.*?: ", ""));
                return null;
            }
            if (name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
                problems.add(at + ".name: '" + name.replaceAll("\\p{Cntrl}", "?") + "' (expected: at most "
                        + MAX_NAME_LENGTH + " characters, no control characters)");
                return null;
            }
        }
        if (!item.hasPath("address")) {
            problems.add(at + ".address: missing (expected: an IP address such as 10.0.5.17 or a network such as 10.0.5.0/24)");
            return null;
        }
        String raw;
        try {
            raw = item.getString("address").strip();
        } catch (ConfigException e) {
            problems.add(at + ".address: " + e.getMessage().replaceFirst("^.*?: ", ""));
            return null;
        }
        String expected = " (expected: an IP address such as 10.0.5.17 or a network such as 10.0.5.0/24)";
        int slash = raw.indexOf('/');
        InetAddress address = ipLiteral(slash < 0 ? raw : raw.substring(0, slash));
        if (address == null) {
            problems.add(at + ".address: '" + raw + "'" + expected);
            return null;
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = raw.substring(slash + 1);
            prefix = digits.matches("\\d{1,3}") ? Integer.parseInt(digits) : -1;
            if (prefix < 0 || prefix > bits) {
                problems.add(at + ".address: '" + raw + "' (expected: a prefix length of 0-" + bits + " after the /)");
                return null;
            }
        }
        byte[] network = address.getAddress();
        for (int bit = prefix; bit < bits; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return new RosterEntry(InetAddress.getByAddress(network), prefix, name);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address was refused", e);
        }
    }

    /** {@code raw} as an IPv4 or IPv6 literal (never a DNS lookup), or null. */
    private static InetAddress ipLiteral(String raw) {
        boolean ipv4 = IPV4.matcher(raw).matches();
        boolean ipv6 = raw.indexOf(':') >= 0 && IPV6_CHARS.matcher(raw).matches();
        if (ipv4) {
            for (String part : raw.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(raw);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private <T> T read(String key, Function<String, T> reader, T fallback) {
        String path = ROOT + key;
        try {
            return reader.apply(path);
        } catch (ConfigException e) {
            problems.add(path + ": " + e.getMessage().replaceFirst("^.*?: ", ""));
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            problems.add(message.startsWith(path + ": ") ? message : path + ": " + message);
        }
        return fallback;
    }

    private int intIn(String key, int min, int max, int fallback) {
        return read(key, path -> {
            int value = config.getInt(path);
            if (value < min || value > max) {
                throw new IllegalArgumentException(path + ": " + value + " (expected: " + min + "-" + max + ")");
            }
            return value;
        }, fallback);
    }

    private long bytesIn(String key, long min, long max, long fallback) {
        return read(key, path -> {
            long value = config.getBytes(path);
            if (value < min || value > max) {
                throw new IllegalArgumentException(path + ": " + value + " bytes (expected: " + min + "-" + max + ")");
            }
            return value;
        }, fallback);
    }

    private double doubleIn(String key, double min, double max) {
        return read(key, path -> {
            double value = config.getDouble(path);
            if (!(value >= min && value <= max)) {
                throw new IllegalArgumentException(path + ": " + value + " (expected: " + min + "-" + max + ")");
            }
            return value;
        }, min);
    }

    private Duration durationIn(String key, Duration min, Duration max) {
        return read(key, path -> {
            Duration value = config.getDuration(path);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(path + ": " + value + " (expected: " + min + " to " + max + ")");
            }
            return value;
        }, null);
    }

    /** A duration of whole seconds within {@code [min, max]} seconds (a TFTP option counts in seconds). */
    private Duration wholeSeconds(String key, int min, int max) {
        return read(key, path -> {
            Duration value = config.getDuration(path);
            if (value.toNanos() % 1_000_000_000L != 0 || value.getSeconds() < min || value.getSeconds() > max) {
                throw new IllegalArgumentException(path + ": " + value + " (expected: whole seconds, " + min + " to "
                        + max + ")");
            }
            return value;
        }, null);
    }

    private boolean bool(String path) {
        try {
            return config.getBoolean(path);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(path + ": '" + config.getValue(path).unwrapped() + "' (expected: true or false)");
        }
    }

    private <E extends Enum<E>> E enumValue(String path, Class<E> type) {
        String raw = config.getString(path);
        try {
            return Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new IllegalArgumentException(path + ": '" + raw + "' (expected: one of " + String.join(", ", names) + ")");
        }
    }

    private TransferPortMode transferPorts(String path) {
        String raw = config.getString(path).trim();
        switch (raw.toLowerCase(Locale.ROOT)) {
            case "shared":
                return TransferPortMode.SHARED;
            case "single":
                return TransferPortMode.SINGLE;
            default:
                break;
        }
        Matcher range = PORT_RANGE.matcher(raw);
        if (range.matches()) {
            int first = Integer.parseInt(range.group(1));
            int last = Integer.parseInt(range.group(2));
            if (first >= 1 && last <= 65535 && first <= last) {
                return TransferPortMode.range(first, last);
            }
        }
        throw new IllegalArgumentException(path + ": '" + raw + "' (expected: shared, single, or a port range such as 50000-50999)");
    }

    /** A path, or empty for {@code ""}. */
    private Optional<Path> optionalPath(String path) {
        String raw = config.getString(path).strip();
        return raw.isEmpty() ? Optional.empty() : Optional.of(Path.of(raw).toAbsolutePath().normalize());
    }

    /** Host names, IPv4 addresses or bracketed IPv6 addresses, each optionally with {@code :port}; no DNS lookups. */
    private List<AllowedHost> allowedHosts(String path) {
        List<String> raw = config.getStringList(path);
        List<AllowedHost> hosts = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String entry = raw.get(i).strip();
            Matcher m = HOST_AND_PORT.matcher(entry);
            boolean valid = m.matches();
            String host = valid ? m.group(1) : "";
            int port = valid && m.group(2) != null ? Integer.parseInt(m.group(2)) : 0;
            if (valid && host.startsWith("[")) {
                InetAddress literal = ipLiteral(host.substring(1, host.length() - 1));
                valid = literal instanceof Inet6Address;
            } else if (valid && IPV4.matcher(host).matches()) {
                valid = ipLiteral(host) != null;
            }
            if (!valid || port > 65535 || (m.group(2) != null && port == 0)) {
                problems.add(path + "[" + i + "]: '" + entry + "' (expected: a host name, an IPv4 address or an IPv6"
                        + " address in brackets, optionally with :port, such as floor.example.com or 10.0.0.5:8069)");
                continue;
            }
            hosts.add(new AllowedHost(host, port));
        }
        return hosts;
    }

    /** Whether two bind addresses share a port space: the same address, or either one the wildcard. */
    private static boolean overlap(InetAddress a, InetAddress b) {
        return a != null && b != null && (a.equals(b) || a.isAnyLocalAddress() || b.isAnyLocalAddress());
    }

    private InetAddress address(String path) {
        String raw = config.getString(path);
        try {
            return InetAddress.getByName(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(path + ": '" + raw + "' (expected: an IP address or a resolvable host name)");
        }
    }
}

package io.floorflash.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds {@link Settings} from HOCON: command-line overrides, then an optional file, then {@code reference.conf}.
 * Every key is read and checked here, and every problem is reported at once in one {@link SettingsException}.
 */
public final class SettingsLoader {
    private static final String ROOT = "floorflash.";

    private final Config config;
    private final List<String> problems = new ArrayList<>();

    private SettingsLoader(Config config) {
        this.config = config;
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
                (int) bytesIn("tftp.receive-buffer", 0, Integer.MAX_VALUE, 0));
        RetransmitSettings retransmit = new RetransmitSettings(
                durationIn("transfer.retransmit.initial-timeout", Duration.ofMillis(10), Duration.ofSeconds(255)),
                doubleIn("transfer.retransmit.backoff", 1.0, 10.0),
                durationIn("transfer.retransmit.max-timeout", Duration.ofMillis(10), Duration.ofSeconds(255)),
                doubleIn("transfer.retransmit.jitter", 0.0, 0.5),
                intIn("transfer.retransmit.max-retries", 0, 100, 0),
                read("transfer.retransmit.adaptive", config::getBoolean, false),
                durationIn("transfer.retransmit.min-timeout", Duration.ofMillis(1), Duration.ofSeconds(255)));
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
                retransmit);
        FirmwareSettings firmware = new FirmwareSettings(
                read("firmware.root", k -> Path.of(config.getString(k)).toAbsolutePath().normalize(), null),
                bytesIn("firmware.cache-max-bytes", 1, Long.MAX_VALUE, 1),
                durationIn("firmware.cache-idle-expiry", Duration.ofSeconds(1), Duration.ofDays(365)),
                intIn("firmware.load-threads", 1, 64, 1));
        return new Settings(tftp, transfer, firmware);
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

    private InetAddress address(String path) {
        String raw = config.getString(path);
        try {
            return InetAddress.getByName(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(path + ": '" + raw + "' (expected: an IP address or a resolvable host name)");
        }
    }
}

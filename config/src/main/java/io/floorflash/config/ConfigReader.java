package io.floorflash.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one section of the configuration ({@code floorflash.firmware}, or one entry of a list such as
 * {@code floorflash.rules[2]}) for a settings record's own reader, collecting every problem instead of stopping at the
 * first. Each typed read returns a neutral value when it fails (0, null, false, empty), so a reader reads every key of
 * its section and then builds its record with {@link #build}, which skips a section with problems; {@link
 * SettingsLoader} throws one {@link SettingsException} with every problem before any record is used.
 *
 * <pre>{@code
 * static ShutdownSettings read(ConfigReader in) {
 *     Duration drainTime = in.durationIn("drain-time", Duration.ZERO, Duration.ofHours(1));
 *     return in.build(() -> new ShutdownSettings(drainTime));
 * }
 * }</pre>
 *
 * <p>Problems read "full.key: value (expected: ...)", the key named as the operator wrote it.
 */
public final class ConfigReader {
    /** A record's problem naming one of its keys: "max-timeout: PT2S (expected: ...)", "roster[2].name: ...". */
    private static final Pattern KEYED = Pattern.compile("([a-z][a-z0-9-]*(?:\\[\\d+])?(?:\\.[a-z][a-z0-9-]*)*): (.*)",
            Pattern.DOTALL);

    private final Config config;
    /** The section's full name, such as {@code floorflash.firmware} or {@code floorflash.rules[2]}. */
    private final String name;
    private final List<String> problems;
    /** The reader of the enclosing section, told of this section's problems too; null for the outermost. */
    private final ConfigReader parent;
    /** Problems of this section and the sections and entries read below it. */
    private int problemCount;
    /** The keys of this section a problem was recorded for, so a check across them can be skipped. */
    private final Set<String> failedKeys = new HashSet<>();

    ConfigReader(Config config, String name, List<String> problems) {
        this(config, name, problems, null);
    }

    private ConfigReader(Config config, String name, List<String> problems, ConfigReader parent) {
        this.config = config;
        this.name = name;
        this.problems = problems;
        this.parent = parent;
    }

    /** A reader of {@code config} alone, named {@code name}, with its own list of problems (tests, tools). */
    public static ConfigReader of(Config config, String name) {
        return new ConfigReader(config, name, new ArrayList<>());
    }

    /** The section below {@code key}, sharing this reader's problems (an empty one when it is missing). */
    public ConfigReader at(String key) {
        Config section;
        try {
            section = config.hasPath(key) ? config.getConfig(key) : ConfigFactory.empty();
        } catch (ConfigException e) {
            problem(key, message(e));
            section = ConfigFactory.empty();
        }
        return new ConfigReader(section, fullName(key), problems, this);
    }

    /** The entries of the list of objects at {@code key}, each a reader named {@code key[i]}; empty when missing. */
    public List<ConfigReader> items(String key) {
        List<? extends Config> items = read(key, config::getConfigList, List.of());
        List<ConfigReader> readers = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            readers.add(new ConfigReader(items.get(i), fullName(key) + "[" + i + "]", problems, this));
        }
        return readers;
    }

    /** The full name of {@code key} in this section, as problems name it. */
    public String fullName(String key) {
        return name.isEmpty() ? key : name + "." + key;
    }

    /** This section's full name. */
    public String name() {
        return name;
    }

    /**
     * A reader of the same section whose problems are its own and then forgotten: for a check across sections that
     * needs a value as written even when its section had other problems (already reported by its own reader).
     */
    public ConfigReader quiet() {
        return new ConfigReader(config, name, new ArrayList<>());
    }

    /** Records a problem with {@code key}: {@code text} is "value (expected: ...)". */
    public void problem(String key, String text) {
        failedKeys.add(key);
        add(fullName(key) + ": " + text);
    }

    /** Records a problem with this section as a whole (a list entry with two actions, say). */
    public void problem(String text) {
        add(name + ": " + text);
    }

    private void add(String problem) {
        problems.add(problem);
        for (ConfigReader section = this; section != null; section = section.parent) {
            section.problemCount++;
        }
    }

    /** Every problem recorded so far, by this reader and the others sharing its list. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * The section's record, built by {@code record} only when reading the section found no problem, or null. The
     * record's own check (an {@link IllegalArgumentException} from its constructor, "what: value (expected: ...)")
     * becomes a problem of this section too.
     */
    public <T> T build(Supplier<T> record) {
        if (problemCount > 0) {
            return null;
        }
        try {
            return record.get();
        } catch (IllegalArgumentException e) {
            recordCheck(e);
            return null;
        }
    }

    /**
     * Runs a check across {@code keys} of this section (one of the record's own invariants, which throws "key: value
     * (expected: ...)") only when none of them had a problem of its own, and records its failure under its key. A
     * reader runs its record's invariants this way so that they are reported together with every other problem, not
     * only when the whole section reads cleanly.
     */
    public void check(Runnable invariant, String... keys) {
        for (String key : keys) {
            if (failedKeys.contains(key)) {
                return;
            }
        }
        try {
            invariant.run();
        } catch (IllegalArgumentException e) {
            recordCheck(e);
        }
    }

    /** A record's "key: value (expected: ...)" as a problem of that key in this section. */
    private void recordCheck(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        Matcher keyed = KEYED.matcher(message);
        if (keyed.matches()) {
            problem(keyed.group(1), keyed.group(2));
        } else {
            problem(message);
        }
    }

    /** Whether {@code key} is set (and not null). */
    public boolean has(String key) {
        return config.hasPath(key);
    }

    /** Records every key of this section outside {@code known}, naming the nearest known one. */
    public void onlyKeys(Set<String> known) {
        for (String key : new TreeSet<>(config.root().keySet())) {
            if (!known.contains(key)) {
                problem(key, "unknown key" + KeyNames.suggestion(key, known));
            }
        }
    }

    /**
     * {@code key} read by {@code reader}, which gets this section's config and the key; a {@link ConfigException} or
     * an {@link IllegalArgumentException} (whose message is "value (expected: ...)") becomes a problem and
     * {@code fallback} is returned.
     */
    public <T> T read(String key, Function<String, T> reader, T fallback) {
        try {
            return reader.apply(key);
        } catch (ConfigException e) {
            problem(key, message(e));
        } catch (IllegalArgumentException e) {
            problem(key, String.valueOf(e.getMessage()));
        }
        return fallback;
    }

    /** The section's own {@link Config}, for a reader that needs more than the typed reads here. */
    public Config config() {
        return config;
    }

    public String string(String key) {
        return read(key, config::getString, "");
    }

    public List<String> strings(String key) {
        return read(key, config::getStringList, List.of());
    }

    public boolean bool(String key) {
        return read(key, k -> {
            try {
                return config.getBoolean(k);
            } catch (ConfigException.WrongType e) {
                throw new IllegalArgumentException("'" + config.getValue(k).unwrapped() + "' (expected: true or false)");
            }
        }, false);
    }

    public int intIn(String key, int min, int max) {
        return read(key, k -> {
            int value = config.getInt(k);
            if (value < min || value > max) {
                throw new IllegalArgumentException(value + " (expected: " + min + "-" + max + ")");
            }
            return value;
        }, 0);
    }

    /** A size ({@code 1 GiB}, {@code 512 KiB}, a plain number of bytes) within {@code [min, max]} bytes. */
    public long bytesIn(String key, long min, long max) {
        return read(key, k -> {
            long value = config.getBytes(k);
            if (value < min || value > max) {
                throw new IllegalArgumentException(value + " bytes (expected: " + min + "-" + max + ")");
            }
            return value;
        }, 0L);
    }

    public double doubleIn(String key, double min, double max) {
        return read(key, k -> {
            double value = config.getDouble(k);
            if (!(value >= min && value <= max)) {
                throw new IllegalArgumentException(value + " (expected: " + min + "-" + max + ")");
            }
            return value;
        }, 0.0);
    }

    public Duration durationIn(String key, Duration min, Duration max) {
        return read(key, k -> {
            Duration value = config.getDuration(k);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(value + " (expected: " + min + " to " + max + ")");
            }
            return value;
        }, null);
    }

    /** A duration of whole seconds within {@code [min, max]} seconds (a TFTP option counts in seconds). */
    public Duration wholeSeconds(String key, int min, int max) {
        return read(key, k -> {
            Duration value = config.getDuration(k);
            if (value.toNanos() % 1_000_000_000L != 0 || value.getSeconds() < min || value.getSeconds() > max) {
                throw new IllegalArgumentException(value + " (expected: whole seconds, " + min + " to " + max + ")");
            }
            return value;
        }, null);
    }

    /** An enum constant, written in lower case with hyphens ({@code io-uring} for {@code IO_URING}). */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        return read(key, k -> {
            String raw = config.getString(k);
            try {
                return Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                List<String> names = new ArrayList<>();
                for (E constant : type.getEnumConstants()) {
                    names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
                }
                throw new IllegalArgumentException("'" + raw + "' (expected: one of " + String.join(", ", names) + ")");
            }
        }, null);
    }

    /** A path made absolute (from the working directory) and normalised. */
    public Path file(String key) {
        return read(key, k -> Path.of(config.getString(k)).toAbsolutePath().normalize(), null);
    }

    /** A path made absolute and normalised, or empty for {@code ""}. */
    public Optional<Path> optionalPath(String key) {
        return read(key, k -> {
            String raw = config.getString(k).strip();
            return raw.isEmpty() ? Optional.<Path>empty() : Optional.of(Path.of(raw).toAbsolutePath().normalize());
        }, Optional.empty());
    }

    /** An IP address, or a host name resolved now (at start or reload, never on an event loop). */
    public InetAddress address(String key) {
        return read(key, k -> {
            String raw = config.getString(k);
            try {
                return InetAddress.getByName(raw);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + raw + "' (expected: an IP address or a resolvable host name)");
            }
        }, null);
    }

    private static String message(ConfigException e) {
        return String.valueOf(e.getMessage()).replaceFirst("^.*?: ", "");
    }
}

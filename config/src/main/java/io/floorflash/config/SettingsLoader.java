package io.floorflash.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds {@link Settings} from HOCON: command-line overrides, then an optional file, then {@code reference.conf}.
 * Each section is read by its record's own reader; this class only merges the sources, refuses keys reference.conf
 * does not know, hands each section to its reader, runs the checks that span sections, and reports every problem at
 * once in one {@link SettingsException}.
 */
public final class SettingsLoader {
    private final List<String> problems = new ArrayList<>();
    /** The {@code floorflash} section, which every record's reader gets a part of. */
    private final ConfigReader floorflash;

    /** Every key floorflash knows, with its default: the {@code floorflash} section of the reference.conf files. */
    private final ConfigObject known;

    private SettingsLoader(Config config) {
        ConfigReader outermost = new ConfigReader(config, "", problems);
        this.floorflash = outermost.at("floorflash");
        Config reference = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf");
        this.known = reference.hasPath("floorflash") ? reference.getObject("floorflash") : ConfigFactory.empty().root();
        if (config.hasPath("floorflash") && config.getValue("floorflash").valueType() == ConfigValueType.OBJECT) {
            onlyKnownKeys(config.getObject("floorflash"), known, "floorflash");
        }
    }

    /**
     * Reads {@code file} (when not null) over the reference defaults, with {@code overrides} winning over both.
     *
     * @throws SettingsException when the file cannot be parsed or any value is invalid
     */
    public static Settings load(Path file, Overrides overrides) {
        return load(file, overrides.toConfigMap());
    }

    /** reference.conf with {@code overrides}: what tests and tools start from. */
    public static Settings load(Overrides overrides) {
        return load(null, overrides);
    }

    /**
     * {@code hocon}, a configuration file's text, over the reference defaults, with {@code overrides} winning: for
     * tests and tools that write their configuration inline (rules and groups have no {@link Key}).
     */
    public static Settings parse(String hocon, Overrides overrides) {
        Config text;
        try {
            text = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("inline"));
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
        return load(text, overrides.toConfigMap());
    }

    /** The same with overrides by full key path ({@code floorflash.tftp.port}): this package's tests only. */
    static Settings load(Path file, Map<String, ?> overrides) {
        if (file != null && !Files.exists(file)) {
            throw new SettingsException(List.of("config file " + file + ": not found"));
        }
        Config fromFile;
        try {
            fromFile = file == null
                    ? ConfigFactory.empty()
                    : ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
        return load(fromFile, overrides);
    }

    /** {@code fromFile} under {@code overrides}, over reference.conf. */
    private static Settings load(Config fromFile, Map<String, ?> overrides) {
        Config merged;
        try {
            merged = ConfigFactory.parseMap(overrides, "command line")
                    .withFallback(fromFile)
                    // reference.conf itself, not defaultReference(), which lays the JVM's system properties over it:
                    // -Dfloorflash.jar=... (the ITs' own) would be a key, and a setting would hide outside every file.
                    .withFallback(ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf"))
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
            // A section's reader and the walk over unknown keys may both name one key: each problem once.
            throw new SettingsException(loader.problems.stream().distinct().toList());
        }
        return settings;
    }

    private Settings build() {
        ListenerSettings tftp = ListenerSettings.read(floorflash.at("tftp"));
        TransferSettings transfer = TransferSettings.read(floorflash.at("transfer"));
        FirmwareSettings firmware = FirmwareSettings.read(floorflash.at("firmware"));
        HttpSettings http = HttpSettings.read(floorflash.at("http"));
        AuditSettings audit = AuditSettings.read(floorflash.at("audit"));
        ShutdownSettings shutdown = ShutdownSettings.read(floorflash.at("shutdown"));
        UploadSettings uploads = UploadSettings.read(floorflash.at("uploads"));
        // Roster names in rules and groups are checked against the roster when it read well (else its problems stand).
        ProvisioningSettings provisioning = ProvisioningSettings.read(floorflash,
                http == null ? null : http.floor().roster(), firmware == null ? null : firmware.root());
        ReloadSettings reload = ReloadSettings.read(floorflash.at("reload"));
        HookSettings hooks = HookSettings.read(floorflash.at("hooks"));
        NodeSettings node = NodeSettings.read(floorflash.at("node"), NodeSettings::hostName);
        S3OriginSettings s3Origin = S3OriginSettings.read(floorflash.at("firmware.origin-s3"));
        OriginSettings origin = OriginSettings.read(floorflash.at("firmware"));
        if (origin != null && origin.enabled() && firmware != null && origin.cacheDir().startsWith(firmware.root())) {
            floorflash.problem("firmware.cache-dir", origin.cacheDir() + " (expected: outside the firmware root "
                    + firmware.root() + ", or its files would be served under names of their own)");
        }
        checkAcrossSections(floorflash.quiet());
        if (!problems.isEmpty()) {
            return null; // load() reports them; a record skipped for its problems is null
        }
        return new Settings(tftp, transfer, firmware, http, audit, shutdown, uploads, provisioning, reload,
                hooks, node, s3Origin, origin);
    }

    /**
     * Records every key of {@code section} that reference.conf does not have at the same place, naming the nearest
     * known key: a misspelt key would otherwise be ignored and its default used without a word. Objects are walked
     * down; a list (of roster entries, say) is its reader's to check, entry by entry, with {@link ConfigReader#onlyKeys}.
     * A new key is known as soon as reference.conf documents it.
     */
    private void onlyKnownKeys(ConfigObject section, ConfigObject reference, String path) {
        for (String key : new TreeSet<>(section.keySet())) {
            ConfigValue value = section.get(key);
            ConfigValue documented = reference.get(key);
            if (documented == null) {
                problems.add(path + "." + key + ": unknown key" + KeyNames.suggestion(key, reference.keySet()));
            } else if (value.valueType() == ConfigValueType.OBJECT && documented.valueType() == ConfigValueType.OBJECT) {
                onlyKnownKeys((ConfigObject) value, (ConfigObject) documented, path + "." + key);
            }
        }
    }

    /**
     * The checks between sections, on the values as written: they run even when a section has another problem, so
     * that one run reports everything. {@code values} reads without reporting (each section's reader already did).
     */
    private void checkAcrossSections(ConfigReader values) {
        ConfigReader http = values.at("http");
        ConfigReader firmwareHttp = http.at("firmware");
        InetAddress operatorAddress = http.address("address");
        int operatorPort = http.intIn("port", 0, 65535);
        InetAddress firmwareAddress = firmwareHttp.address("address");
        int firmwarePort = firmwareHttp.intIn("port", 0, 65535);
        if (http.bool("enabled") && firmwareHttp.bool("enabled") && operatorAddress != null && firmwareAddress != null
                && firmwarePort != 0 && firmwarePort == operatorPort && overlap(operatorAddress, firmwareAddress)) {
            floorflash.problem("http.firmware.port", firmwarePort + " (expected: another port than the operator side's,"
                    + " floorflash.http.port, on the same address)");
        }
        ConfigReader audit = values.at("audit");
        Path auditFile = audit.file("file");
        Path root = values.at("firmware").file("root");
        if (audit.bool("enabled") && auditFile != null && root != null && auditFile.startsWith(root)) {
            floorflash.problem("audit.file", auditFile + " (expected: outside the firmware root " + root
                    + ", or anyone could fetch it over TFTP)");
        }
        ConfigReader uploads = values.at("uploads");
        Path uploadRoot = uploads.file("root");
        if (uploads.bool("enabled") && uploadRoot != null && root != null && UploadSettings.nested(uploadRoot, root)) {
            floorflash.problem("uploads.root", uploadRoot + " (expected: outside the firmware root " + root
                    + " and not containing it, or phones could fetch what others uploaded)");
        }
    }

    /** Whether two bind addresses share a port space: the same address, or either one the wildcard. */
    private static boolean overlap(InetAddress a, InetAddress b) {
        return a.equals(b) || a.isAnyLocalAddress() || b.isAnyLocalAddress();
    }
}

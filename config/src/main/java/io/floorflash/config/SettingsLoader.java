package io.floorflash.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link Settings} from HOCON: command-line overrides, then an optional file, then {@code reference.conf}.
 * Each section is read by its record's own reader; this class only merges the sources, hands each section to its
 * reader, runs the checks that span sections, and reports every problem at once in one {@link SettingsException}.
 */
public final class SettingsLoader {
    private final List<String> problems = new ArrayList<>();
    /** The {@code floorflash} section, which every record's reader gets a part of. */
    private final ConfigReader floorflash;

    private SettingsLoader(Config config) {
        this.floorflash = new ConfigReader(config, "", problems).at("floorflash");
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
        ListenerSettings tftp = ListenerSettings.read(floorflash.at("tftp"));
        TransferSettings transfer = TransferSettings.read(floorflash.at("transfer"));
        FirmwareSettings firmware = FirmwareSettings.read(floorflash.at("firmware"));
        HttpSettings http = HttpSettings.read(floorflash.at("http"));
        AuditSettings audit = AuditSettings.read(floorflash.at("audit"));
        ShutdownSettings shutdown = ShutdownSettings.read(floorflash.at("shutdown"));
        checkAcrossSections(floorflash.quiet());
        if (!problems.isEmpty()) {
            return null; // load() reports them; a record skipped for its problems is null
        }
        return new Settings(tftp, transfer, firmware, http, audit, shutdown);
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
    }

    /** Whether two bind addresses share a port space: the same address, or either one the wildcard. */
    private static boolean overlap(InetAddress a, InetAddress b) {
        return a.equals(b) || a.isAnyLocalAddress() || b.isAnyLocalAddress();
    }
}

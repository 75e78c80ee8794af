package io.floorflash.server;

import io.floorflash.config.Overrides;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsException;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.metrics.FloorflashMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the configuration file again (SIGHUP) and puts its reloadable part in force: rules, groups, roster, hooks and
 * require-checksums, without touching running transfers. A configuration with any problem is rejected whole, every
 * problem logged, and the one in force stays. Settings that need a restart (addresses, ports, ...) are named in a
 * WARN when they changed and keep their running values. One reload at a time.
 */
final class ConfigReloader implements FloorflashMetrics.Reloads {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final Overrides overrides;
    private final FloorflashServer server;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    /** @param overrides the command line's, which win over the file as they did at start */
    ConfigReloader(Path file, Overrides overrides, FloorflashServer server) {
        this.file = file;
        this.overrides = overrides;
        this.server = server;
    }

    /** Reloads now, on the calling thread (blocking file reads: never an event loop); true when applied. */
    synchronized boolean reload() {
        Settings next;
        try {
            next = SettingsLoader.load(file, overrides);
        } catch (SettingsException e) {
            rejected.incrementAndGet();
            log.error("configuration reload from {} rejected, the running configuration stays; {}", file,
                    e.getMessage());
            return false;
        } catch (RuntimeException e) {
            rejected.incrementAndGet();
            log.error("configuration reload from {} failed, the running configuration stays", file, e);
            return false;
        }
        List<String> restart = server.reconfigure(next);
        applied.incrementAndGet();
        log.info("configuration reloaded from {}: {} rule{}, {} group{}, {} roster entr{}", file,
                next.provisioning().rules().size(), next.provisioning().rules().size() == 1 ? "" : "s",
                next.provisioning().groups().size(), next.provisioning().groups().size() == 1 ? "" : "s",
                next.http().floor().roster().size(), next.http().floor().roster().size() == 1 ? "y" : "ies");
        if (!restart.isEmpty()) {
            log.warn("configuration reload: {} changed but only take{} effect on a restart; the running value{} stay{}",
                    String.join(", ", restart), restart.size() == 1 ? "s" : "", restart.size() == 1 ? "" : "s",
                    restart.size() == 1 ? "s" : "");
        }
        return true;
    }

    @Override
    public long applied() {
        return applied.get();
    }

    @Override
    public long rejected() {
        return rejected.get();
    }
}

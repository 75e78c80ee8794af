package io.floorflash.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the configuration is reloaded besides SIGHUP.
 *
 * @param watchConfig reload when the --config file changes
 * @param settle      a change is read once the file has been quiet this long (editors write in steps)
 */
public record ReloadSettings(boolean watchConfig, Duration settle) {
    public ReloadSettings {
        Objects.requireNonNull(settle, "settle");
        if (settle.isNegative()) {
            throw new IllegalArgumentException("settle: " + settle + " (expected: zero or more)");
        }
    }

    /** Reads {@code floorflash.reload}. */
    static ReloadSettings read(ConfigReader in) {
        boolean watch = in.bool("watch-config");
        Duration settle = in.durationIn("settle", Duration.ZERO, Duration.ofMinutes(1));
        return in.build(() -> new ReloadSettings(watch, settle));
    }
}

package io.floorflash.server;

import io.floorflash.config.FirmwareSettings;
import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.RetransmitSettings;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsLoader;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings for unit tests: reference.conf's defaults with a test's typed overrides, so no default is written again in
 * test code (where it would drift from reference.conf) and a test names only what it depends on.
 */
public final class TestSettings {
    private TestSettings() {
    }

    /** reference.conf with {@code overrides}. */
    public static Settings load(Overrides overrides) {
        return SettingsLoader.load(overrides);
    }

    /** The firmware store's settings, serving {@code root}. */
    public static FirmwareSettings firmware(Path root, Overrides overrides) {
        return load(Overrides.none().with(Key.FIRMWARE_ROOT, root).with(overrides)).firmware();
    }

    /** The retransmission settings. */
    public static RetransmitSettings retransmit(Overrides overrides) {
        return load(overrides).transfer().retransmit();
    }

    /**
     * Fixed waits: every first wait is {@code initialTimeout}, growing by reference.conf's backoff up to {@code
     * maxTimeout}, spread by {@code jitter}, at most {@code maxRetries} times, unverified clients included.
     */
    public static RetransmitSettings fixedWaits(Duration initialTimeout, Duration maxTimeout, double jitter,
                                                int maxRetries) {
        return retransmit(Overrides.none()
                .with(Key.RETRANSMIT_INITIAL_TIMEOUT, initialTimeout)
                .with(Key.RETRANSMIT_MAX_TIMEOUT, maxTimeout)
                .with(Key.RETRANSMIT_JITTER, jitter)
                .with(Key.RETRANSMIT_MAX_RETRIES, maxRetries)
                .with(Key.RETRANSMIT_MAX_UNVERIFIED_RETRIES, maxRetries)
                .with(Key.RETRANSMIT_ADAPTIVE, false)
                .with(Key.RETRANSMIT_MIN_TIMEOUT, initialTimeout));
    }
}

package io.floorflash.config;

import java.time.Duration;

/**
 * How the server stops (SIGTERM): new requests are refused at once, running transfers get {@code drainTime} to
 * finish, and the rest are ended with an ERROR to their client.
 */
public record ShutdownSettings(Duration drainTime) {
    public ShutdownSettings {
        if (drainTime == null || drainTime.isNegative()) {
            throw new IllegalArgumentException("drain-time: " + drainTime + " (expected: zero or more)");
        }
    }

    /** Reads {@code floorflash.shutdown}. */
    static ShutdownSettings read(ConfigReader in) {
        Duration drainTime = in.durationIn("drain-time", Duration.ZERO, Duration.ofHours(1));
        return in.build(() -> new ShutdownSettings(drainTime));
    }
}

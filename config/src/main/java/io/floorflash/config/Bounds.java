package io.floorflash.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks records run in their compact constructors, with the same "key: value (expected: ...)" text as
 * {@link ConfigReader}'s typed reads, so a record built in code fails as a file with the same value would.
 */
final class Bounds {
    private Bounds() {
    }

    static void intIn(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + min + "-" + max + ")");
        }
    }

    static void bytesIn(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + ": " + value + " bytes (expected: " + min + "-" + max + ")");
        }
    }

    static void doubleIn(String key, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + min + "-" + max + ")");
        }
    }

    static void durationIn(String key, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, key);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }
}

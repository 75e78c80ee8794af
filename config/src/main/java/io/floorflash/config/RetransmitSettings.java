package io.floorflash.config;

import io.floorflash.protocol.OptionLimits;
import java.time.Duration;

/**
 * When the server resends an unacknowledged OACK or DATA window: a first wait growing by {@code backoff} up to
 * {@code maxTimeout}, spread by {@code jitter}, at most {@code maxRetries} times. The first wait is
 * {@code initialTimeout}, or, when {@code adaptive}, the round-trip time measured on the transfer (RFC 6298) kept
 * between {@code minTimeout} and {@code initialTimeout}. Until a client's first ACK, the first packet is resent at most
 * {@code maxUnverifiedRetries} times (the address may be spoofed or silent).
 */
public record RetransmitSettings(Duration initialTimeout, double backoff, Duration maxTimeout, double jitter,
                                 int maxRetries, boolean adaptive, Duration minTimeout, int maxUnverifiedRetries) {
    private static final Duration SHORTEST = Duration.ofMillis(10);
    private static final Duration SHORTEST_FLOOR = Duration.ofMillis(1);
    /** No wait is longer than the longest timeout a client may negotiate (RFC 2349: 255 s). */
    private static final Duration LONGEST = Duration.ofSeconds(OptionLimits.MAX_TIMEOUT_SECONDS);
    private static final int MAX_RETRIES = 100;

    public RetransmitSettings {
        Bounds.durationIn("initial-timeout", initialTimeout, SHORTEST, LONGEST);
        Bounds.doubleIn("backoff", backoff, 1.0, 10.0);
        Bounds.durationIn("max-timeout", maxTimeout, SHORTEST, LONGEST);
        Bounds.doubleIn("jitter", jitter, 0.0, 0.5);
        Bounds.intIn("max-retries", maxRetries, 0, MAX_RETRIES);
        Bounds.durationIn("min-timeout", minTimeout, SHORTEST_FLOOR, LONGEST);
        Bounds.intIn("max-unverified-retries", maxUnverifiedRetries, 0, MAX_RETRIES);
        checkMaxTimeout(initialTimeout, maxTimeout);
        checkMinTimeout(initialTimeout, minTimeout);
    }

    private static void checkMaxTimeout(Duration initialTimeout, Duration maxTimeout) {
        if (maxTimeout.compareTo(initialTimeout) < 0) {
            throw new IllegalArgumentException("max-timeout: " + maxTimeout + " (expected: at least initial-timeout, "
                    + initialTimeout + ")");
        }
    }

    private static void checkMinTimeout(Duration initialTimeout, Duration minTimeout) {
        if (minTimeout.compareTo(initialTimeout) > 0) {
            throw new IllegalArgumentException("min-timeout: " + minTimeout + " (expected: at most initial-timeout, "
                    + initialTimeout + ")");
        }
    }

    /** Reads {@code floorflash.transfer.retransmit}. */
    static RetransmitSettings read(ConfigReader in) {
        Duration initialTimeout = in.durationIn("initial-timeout", SHORTEST, LONGEST);
        double backoff = in.doubleIn("backoff", 1.0, 10.0);
        Duration maxTimeout = in.durationIn("max-timeout", SHORTEST, LONGEST);
        double jitter = in.doubleIn("jitter", 0.0, 0.5);
        int maxRetries = in.intIn("max-retries", 0, MAX_RETRIES);
        boolean adaptive = in.bool("adaptive");
        Duration minTimeout = in.durationIn("min-timeout", SHORTEST_FLOOR, LONGEST);
        int maxUnverifiedRetries = in.intIn("max-unverified-retries", 0, MAX_RETRIES);
        in.check(() -> checkMaxTimeout(initialTimeout, maxTimeout), "initial-timeout", "max-timeout");
        in.check(() -> checkMinTimeout(initialTimeout, minTimeout), "initial-timeout", "min-timeout");
        return in.build(() -> new RetransmitSettings(initialTimeout, backoff, maxTimeout, jitter, maxRetries, adaptive,
                minTimeout, maxUnverifiedRetries));
    }
}

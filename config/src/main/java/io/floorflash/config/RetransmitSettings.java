package io.floorflash.config;

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
    /** Settings whose unverified clients get as many retries as any ({@code maxRetries}). */
    public RetransmitSettings(Duration initialTimeout, double backoff, Duration maxTimeout, double jitter,
                              int maxRetries, boolean adaptive, Duration minTimeout) {
        this(initialTimeout, backoff, maxTimeout, jitter, maxRetries, adaptive, minTimeout, maxRetries);
    }

    /** Fixed waits: every first wait is {@code initialTimeout}. */
    public RetransmitSettings(Duration initialTimeout, double backoff, Duration maxTimeout, double jitter, int maxRetries) {
        this(initialTimeout, backoff, maxTimeout, jitter, maxRetries, false, initialTimeout);
    }
}

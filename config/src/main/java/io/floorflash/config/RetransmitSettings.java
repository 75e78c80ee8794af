package io.floorflash.config;

import java.time.Duration;

/**
 * When the server resends an unacknowledged OACK or DATA window: an initial wait growing by {@code backoff} up to
 * {@code maxTimeout}, spread by {@code jitter}, at most {@code maxRetries} times.
 */
public record RetransmitSettings(Duration initialTimeout, double backoff, Duration maxTimeout, double jitter,
                                 int maxRetries) {
}

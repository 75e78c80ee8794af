package io.floorflash.server.transfer;

import io.floorflash.config.RetransmitSettings;
import java.util.concurrent.TimeUnit;

/**
 * Local policy for resending, kept apart from the negotiated options: the wait before retransmission number
 * {@code attempt} grows by {@code backoff} from {@code initialNanos} up to {@code maxNanos}, spread by
 * {@code jitter}; after {@code maxRetries} the transfer is given up.
 */
public record RetransmitPolicy(long initialNanos, double backoff, long maxNanos, double jitter, int maxRetries) {
    public RetransmitPolicy {
        // Written so that NaN fails every bound.
        if (initialNanos <= 0 || maxNanos < initialNanos || !(backoff >= 1.0) || !(jitter >= 0 && jitter < 1) || maxRetries < 0) {
            throw new IllegalArgumentException("retransmit policy: initial=" + initialNanos + "ns backoff=" + backoff
                    + " max=" + maxNanos + "ns jitter=" + jitter + " retries=" + maxRetries
                    + " (expected: 0 < initial <= max, backoff >= 1, 0 <= jitter < 1, retries >= 0)");
        }
    }

    /**
     * The configured policy, with a timeout the client negotiated (RFC 2349, seconds; 0 for none) as the initial
     * wait and never exceeded downwards by the bound.
     */
    public static RetransmitPolicy of(RetransmitSettings settings, int negotiatedTimeoutSeconds) {
        long initial = negotiatedTimeoutSeconds > 0
                ? TimeUnit.SECONDS.toNanos(negotiatedTimeoutSeconds)
                : settings.initialTimeout().toNanos();
        long max = Math.max(settings.maxTimeout().toNanos(), initial);
        return new RetransmitPolicy(initial, settings.backoff(), max, settings.jitter(), settings.maxRetries());
    }

    /**
     * The wait before sending again after {@code attempt} earlier retransmissions of the same packet (0 for a
     * fresh send), with {@code random} in [0, 1) spreading it by the jitter.
     */
    public long delayNanos(int attempt, double random) {
        double base = initialNanos * Math.pow(backoff, attempt);
        double bounded = Math.min(base, maxNanos);
        double spread = 1.0 + jitter * (2 * random - 1);
        return Math.max(1, (long) (bounded * spread));
    }
}

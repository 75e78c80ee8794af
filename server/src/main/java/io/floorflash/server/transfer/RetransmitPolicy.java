package io.floorflash.server.transfer;

import io.floorflash.config.RetransmitSettings;
import java.util.concurrent.TimeUnit;

/**
 * Local policy for resending, kept apart from the negotiated options: the wait before retransmission number
 * {@code attempt} grows by {@code backoff} from a first wait up to {@code maxNanos}, spread by {@code jitter}; after
 * {@code maxRetries} the transfer is given up. The first wait is {@code initialNanos}; when {@code minNanos} is below
 * it (adaptive), it is the transfer's measured retransmission timeout kept within {@code [minNanos, initialNanos]}
 * once a round trip has been sampled.
 */
public record RetransmitPolicy(long initialNanos, double backoff, long maxNanos, double jitter, int maxRetries,
                               long minNanos) {
    public RetransmitPolicy {
        // Written so that NaN fails every bound.
        if (initialNanos <= 0 || maxNanos < initialNanos || !(backoff >= 1.0) || !(jitter >= 0 && jitter < 1) || maxRetries < 0
                || minNanos <= 0 || minNanos > initialNanos) {
            throw new IllegalArgumentException("retransmit policy: initial=" + initialNanos + "ns backoff=" + backoff
                    + " max=" + maxNanos + "ns jitter=" + jitter + " retries=" + maxRetries + " min=" + minNanos
                    + "ns (expected: 0 < min <= initial <= max, backoff >= 1, 0 <= jitter < 1, retries >= 0)");
        }
    }

    /** A policy with fixed first waits of {@code initialNanos}. */
    public RetransmitPolicy(long initialNanos, double backoff, long maxNanos, double jitter, int maxRetries) {
        this(initialNanos, backoff, maxNanos, jitter, maxRetries, initialNanos);
    }

    /** Whether the first wait follows the measured round-trip time. */
    public boolean adaptive() {
        return minNanos < initialNanos;
    }

    /**
     * The first wait for a transfer whose round trips {@code rtt} has measured: its timeout kept within
     * {@code [minNanos, initialNanos]}, then grown by the backoff for each timeout since the last sample (at most
     * {@code maxNanos}).
     */
    public long firstWaitNanos(RoundTripEstimator rtt) {
        return firstWaitNanos(rtt, 0);
    }

    /**
     * {@link #firstWaitNanos(RoundTripEstimator)} with the measured timeout raised to at least {@code floorNanos}:
     * what the transfer's port knows of the round trip of all its transfers (see {@code TransferPort#roundNanos}).
     */
    public long firstWaitNanos(RoundTripEstimator rtt, long floorNanos) {
        if (!adaptive() || !rtt.hasSample()) {
            return initialNanos;
        }
        double measured = Math.max(minNanos, Math.min(initialNanos, Math.max(rtt.timeoutNanos(), floorNanos)));
        return (long) Math.min(maxNanos, measured * Math.pow(backoff, rtt.backoffs()));
    }

    /**
     * The configured policy, with a timeout the client negotiated (RFC 2349, seconds; 0 for none) as the initial
     * wait, then fixed (no adapting below what the client asked), and never exceeded downwards by the bound.
     */
    public static RetransmitPolicy of(RetransmitSettings settings, int negotiatedTimeoutSeconds) {
        boolean negotiated = negotiatedTimeoutSeconds > 0;
        long initial = negotiated ? TimeUnit.SECONDS.toNanos(negotiatedTimeoutSeconds) : settings.initialTimeout().toNanos();
        long max = Math.max(settings.maxTimeout().toNanos(), initial);
        // The client's timeout is what it asked for: no adapting below it.
        long min = negotiated || !settings.adaptive() ? initial : Math.min(initial, settings.minTimeout().toNanos());
        return new RetransmitPolicy(initial, settings.backoff(), max, settings.jitter(), settings.maxRetries(), min);
    }

    /**
     * The wait before sending again after {@code attempt} earlier retransmissions of the same packet (0 for a
     * fresh send), with {@code random} in [0, 1) spreading it by the jitter.
     */
    public long delayNanos(int attempt, double random) {
        return delayNanos(attempt, random, initialNanos);
    }

    /**
     * The wait before the next (re)send of a transfer whose round trips {@code rtt} measures, after {@code attempt}
     * retransmissions of the same packet. Once a round trip is measured (adaptive policies only), the estimator's
     * backoff already counts those timeouts and keeps counting across packets until the next sample; before, the
     * wait grows from the initial timeout by the attempt.
     */
    public long waitNanos(int attempt, double random, RoundTripEstimator rtt) {
        return waitNanos(attempt, random, rtt, 0);
    }

    /** {@link #waitNanos(int, double, RoundTripEstimator)} with an adaptive wait of at least {@code floorNanos}. */
    public long waitNanos(int attempt, double random, RoundTripEstimator rtt, long floorNanos) {
        if (adaptive() && rtt.hasSample()) {
            return delayNanos(0, random, firstWaitNanos(rtt, floorNanos));
        }
        return delayNanos(attempt, random, initialNanos);
    }

    /** {@link #delayNanos(int, double)} growing from {@code firstWaitNanos} (see {@link #firstWaitNanos}). */
    private long delayNanos(int attempt, double random, long firstWaitNanos) {
        double base = firstWaitNanos * Math.pow(backoff, attempt);
        double bounded = Math.min(base, maxNanos);
        double spread = 1.0 + jitter * (2 * random - 1);
        return Math.max(1, (long) (bounded * spread));
    }
}

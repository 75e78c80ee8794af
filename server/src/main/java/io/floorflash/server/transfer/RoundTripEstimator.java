package io.floorflash.server.transfer;

/**
 * The smoothed round-trip time of one transfer and its variation, as RFC 6298 (section 2) computes them for TCP's
 * retransmission timer: the first sample sets SRTT = R and RTTVAR = R/2; later ones move RTTVAR by a quarter and SRTT
 * by an eighth of their distance. Feed it only samples of packets sent once (Karn's rule): the ACK of a resent
 * packet cannot tell which copy it answers. A timeout backs the timer off, and the backed-off timer is kept for the
 * packets after it until a sample comes (RFC 6298 section 5.5 and 5.7): without that, a server whose every flight
 * was resent would never measure again and would go on resending at a stale, too short interval.
 */
public final class RoundTripEstimator {
    /** Doublings kept at most: 2^16 times the estimate, far above any configured maximum wait (which bounds it). */
    private static final int MAX_BACKOFFS = 16;

    private long smoothed = -1;
    private long variation;
    private int backoffs;

    /** A measured round trip, in nanoseconds; it ends any backoff. */
    public void sample(long rttNanos) {
        backoffs = 0;
        long rtt = Math.max(0, rttNanos);
        if (smoothed < 0) {
            smoothed = rtt;
            variation = rtt / 2;
            return;
        }
        variation = (3 * variation + Math.abs(smoothed - rtt)) / 4;
        smoothed = (7 * smoothed + rtt) / 8;
    }

    /** A retransmission timeout expired: later waits grow until the next sample. */
    public void backOff() {
        backoffs = Math.min(MAX_BACKOFFS, backoffs + 1);
    }

    /** Timeouts since the last sample (at most {@value #MAX_BACKOFFS}). */
    public int backoffs() {
        return backoffs;
    }

    public boolean hasSample() {
        return smoothed >= 0;
    }

    /** SRTT + 4 RTTVAR, the RFC's retransmission timeout before bounds; meaningless until {@link #hasSample()}. */
    public long timeoutNanos() {
        return smoothed + 4 * variation;
    }

    /** The smoothed round-trip time in nanoseconds, -1 before the first sample. */
    public long smoothedNanos() {
        return smoothed;
    }
}

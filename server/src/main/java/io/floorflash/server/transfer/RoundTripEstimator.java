package io.floorflash.server.transfer;

/**
 * The smoothed round-trip time of one transfer and its variation, as RFC 6298 (section 2) computes them for TCP's
 * retransmission timer: the first sample sets SRTT = R and RTTVAR = R/2; later ones move RTTVAR by a quarter and SRTT
 * by an eighth of their distance. Feed it only samples of packets sent once (Karn's rule): the ACK of a resent
 * packet cannot tell which copy it answers.
 */
public final class RoundTripEstimator {
    private long smoothed = -1;
    private long variation;

    /** A measured round trip, in nanoseconds. */
    public void sample(long rttNanos) {
        long rtt = Math.max(0, rttNanos);
        if (smoothed < 0) {
            smoothed = rtt;
            variation = rtt / 2;
            return;
        }
        variation = (3 * variation + Math.abs(smoothed - rtt)) / 4;
        smoothed = (7 * smoothed + rtt) / 8;
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

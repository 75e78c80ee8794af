package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoundTripEstimatorTest {
    @Test
    void hasNoSampleAtFirst() {
        RoundTripEstimator rtt = new RoundTripEstimator();

        assertThat(rtt.hasSample()).isFalse();
        assertThat(rtt.smoothedNanos()).isEqualTo(-1);
    }

    @Test
    void theFirstSampleSetsTheMeanAndHalfOfItAsTheDeviation() {
        RoundTripEstimator rtt = new RoundTripEstimator();

        rtt.sample(800);

        assertThat(rtt.hasSample()).isTrue();
        assertThat(rtt.smoothedNanos()).isEqualTo(800);
        assertThat(rtt.timeoutNanos()).as("R + 4 * R/2").isEqualTo(800 + 4 * 400);
    }

    @Test
    void laterSamplesMoveTheDeviationByAQuarterAndTheMeanByAnEighth() {
        RoundTripEstimator rtt = new RoundTripEstimator();
        rtt.sample(800);

        rtt.sample(1600);

        // RTTVAR = 3/4 * 400 + 1/4 * |800 - 1600| = 500; SRTT = 7/8 * 800 + 1/8 * 1600 = 900 (RFC 6298, 2.3).
        assertThat(rtt.smoothedNanos()).isEqualTo(900);
        assertThat(rtt.timeoutNanos()).isEqualTo(900 + 4 * 500);
    }

    @Test
    void steadyRoundTripsConvergeAndTheDeviationFades() {
        RoundTripEstimator rtt = new RoundTripEstimator();
        for (int i = 0; i < 200; i++) {
            rtt.sample(1_000_000);
        }

        assertThat(rtt.smoothedNanos()).isEqualTo(1_000_000);
        assertThat(rtt.timeoutNanos()).isBetween(1_000_000L, 1_000_100L);
    }

    @Test
    void aNegativeSampleCountsAsZero() {
        RoundTripEstimator rtt = new RoundTripEstimator();

        rtt.sample(-5);

        assertThat(rtt.timeoutNanos()).isZero();
    }

    @Test
    void timeoutsCountUntilTheNextSample() {
        RoundTripEstimator rtt = new RoundTripEstimator();
        rtt.backOff();
        rtt.backOff();
        assertThat(rtt.backoffs()).isEqualTo(2);
        for (int i = 0; i < 30; i++) {
            rtt.backOff();
        }
        assertThat(rtt.backoffs()).isEqualTo(16);
        rtt.sample(1_000);
        assertThat(rtt.backoffs()).isZero();
    }
}

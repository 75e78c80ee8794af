package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.RetransmitSettings;
import io.floorflash.server.TestSettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetransmitPolicyTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final double JUST_BELOW_ONE = Math.nextDown(1.0);
    private static final RetransmitSettings SETTINGS =
            TestSettings.fixedWaits(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.1, 6);

    /** Adaptive waits between 50 ms and 1 s, no jitter, 10 retries for any client. */
    private static final RetransmitSettings ADAPTIVE = TestSettings.retransmit(Overrides.none()
            .with(Key.RETRANSMIT_JITTER, 0.0)
            .with(Key.RETRANSMIT_MAX_RETRIES, 10)
            .with(Key.RETRANSMIT_MAX_UNVERIFIED_RETRIES, 10)
            .with(Key.RETRANSMIT_ADAPTIVE, true)
            .with(Key.RETRANSMIT_MIN_TIMEOUT, Duration.ofMillis(50)));

    @Test
    void growsByTheBackoffFromTheInitialWaitUpToTheMaximum() {
        RetransmitPolicy policy = new RetransmitPolicy(SECOND, 2.0, 5 * SECOND, 0.0, 6);

        long[] delays = new long[7];
        for (int attempt = 0; attempt < delays.length; attempt++) {
            delays[attempt] = policy.delayNanos(attempt, 0.5);
        }

        assertThat(delays).containsExactly(SECOND, 2 * SECOND, 4 * SECOND, 5 * SECOND, 5 * SECOND, 5 * SECOND, 5 * SECOND);
    }

    @Test
    void growsByAFractionalBackoff() {
        RetransmitPolicy policy = new RetransmitPolicy(400 * MS, 1.5, 2 * SECOND, 0.0, 6);

        assertThat(policy.delayNanos(0, 0.3)).isEqualTo(400 * MS);
        assertThat(policy.delayNanos(1, 0.3)).isEqualTo(600 * MS);
        assertThat(policy.delayNanos(2, 0.3)).isEqualTo(900 * MS);
        assertThat(policy.delayNanos(5, 0.3)).isEqualTo(2 * SECOND);
    }

    @Test
    void keepsAConstantWaitWithoutBackoff() {
        RetransmitPolicy policy = new RetransmitPolicy(SECOND, 1.0, 5 * SECOND, 0.0, 6);

        for (int attempt = 0; attempt < 10; attempt++) {
            assertThat(policy.delayNanos(attempt, 0.9)).isEqualTo(SECOND);
        }
    }

    @Test
    void staysAtTheMaximumForAnyNumberOfAttempts() {
        RetransmitPolicy policy = new RetransmitPolicy(SECOND, 10.0, 5 * SECOND, 0.0, 100);

        assertThat(policy.delayNanos(30, 0.5)).isEqualTo(5 * SECOND);
        assertThat(policy.delayNanos(1000, 0.5)).as("backoff^1000 overflows a double").isEqualTo(5 * SECOND);
        assertThat(policy.delayNanos(Integer.MAX_VALUE, 0.5)).isEqualTo(5 * SECOND);
    }

    @Test
    void spreadsTheWaitByTheJitterBothWays() {
        RetransmitPolicy policy = new RetransmitPolicy(SECOND, 2.0, 5 * SECOND, 0.1, 6);

        assertThat(policy.delayNanos(0, 0.0)).isEqualTo(900 * MS);
        assertThat(policy.delayNanos(0, 0.5)).isEqualTo(SECOND);
        assertThat(policy.delayNanos(0, JUST_BELOW_ONE)).isBetween(1099 * MS, 1100 * MS);
        assertThat(policy.delayNanos(1, 0.0)).isEqualTo(1800 * MS);
        assertThat(policy.delayNanos(1, JUST_BELOW_ONE)).isBetween(2199 * MS, 2200 * MS);
    }

    @Test
    void spreadsTheCappedWaitByTheJitterToo() {
        RetransmitPolicy policy = new RetransmitPolicy(SECOND, 2.0, 5 * SECOND, 0.25, 6);

        assertThat(policy.delayNanos(9, 0.0)).isEqualTo(3750 * MS);
        assertThat(policy.delayNanos(9, JUST_BELOW_ONE)).isBetween(6249 * MS, 6250 * MS);
    }

    @Test
    void keepsEveryJitteredWaitWithinItsBounds() {
        RetransmitPolicy policy = new RetransmitPolicy(SECOND, 2.0, 5 * SECOND, 0.25, 6);

        for (int attempt = 0; attempt <= 6; attempt++) {
            long base = Math.min(SECOND << attempt, 5 * SECOND);
            for (int step = 0; step < 1000; step++) {
                long delay = policy.delayNanos(attempt, step / 1000.0);
                if (delay < base * 3 / 4 || delay > base * 5 / 4) {
                    throw new AssertionError("attempt " + attempt + " random " + step / 1000.0 + ": " + delay + " ns");
                }
            }
        }
    }

    @Test
    void neverWaitsLessThanOneNanosecond() {
        RetransmitPolicy policy = new RetransmitPolicy(1, 1.0, 1, 0.5, 0);

        assertThat(policy.delayNanos(0, 0.0)).isEqualTo(1);
    }

    @Test
    void takesTheConfiguredInitialWaitWhenNoTimeoutWasNegotiated() {
        RetransmitPolicy policy = RetransmitPolicy.of(SETTINGS, 0);

        assertThat(policy).isEqualTo(new RetransmitPolicy(SECOND, 2.0, 5 * SECOND, 0.1, 6));
    }

    @Test
    void startsFromTheNegotiatedTimeout() {
        RetransmitPolicy policy = RetransmitPolicy.of(SETTINGS, 3);

        assertThat(policy).isEqualTo(new RetransmitPolicy(3 * SECOND, 2.0, 5 * SECOND, 0.1, 6));
        assertThat(policy.delayNanos(0, 0.5)).isEqualTo(3 * SECOND);
        assertThat(policy.delayNanos(1, 0.5)).isEqualTo(5 * SECOND);
    }

    @Test
    void raisesTheBoundToANegotiatedTimeoutAboveIt() {
        RetransmitPolicy policy = RetransmitPolicy.of(SETTINGS, 30);

        assertThat(policy.initialNanos()).isEqualTo(30 * SECOND);
        assertThat(policy.maxNanos()).isEqualTo(30 * SECOND);
        assertThat(policy.delayNanos(0, 0.5)).isEqualTo(30 * SECOND);
        assertThat(policy.delayNanos(3, 0.5)).isEqualTo(30 * SECOND);
    }

    @Test
    void acceptsTheNegotiatedTimeoutBelowTheConfiguredInitialWait() {
        RetransmitSettings slow = TestSettings.fixedWaits(Duration.ofSeconds(5), Duration.ofSeconds(20), 0.0, 6);

        assertThat(RetransmitPolicy.of(slow, 1).delayNanos(0, 0.5)).isEqualTo(SECOND);
    }

    @ParameterizedTest(name = "initial={0} backoff={1} max={2} jitter={3} retries={4}")
    @CsvSource({
            "0, 2.0, 1000, 0.1, 3",
            "-1, 2.0, 1000, 0.1, 3",
            "1000, 2.0, 999, 0.1, 3",
            "1000, 0.99, 5000, 0.1, 3",
            "1000, 2.0, 5000, -0.01, 3",
            "1000, 2.0, 5000, 1.0, 3",
            "1000, 2.0, 5000, 0.1, -1",
            "1000, NaN, 5000, 0.1, 3",
            "1000, 2.0, 5000, NaN, 3",
    })
    void rejectsInvalidArguments(long initial, double backoff, long max, double jitter, int retries) {
        assertThatThrownBy(() -> new RetransmitPolicy(initial, backoff, max, jitter, retries))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("retransmit policy: initial=" + initial + "ns")
                .hasMessageEndingWith("(expected: 0 < min <= initial <= max, backoff >= 1, 0 <= jitter < 1, retries >= 0)");
    }

    @Test
    void acceptsTheEdgesOfTheValidRange() {
        assertThat(new RetransmitPolicy(1, 1.0, 1, 0.0, 0).delayNanos(5, 0.5)).isEqualTo(1);
        assertThat(new RetransmitPolicy(SECOND, 2.0, SECOND, JUST_BELOW_ONE, 0).delayNanos(0, 0.5)).isEqualTo(SECOND);
    }

    @Test
    void anAdaptivePolicyKeepsTheMeasuredTimeoutBetweenTheFloorAndTheInitialWait() {
        RetransmitSettings adaptive = ADAPTIVE;
        RetransmitPolicy policy = RetransmitPolicy.of(adaptive, 0);
        RoundTripEstimator rtt = new RoundTripEstimator();

        assertThat(policy.adaptive()).isTrue();
        assertThat(policy.firstWaitNanos(rtt)).as("no sample yet: the initial wait").isEqualTo(SECOND);
        rtt.sample(2 * MS);
        assertThat(policy.firstWaitNanos(rtt)).as("2 ms + 4 * 1 ms, below the floor").isEqualTo(50 * MS);
        RoundTripEstimator slow = new RoundTripEstimator();
        slow.sample(100 * MS);
        assertThat(policy.firstWaitNanos(slow)).as("100 ms + 4 * 50 ms").isEqualTo(300 * MS);
        slow.sample(5 * SECOND);
        assertThat(policy.firstWaitNanos(slow)).as("bounded by the initial wait").isEqualTo(SECOND);
        rtt.backOff();
        rtt.backOff();
        assertThat(policy.waitNanos(2, 0.5, rtt)).as("two backoffs from the adaptive wait").isEqualTo(200 * MS);
    }

    @Test
    void aBackedOffTimerIsKeptAcrossPacketsUntilTheNextSample() {
        RetransmitSettings adaptive = ADAPTIVE;
        RetransmitPolicy policy = RetransmitPolicy.of(adaptive, 0);
        RoundTripEstimator rtt = new RoundTripEstimator();
        rtt.sample(2 * MS);

        assertThat(policy.waitNanos(0, 0.5, rtt)).isEqualTo(50 * MS);
        rtt.backOff();
        assertThat(policy.waitNanos(1, 0.5, rtt)).as("the resend: once the backoff, not twice").isEqualTo(100 * MS);
        assertThat(policy.waitNanos(0, 0.5, rtt)).as("the next packet keeps the backed-off wait").isEqualTo(100 * MS);
        for (int i = 0; i < 10; i++) {
            rtt.backOff();
        }
        assertThat(policy.waitNanos(0, 0.5, rtt)).as("bounded by the maximum").isEqualTo(5 * SECOND);
        rtt.sample(2 * MS);
        assertThat(policy.waitNanos(0, 0.5, rtt)).as("a sample ends the backoff").isEqualTo(50 * MS);
        assertThat(policy.waitNanos(2, 0.5, new RoundTripEstimator())).as("no sample: by the attempt")
                .isEqualTo(4 * SECOND);
    }

    @Test
    void aNegotiatedTimeoutIsNeverAdapted() {
        RetransmitSettings adaptive = ADAPTIVE;
        RetransmitPolicy policy = RetransmitPolicy.of(adaptive, 3);
        RoundTripEstimator rtt = new RoundTripEstimator();
        rtt.sample(MS);

        assertThat(policy.adaptive()).isFalse();
        assertThat(policy.firstWaitNanos(rtt)).isEqualTo(3 * SECOND);
    }

    @Test
    void fixedSettingsAreNotAdaptive() {
        RetransmitPolicy policy = RetransmitPolicy.of(SETTINGS, 0);
        RoundTripEstimator rtt = new RoundTripEstimator();
        rtt.sample(MS);

        assertThat(policy.adaptive()).isFalse();
        assertThat(policy.firstWaitNanos(rtt)).isEqualTo(SECOND);
    }

    @Test
    void rejectsAFloorAboveTheInitialWait() {
        assertThatThrownBy(() -> new RetransmitPolicy(SECOND, 2.0, 5 * SECOND, 0.0, 6, 2 * SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min=");
    }
}

package io.floorflash.protocol.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long MS = 1_000_000;

    private final List<String> fired = new ArrayList<>();
    private final TimerWheel wheel = new TimerWheel(2 * MS, 8, 0);

    private TimerWheel.Timer timer(String name) {
        return wheel.newTimer(now -> fired.add(name + "@" + now / MS));
    }

    @Test
    void firesATimerAtTheFirstAdvancePastItsDueTimeAndNotBefore() {
        wheel.schedule(timer("a"), 5 * MS);
        assertThat(wheel.advance(4 * MS)).isZero();
        assertThat(wheel.advance(5 * MS)).isZero(); // due at 5 ms, rounded up to the tick ending at 6 ms
        assertThat(wheel.advance(6 * MS)).isOne();
        assertThat(fired).containsExactly("a@6");
        assertThat(wheel.isEmpty()).isTrue();
    }

    @Test
    void aTimerDueSeveralTurnsAheadWaitsForItsTurn() {
        wheel.schedule(timer("far"), 100 * MS); // 50 ticks on a wheel of 8 slots
        for (long t = 0; t < 100; t += 2) {
            wheel.advance(t * MS);
        }
        assertThat(fired).isEmpty();
        wheel.advance(100 * MS);
        assertThat(fired).containsExactly("far@100");
    }

    @Test
    void aLongJumpFiresEveryDueTimerOnceWhateverItsSlot() {
        for (int i = 0; i < 20; i++) {
            wheel.schedule(timer("t" + i), i * 3L * MS);
        }
        assertThat(wheel.advance(1_000 * MS)).isEqualTo(20);
        assertThat(fired).hasSize(20).doesNotHaveDuplicates();
        assertThat(wheel.advance(2_000 * MS)).isZero();
    }

    @Test
    void rescheduleMovesTheTimerAndCancelStopsIt() {
        TimerWheel.Timer a = timer("a");
        TimerWheel.Timer b = timer("b");
        wheel.schedule(a, 4 * MS);
        wheel.schedule(a, 10 * MS);
        wheel.schedule(b, 4 * MS);
        wheel.cancel(b);
        wheel.cancel(b);
        assertThat(wheel.size()).isOne();
        wheel.advance(8 * MS);
        assertThat(fired).isEmpty();
        wheel.advance(10 * MS);
        assertThat(fired).containsExactly("a@10");
        assertThat(a.isScheduled()).isFalse();
    }

    @Test
    void aTimerThatReArmsItselfForThePastFiresAtTheNextTickNotAgainInTheSameAdvance() {
        int[] count = {0};
        TimerWheel one = new TimerWheel(MS, 1, 0);
        TimerWheel.Timer[] self = new TimerWheel.Timer[1];
        self[0] = one.newTimer(now -> {
            count[0]++;
            one.schedule(self[0], now - 5 * MS);
        });
        one.schedule(self[0], 0);
        assertThat(one.advance(3 * MS)).isOne();
        assertThat(one.advance(3 * MS)).isZero();
        assertThat(one.advance(4 * MS)).isOne();
        assertThat(count[0]).isEqualTo(2);
    }

    @Test
    void aTimerThatReArmsItselfForThePastFiresOnceInAnAdvanceOverManyTicks() {
        int[] count = {0};
        TimerWheel.Timer[] self = new TimerWheel.Timer[1];
        self[0] = wheel.newTimer(now -> {
            count[0]++;
            wheel.schedule(self[0], now);
        });
        wheel.schedule(self[0], 2 * MS);

        assertThat(wheel.advance(10 * MS)).as("five ticks walked").isOne();
        assertThat(count[0]).isOne();
        assertThat(wheel.advance(11 * MS)).as("the next tick has not ended").isZero();
        assertThat(wheel.advance(12 * MS)).isOne();
    }

    @Test
    void anExpiryMayCancelOrMoveTheOtherTimersOfItsSlot() {
        TimerWheel.Timer victim = timer("victim");
        TimerWheel.Timer moved = timer("moved");
        TimerWheel.Timer killer = wheel.newTimer(now -> {
            fired.add("killer");
            wheel.cancel(victim);
            wheel.schedule(moved, now + 40 * MS);
        });
        wheel.schedule(victim, 2 * MS);
        wheel.schedule(moved, 2 * MS);
        wheel.schedule(killer, 2 * MS); // the head of the slot: fires first
        wheel.advance(2 * MS);
        assertThat(fired).containsExactly("killer");
        wheel.advance(42 * MS);
        assertThat(fired).containsExactly("killer", "moved@42");
    }

    @Test
    void neverFiresEarlyOrTwiceUnderRandomUse() {
        Random random = new Random(7);
        TimerWheel small = new TimerWheel(MS, 16, 0);
        int n = 2_000;
        long[] due = new long[n];
        long[] firedAt = new long[n];
        TimerWheel.Timer[] timers = new TimerWheel.Timer[n];
        for (int i = 0; i < n; i++) {
            int index = i;
            timers[i] = small.newTimer(now -> {
                assertThat(firedAt[index]).as("fired once").isZero();
                firedAt[index] = now;
            });
            due[i] = random.nextInt(200) * MS + random.nextInt((int) MS);
            small.schedule(timers[i], due[i]);
        }
        for (long now = 0; now <= 210 * MS; now += random.nextInt(5) * MS + 1) {
            small.advance(now);
        }
        small.advance(300 * MS);
        for (int i = 0; i < n; i++) {
            assertThat(firedAt[i]).as("timer %d due %d", i, due[i]).isGreaterThanOrEqualTo(due[i]);
        }
        assertThat(small.isEmpty()).isTrue();
    }

    @Test
    void refusesANonsenseTick() {
        assertThatThrownBy(() -> new TimerWheel(0, 8, 0)).hasMessageContaining("tick=0ns");
    }
}

package io.floorflash.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RolloverTest {
    @ParameterizedTest(name = "index {0} -> {1}")
    @CsvSource({"0, 0", "1, 1", "32768, 32768", "65534, 65534", "65535, 65535", "65536, 0", "65537, 1",
        "131071, 65535", "131072, 0", "131073, 1", "4294967296, 0"})
    void wrapsToZero(long index, int wire) {
        assertThat(Rollover.TO_ZERO.wire(index)).isEqualTo(wire);
    }

    @ParameterizedTest(name = "index {0} -> {1}")
    @CsvSource({"0, 0", "1, 1", "65534, 65534", "65535, 65535", "65536, 1", "65537, 2", "131070, 65535",
        "131071, 1"})
    void wrapsToOneAndNeverSendsZeroAgain(long index, int wire) {
        assertThat(Rollover.TO_ONE.wire(index)).isEqualTo(wire);
    }

    @Test
    void toOneUsesZeroOnlyForTheOptionAck() {
        int lowest = Integer.MAX_VALUE;
        int highest = Integer.MIN_VALUE;
        for (long index = 1; index <= 3 * 65535L; index++) {
            int wire = Rollover.TO_ONE.wire(index);
            lowest = Math.min(lowest, wire);
            highest = Math.max(highest, wire);
        }

        assertThat(lowest).isEqualTo(1);
        assertThat(highest).isEqualTo(65535);
    }

    @ParameterizedTest(name = "index {0}")
    @ValueSource(longs = {0, 1, 512, 65535})
    void refuseCountsPlainlyWithin16Bits(long index) {
        assertThat(Rollover.REFUSE.wire(index)).isEqualTo((int) index);
    }

    @ParameterizedTest
    @EnumSource(Rollover.class)
    void refusesNegativeIndex(Rollover rollover) {
        assertThatIllegalArgumentException().isThrownBy(() -> rollover.wire(-1))
                .withMessage("index: -1 (expected: >= 0)");
    }

    @ParameterizedTest(name = "reference {0}, ACK {1} -> {2}")
    @CsvSource({
        "1, 1, 1",
        "10, 10, 10",
        "0, 0, 0",
        "65530, 3, 65539",
        "65530, 65535, 65535",
        "65535, 0, 65536",
        "65536, 65535, 65535",
        "65540, 65530, 65530",
        "131070, 2, 131074",
        "131075, 65534, 131070",
        "196600, 0, 196608",
    })
    void mapsAckToNearestIndexWrappingToZero(long reference, int wire, long index) {
        assertThat(Rollover.TO_ZERO.nearest(wire, reference)).isEqualTo(index);
    }

    @ParameterizedTest(name = "reference {0}, ACK {1} -> {2}")
    @CsvSource({
        "1, 1, 1",
        "10, 10, 10",
        "65530, 3, 65538",
        "65530, 65535, 65535",
        "65535, 1, 65536",
        "65536, 65535, 65535",
        "65540, 65530, 65530",
        "131070, 2, 131072",
        "131071, 65535, 131070",
    })
    void mapsAckToNearestIndexWrappingToOne(long reference, int wire, long index) {
        assertThat(Rollover.TO_ONE.nearest(wire, reference)).isEqualTo(index);
    }

    @ParameterizedTest(name = "reference {0}")
    @ValueSource(longs = {0, 1, 70000, 200000})
    void mapsAckZeroToTheOptionAckWhenWrappingToOne(long reference) {
        assertThat(Rollover.TO_ONE.nearest(0, reference)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Rollover.class, names = {"TO_ZERO", "TO_ONE"})
    void mapsStaleAckBelowTheReference(Rollover rollover) {
        for (long reference : new long[] {100, 65535, 65536, 65600, 131071, 1_000_000}) {
            for (int behind = 1; behind <= Math.min(1000, reference - 1); behind++) {
                long stale = reference - behind;
                assertThat(rollover.nearest(rollover.wire(stale), reference))
                        .as("reference %d, %d behind", reference, behind)
                        .isEqualTo(stale)
                        .isLessThan(reference);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Rollover.class, names = {"TO_ZERO", "TO_ONE"})
    void mapsWireNumberBackToItsIndexNearTheReference(Rollover rollover) {
        Random random = new Random(0x7F7F);
        for (int i = 0; i < 20_000; i++) {
            long reference = 1 + (random.nextLong() & 0xFFFF_FFFFL);
            long index = reference + random.nextInt(60_001) - 30_000;
            if (index < 1) {
                continue;
            }
            assertThat(rollover.nearest(rollover.wire(index), reference))
                    .as("reference %d, index %d", reference, index)
                    .isEqualTo(index);
        }
    }

    @Test
    void mapsAckBehindTheFirstBlockBelowZeroWhenWrappingToZero() {
        assertThat(Rollover.TO_ZERO.nearest(65535, 1)).isEqualTo(-1);
        assertThat(Rollover.TO_ZERO.nearest(65535, 0)).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(Rollover.class)
    void refusesWireNumberOutside16Bits(Rollover rollover) {
        assertThatIllegalArgumentException().isThrownBy(() -> rollover.nearest(65536, 10))
                .withMessage("block: 65536 (expected: 0-65535)");
        assertThatIllegalArgumentException().isThrownBy(() -> rollover.nearest(-1, 10))
                .withMessage("block: -1 (expected: 0-65535)");
    }

    @Test
    void refuseAllowsAtMost65535Blocks() {
        assertThat(Rollover.REFUSE.allows(0)).isTrue();
        assertThat(Rollover.REFUSE.allows(1)).isTrue();
        assertThat(Rollover.REFUSE.allows(65535)).isTrue();
        assertThat(Rollover.REFUSE.allows(65536)).isFalse();
        assertThat(Rollover.REFUSE.allows(Long.MAX_VALUE)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = Rollover.class, names = {"TO_ZERO", "TO_ONE"})
    void wrappingPoliciesAllowAnyLength(Rollover rollover) {
        assertThat(rollover.allows(65536)).isTrue();
        assertThat(rollover.allows(1L << 40)).isTrue();
    }

    @Test
    void refusesTheSnomLimitAt512ByteBlocks() {
        // 65535 full blocks need a 65536th, empty block: that is the first size that cannot go without rollover.
        assertThat(Rollover.REFUSE.allows(BlockNumbers.blockCount(33_553_919, 512))).isTrue();
        assertThat(Rollover.REFUSE.allows(BlockNumbers.blockCount(33_553_920, 512))).isFalse();
    }
}

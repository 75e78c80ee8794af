package io.floorflash.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlockNumbersTest {
    @ParameterizedTest(name = "{0} bytes at {1} -> {2} blocks")
    @CsvSource({
        "0, 512, 1",
        "1, 512, 1",
        "511, 512, 1",
        "512, 512, 2",
        "513, 512, 2",
        "1023, 512, 2",
        "1024, 512, 3",
        "33553919, 512, 65535",
        "33553920, 512, 65536",
        "0, 1468, 1",
        "4404, 1468, 4",
        "4405, 1468, 4",
        "7, 8, 1",
        "8, 8, 2",
        "5000000000, 65464, 76378",
    })
    void countsBlocksWithEmptyLastBlockOnExactMultiple(long size, int blockSize, long blocks) {
        assertThat(BlockNumbers.blockCount(size, blockSize)).isEqualTo(blocks);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {0, 1, 32768, 65535})
    void acceptsSixteenBitBlock(int block) {
        assertThat(BlockNumbers.check(block)).isEqualTo(block);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {-1, 65536, 70000, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void refusesBlockOutside16Bits(int block) {
        assertThatIllegalArgumentException().isThrownBy(() -> BlockNumbers.check(block))
                .withMessage("block: " + block + " (expected: 0-65535)");
    }
}

package io.floorflash.protocol;

/**
 * 16-bit block numbers. Transfers count blocks with absolute {@code long} indices (block 1 is the first DATA,
 * index 0 stands for the OACK); {@link Rollover} maps an index to its wire number and an ACK back to the index
 * nearest the window.
 */
public final class BlockNumbers {
    public static final int MAX = 0xFFFF;

    private BlockNumbers() {
    }

    /** Returns {@code block} if it fits 16 bits, else throws. */
    public static int check(int block) {
        if (block < 0 || block > MAX) {
            throw new IllegalArgumentException("block: " + block + " (expected: 0-65535)");
        }
        return block;
    }

    /**
     * How many DATA blocks a file of {@code size} bytes takes at {@code blockSize}: the last block is short,
     * and a file whose size is a multiple of the block size ends with an empty block.
     */
    public static long blockCount(long size, int blockSize) {
        return size / blockSize + 1;
    }
}

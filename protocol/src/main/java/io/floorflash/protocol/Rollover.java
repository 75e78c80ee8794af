package io.floorflash.protocol;

/**
 * What follows block 65535 on a transfer longer than 16 bits can count. Nothing in RFC 1350 says; most clients
 * expect 0, some 1. {@link #REFUSE} never wraps: a server refuses such a transfer before it starts.
 */
public enum Rollover {
    /** 65535 is followed by 0 (tftp-hpa, curl, atftp, U-Boot). */
    TO_ZERO,
    /** 65535 is followed by 1 (some older clients). */
    TO_ONE,
    /** No wrap: a transfer that needs more than 65535 blocks is refused. */
    REFUSE;

    private static final int ZERO_PERIOD = 0x10000;
    private static final int ONE_PERIOD = 0xFFFF;

    /** The 16-bit wire number of absolute block index {@code index} (index 0 is the OACK's ACK 0). */
    public int wire(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
        }
        if (this == TO_ONE) {
            return index == 0 ? 0 : (int) ((index - 1) % ONE_PERIOD) + 1;
        }
        return (int) (index & BlockNumbers.MAX);
    }

    /**
     * The absolute index whose wire number is {@code wire} and that lies nearest {@code reference} (the window
     * being acknowledged). The result may be below zero or past the end; callers treat such a block as stale.
     */
    public long nearest(int wire, long reference) {
        BlockNumbers.check(wire);
        if (this == TO_ONE) {
            if (wire == 0) {
                return 0;
            }
            long ref = Math.max(reference, 1);
            long diff = wire - wire(ref);
            if (diff > ONE_PERIOD / 2) {
                diff -= ONE_PERIOD;
            } else if (diff < -ONE_PERIOD / 2) {
                diff += ONE_PERIOD;
            }
            long index = ref + diff;
            return index < 1 ? index + ONE_PERIOD : index;
        }
        long diff = (short) (wire - wire(Math.max(reference, 0)));
        return Math.max(reference, 0) + diff;
    }

    /** Whether a transfer of {@code blocks} DATA blocks can be carried under this policy. */
    public boolean allows(long blocks) {
        return this != REFUSE || blocks <= BlockNumbers.MAX;
    }
}

package io.floorflash.config;

/**
 * Which UDP ports transfers answer from ({@code floorflash.transfer.ports}): one shared port per event loop
 * chosen by the kernel ({@code shared}), the listener's own port ({@code single}), or a shared port per event
 * loop taken from the range {@code first}-{@code last} ({@code port-range}, for firewalls).
 */
public record TransferPortMode(Mode mode, int first, int last) {
    public enum Mode { SHARED, SINGLE, RANGE }

    public static final TransferPortMode SHARED = new TransferPortMode(Mode.SHARED, 0, 0);
    public static final TransferPortMode SINGLE = new TransferPortMode(Mode.SINGLE, 0, 0);

    public TransferPortMode {
        if (mode == Mode.RANGE ? first < 1 || last > 65535 || first > last : first != 0 || last != 0) {
            throw new IllegalArgumentException("transfer ports: " + mode + " " + first + "-" + last
                    + " (expected: a range within 1-65535 for RANGE, none otherwise)");
        }
    }

    /** The ports of a range, first to last inclusive. */
    public static TransferPortMode range(int first, int last) {
        return new TransferPortMode(Mode.RANGE, first, last);
    }

    @Override
    public String toString() {
        return mode == Mode.RANGE ? first + "-" + last : mode.name().toLowerCase(java.util.Locale.ROOT);
    }
}

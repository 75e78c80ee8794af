package io.floorflash.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which UDP ports transfers answer from ({@code floorflash.transfer.ports}): one shared port per event loop
 * chosen by the kernel ({@code shared}), the listener's own port ({@code single}), or a shared port per event
 * loop taken from the range {@code first}-{@code last} ({@code port-range}, for firewalls).
 */
public record TransferPortMode(Mode mode, int first, int last) {
    public enum Mode { SHARED, SINGLE, RANGE }

    public static final TransferPortMode SHARED = new TransferPortMode(Mode.SHARED, 0, 0);
    public static final TransferPortMode SINGLE = new TransferPortMode(Mode.SINGLE, 0, 0);

    private static final Pattern PORT_RANGE = Pattern.compile("(\\d{1,5})\\s*-\\s*(\\d{1,5})");

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

    /**
     * {@code shared}, {@code single} (any case) or a range {@code N-M} as written in {@code floorflash.transfer.ports}.
     *
     * @throws IllegalArgumentException "'raw' (expected: ...)" for anything else
     */
    public static TransferPortMode parse(String raw) {
        String value = raw.trim();
        switch (value.toLowerCase(Locale.ROOT)) {
            case "shared":
                return SHARED;
            case "single":
                return SINGLE;
            default:
                break;
        }
        Matcher range = PORT_RANGE.matcher(value);
        if (range.matches()) {
            int first = Integer.parseInt(range.group(1));
            int last = Integer.parseInt(range.group(2));
            if (first >= 1 && last <= 65535 && first <= last) {
                return range(first, last);
            }
        }
        throw new IllegalArgumentException("'" + value + "' (expected: shared, single, or a port range such as 50000-50999)");
    }

    @Override
    public String toString() {
        return mode == Mode.RANGE ? first + "-" + last : mode.name().toLowerCase(Locale.ROOT);
    }
}

package io.floorflash.server.provisioning.render;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A device's Ethernet address, however it was written: {@code 00:04:13:A1:1F:A7}, {@code 00-04-13-a1-1f-a7},
 * {@code 000413a11fa7} and {@code 0004.13a1.1fa7} are one device.
 *
 * @param hex the twelve hex digits, lower case
 */
public record MacAddress(String hex) {
    /** What {@link #parse} accepts, for messages. */
    public static final String EXPECTED = "12 hex digits, such as 00:04:13:A1:1F:A7, 00-04-13-a1-1f-a7 or 000413a11fa7";
    private static final Pattern PLAIN = Pattern.compile("[0-9a-f]{12}");
    private static final Pattern SEPARATED = Pattern.compile(
            "[0-9a-f]{2}([:-])[0-9a-f]{2}(\\1[0-9a-f]{2}){4}|[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}");

    public MacAddress {
        if (hex == null || !PLAIN.matcher(hex).matches()) {
            throw new IllegalArgumentException("mac: '" + hex + "' (expected: 12 lower-case hex digits)");
        }
    }

    /** {@code raw} as an address, or empty when it is not one (surrounding white space is ignored). */
    public static Optional<MacAddress> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String lower = raw.strip().toLowerCase(Locale.ROOT);
        if (PLAIN.matcher(lower).matches()) {
            return Optional.of(new MacAddress(lower));
        }
        if (SEPARATED.matcher(lower).matches()) {
            return Optional.of(new MacAddress(lower.replaceAll("[:.-]", "")));
        }
        return Optional.empty();
    }

    /** {@code 000413a11fa7}. */
    public String plain() {
        return hex;
    }

    /** {@code 000413A11FA7}, as Snom names its per-device files. */
    public String upper() {
        return hex.toUpperCase(Locale.ROOT);
    }

    /** {@code 00:04:13:a1:1f:a7}. */
    public String colons() {
        return separated(':');
    }

    /** {@code 00-04-13-a1-1f-a7}. */
    public String dashes() {
        return separated('-');
    }

    private String separated(char separator) {
        StringBuilder out = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                out.append(separator);
            }
            out.append(hex, i, i + 2);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return colons();
    }
}

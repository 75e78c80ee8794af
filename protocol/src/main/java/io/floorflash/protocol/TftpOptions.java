package io.floorflash.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Names of the RFC 2347 options floorflash knows, the decoder's limits on option lists, and the one way option maps
 * are copied. The bounds of the options' values live in {@link OptionLimits}.
 */
public final class TftpOptions {
    /** RFC 2348. */
    public static final String BLKSIZE = "blksize";
    /** RFC 2349. */
    public static final String TSIZE = "tsize";
    /** RFC 2349. */
    public static final String TIMEOUT = "timeout";
    /** RFC 7440. */
    public static final String WINDOWSIZE = "windowsize";

    /** The RFC 1350 block size, used when no blksize is negotiated. */
    public static final int DEFAULT_BLOCK_SIZE = 512;

    /** At most this many options are read from one request; more make it malformed. */
    public static final int MAX_OPTIONS = 32;
    /** At most this many bytes in one option name or value. */
    public static final int MAX_OPTION_LENGTH = 255;

    private TftpOptions() {
    }

    /** An unmodifiable copy with lower-case names, keeping the order (the first of two equal names wins). */
    static Map<String, String> copyOf(Map<String, String> options) {
        if (options.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        options.forEach((name, value) -> copy.putIfAbsent(name.toLowerCase(Locale.ROOT), value));
        return Collections.unmodifiableMap(copy);
    }
}

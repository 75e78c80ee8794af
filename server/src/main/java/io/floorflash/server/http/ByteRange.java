package io.floorflash.server.http;

import java.util.Locale;

/**
 * What a {@code Range} header (RFC 9110 section 14) asks of a representation of {@code size} bytes: the whole of it,
 * one part, or nothing it has. Only a single byte range is served as a part; a header with several ranges, another
 * unit or bad syntax is ignored and the whole file is sent with 200, as RFC 9110 section 14.2 allows.
 *
 * @param first index of the first byte sent
 * @param last  index of the last byte sent (so {@code first - 1} for an empty whole)
 */
record ByteRange(Kind kind, long first, long last) {
    enum Kind {
        /** No usable Range: 200 with every byte. */
        WHOLE,
        /** One satisfiable range: 206 with {@code Content-Range: bytes first-last/size}. */
        PART,
        /** A valid range that starts past the end, or a suffix of 0 bytes: 416 with {@code Content-Range: bytes *}{@code /size}. */
        UNSATISFIABLE
    }

    /** Bytes the answer carries. */
    long length() {
        return kind == Kind.UNSATISFIABLE ? 0 : last - first + 1;
    }

    /**
     * @param header the {@code Range} header's value, or {@code null}
     * @param size   the representation's length in bytes
     */
    static ByteRange parse(String header, long size) {
        ByteRange whole = new ByteRange(Kind.WHOLE, 0, size - 1);
        if (header == null) {
            return whole;
        }
        String value = header.trim();
        int equals = value.indexOf('=');
        if (equals < 0 || !value.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return whole;
        }
        String spec = value.substring(equals + 1).trim();
        if (spec.indexOf(',') >= 0) {
            return whole;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return whole;
        }
        String from = spec.substring(0, dash).trim();
        String to = spec.substring(dash + 1).trim();
        if (from.isEmpty()) {
            long suffix = digits(to);
            if (suffix < 0) {
                return whole;
            }
            if (suffix == 0 || size == 0) {
                return new ByteRange(Kind.UNSATISFIABLE, 0, -1);
            }
            return new ByteRange(Kind.PART, Math.max(0, size - suffix), size - 1);
        }
        long first = digits(from);
        long last = to.isEmpty() ? Long.MAX_VALUE : digits(to);
        if (first < 0 || last < 0 || last < first) {
            return whole;
        }
        if (first >= size) {
            return new ByteRange(Kind.UNSATISFIABLE, 0, -1);
        }
        return new ByteRange(Kind.PART, first, Math.min(last, size - 1));
    }

    /** A decimal number of 1 or more digits, {@link Long#MAX_VALUE} when too long for a long, -1 for anything else. */
    private static long digits(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (value > (Long.MAX_VALUE - 9) / 10) {
                value = Long.MAX_VALUE;
            } else {
                value = value * 10 + (c - '0');
            }
        }
        return value;
    }
}

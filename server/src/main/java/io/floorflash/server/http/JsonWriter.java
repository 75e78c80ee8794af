package io.floorflash.server.http;

/**
 * A small streaming JSON writer into a {@link StringBuilder}: objects, arrays, strings, numbers and booleans, with
 * commas placed for the caller. Strings are escaped for JSON and stay safe inside HTML and JavaScript: quotes,
 * backslashes, control characters, {@code <}, {@code >}, {@code &}, U+2028/U+2029 and lone surrogates become
 * {@code \}-escapes. File names come from clients: never write them any other way.
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int MAX_DEPTH = 64;

    private final StringBuilder out;
    /** Per open container: whether the next value needs a comma before it. */
    private final boolean[] needsComma = new boolean[MAX_DEPTH + 1];
    private int depth;
    private boolean afterName;

    public JsonWriter(StringBuilder out) {
        this.out = out;
    }

    public JsonWriter beginObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** The name of the next member of the current object. */
    public JsonWriter name(String name) {
        separate();
        quote(out, name);
        out.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String value) {
        separate();
        quote(out, value);
        return this;
    }

    public JsonWriter value(long value) {
        separate();
        out.append(value);
        return this;
    }

    public JsonWriter value(boolean value) {
        separate();
        out.append(value);
        return this;
    }

    private JsonWriter open(char bracket) {
        separate();
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }
        out.append(bracket);
        needsComma[++depth] = false;
        return this;
    }

    private JsonWriter close(char bracket) {
        if (depth == 0) {
            throw new IllegalStateException("'" + bracket + "' without an open container");
        }
        depth--;
        out.append(bracket);
        return this;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (needsComma[depth]) {
            out.append(',');
        }
        needsComma[depth] = true;
    }

    /** Appends {@code value} as a quoted, escaped JSON string (UTF-8 text: non-ASCII characters stay as they are). */
    public static void quote(StringBuilder out, String value) {
        quote(out, value, false);
    }

    /**
     * Appends {@code value} as a quoted JSON string that is plain ASCII: every character outside printable ASCII is a
     * JSON backslash-u escape, so a line stays one readable line whatever charset it is read with (the audit log).
     */
    public static StringBuilder quoteAscii(StringBuilder out, String value) {
        quote(out, value, true);
        return out;
    }

    private static void quote(StringBuilder out, String value, boolean asciiOnly) {
        out.append('"');
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                case '<':
                case '>':
                case '&':
                case '\u2028':
                case '\u2029':
                case '\u007f':
                    unicodeEscape(out, c);
                    break;
                default:
                    if (c < 0x20 || asciiOnly && c > 0x7E) {
                        unicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                        out.append(c).append(value.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(out, c); // a lone half: UTF-8 cannot carry it, JSON can
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
    }
}

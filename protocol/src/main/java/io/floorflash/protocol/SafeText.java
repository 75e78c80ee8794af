package io.floorflash.protocol;

/**
 * Text from the network (requested names, clients' ERROR messages, HTTP paths) made safe to show: in a log line, on a
 * terminal, on the floor page. Every control character (C0, DEL, C1), the Unicode line and paragraph separators and
 * the bidirectional overrides and isolates become a visible escape ({@code \x1b}, {@code \u202e}), so a name can
 * neither forge a log line with a newline nor reach the operator's terminal with an escape sequence nor reverse the
 * text around it. Everything else, backslashes included, is kept as it is: escaping is idempotent, so text escaped
 * once at its source and again by the log pattern reads the same.
 */
public final class SafeText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private SafeText() {
    }

    /** {@code text} with every unsafe character escaped; the same instance when there is none. */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        appendEscaped(out, text, first);
        return out.toString();
    }

    /** Appends {@code text} to {@code out} with every unsafe character escaped. */
    public static StringBuilder append(StringBuilder out, CharSequence text) {
        return appendEscaped(out, text, 0);
    }

    /** Whether {@code c} is shown as an escape. */
    public static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e'
                || c == '\u200f' || c == '\u061c';
    }

    private static int firstUnsafe(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (unsafe(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static StringBuilder appendEscaped(StringBuilder out, CharSequence text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!unsafe(c)) {
                out.append(c);
            } else if (c <= 0xff) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                        .append(HEX[c & 0xf]);
            }
        }
        return out;
    }
}

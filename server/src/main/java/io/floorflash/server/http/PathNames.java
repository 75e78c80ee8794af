package io.floorflash.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Turns the raw, percent-encoded rest of a request path into the file name it asks for, decoding exactly once. */
final class PathNames {
    private PathNames() {
    }

    /**
     * Decodes {@code %XX} escapes as UTF-8; {@code +} stays a plus (it means a space only in query strings). Bytes
     * that are not UTF-8 become U+FFFD, which {@link io.floorflash.server.firmware.FirmwareName} refuses like TFTP
     * does.
     *
     * @throws IllegalArgumentException for a {@code %} not followed by two hex digits
     */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
                continue;
            }
            int high = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("bad percent escape at " + i + " in '" + raw + "' (expected: % and two hex digits)");
            }
            bytes.write(high << 4 | low);
            i += 2;
        }
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }
}

package io.floorflash.loadtest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Seeded content and small builders shared by the tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** Seeded random bytes: the same size gives the same bytes. */
    static byte[] content(int size) {
        byte[] bytes = new byte[size];
        new Random(0x5EED_0000L + size).nextBytes(bytes);
        return bytes;
    }

    /** An ordered option map from name, value, name, value... */
    static Map<String, String> options(String... namesAndValues) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            options.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return options;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

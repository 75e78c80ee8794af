package io.floorflash.server.firmware;

import io.floorflash.protocol.TransferMode;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Builds {@link FirmwareImage}s for tests from bytes in memory, the way the store does: direct, read-only, hashed. */
public final class TestImages {
    private TestImages() {
    }

    /** An octet-mode image named {@code name} holding a copy of {@code bytes}. */
    public static FirmwareImage of(String name, byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return new FirmwareImage(name, TransferMode.OCTET, direct, sha256(bytes));
    }

    /** {@code length} bytes that differ from block to block, so a block sent from the wrong offset is caught. */
    public static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8) * 7 + (i >>> 16));
        }
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

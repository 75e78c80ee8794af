package io.floorflash.server.provisioning.render;

import io.floorflash.server.firmware.FileVersion;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One device's generated file: its bytes (UTF-8), their SHA-256 and the versions of the template and the inventory it
 * was made from. Immutable: the bytes are never handed out writable.
 */
public final class RenderedFile implements RenderResult {
    private final byte[] bytes;
    private final String sha256;
    private final FileVersion template;
    private final FileVersion inventory;

    RenderedFile(byte[] bytes, FileVersion template, FileVersion inventory) {
        this.bytes = bytes;
        this.sha256 = HexFormat.of().formatHex(digest().digest(bytes));
        this.template = template;
        this.inventory = inventory;
    }

    /** The content, read-only. */
    public ByteBuffer content() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** A copy of the content. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, bytes.length);
    }

    public int size() {
        return bytes.length;
    }

    /** SHA-256 of the content, lower-case hex (what the audit line carries). */
    public String sha256() {
        return sha256;
    }

    /** The template version it was rendered from. */
    public FileVersion template() {
        return template;
    }

    /** The inventory version it was rendered from. */
    public FileVersion inventory() {
        return inventory;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

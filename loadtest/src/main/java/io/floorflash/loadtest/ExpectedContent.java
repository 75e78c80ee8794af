package io.floorflash.loadtest;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a simulated phone must receive: the exact bytes (checked block by block as they arrive) or, when only a
 * hash is known, its SHA-256 (checked over the in-order stream).
 */
final class ExpectedContent {
    private final byte[] bytes;
    private final byte[] sha256;
    private final long size;

    private ExpectedContent(byte[] bytes, byte[] sha256, long size) {
        this.bytes = bytes;
        this.sha256 = sha256;
        this.size = size;
    }

    static ExpectedContent ofBytes(byte[] bytes) {
        return new ExpectedContent(bytes, null, bytes.length);
    }

    static ExpectedContent ofSha256(String hex) {
        byte[] digest = HexFormat.of().parseHex(hex);
        if (digest.length != 32) {
            throw new IllegalArgumentException("sha256: " + hex.length() + " hex digits (expected: 64)");
        }
        return new ExpectedContent(null, digest, -1);
    }

    /** The expected size, or -1 when only a hash is known. */
    long size() {
        return size;
    }

    /** A checker for one transfer. */
    Checker checker() {
        return new Checker();
    }

    /** Checks one transfer's in-order stream. */
    final class Checker {
        private final MessageDigest digest = bytes == null ? newDigest() : null;
        /** A view of the expected bytes, moved to each block in turn: nothing is allocated per block. */
        private final ByteBuffer expected = bytes == null ? null : ByteBuffer.wrap(bytes);
        private long offset;

        /** Checks the readable bytes of {@code block} at the current offset; false when any byte differs. */
        boolean accept(ByteBuf block) {
            int length = block.readableBytes();
            if (bytes != null) {
                if (offset + length > bytes.length) {
                    return false;
                }
                // One vectorised bulk comparison, not a read per 8 bytes (each read of a leak-tracked buffer records
                // a trace). Moving the limit first keeps the position at or below it.
                expected.limit((int) offset + length).position((int) offset);
                if (!expected.equals(view(block, length))) {
                    return false;
                }
            } else {
                digest.update(view(block, length));
            }
            offset += length;
            return true;
        }

        /** Whether the stream ended exactly at the expected content. */
        boolean matchesAtEnd() {
            if (bytes != null) {
                return offset == bytes.length;
            }
            return MessageDigest.isEqual(digest.digest(), sha256);
        }

        long received() {
            return offset;
        }
    }

    /**
     * The readable bytes of {@code block} as a {@link ByteBuffer}: the buffer's own reusable view when it has one
     * region (read at once, on the thread that owns the buffer), else a new one.
     */
    private static ByteBuffer view(ByteBuf block, int length) {
        return block.nioBufferCount() == 1 ? block.internalNioBuffer(block.readerIndex(), length) : block.nioBuffer();
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

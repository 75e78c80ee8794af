package io.floorflash.server.firmware;

import io.floorflash.protocol.TransferMode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;

/**
 * One version of one firmware file, as a client receives it (converted for netascii), held once in memory and
 * shared read-only by every transfer.
 *
 * <p><b>Lifetime rule:</b> the bytes live in a direct {@link ByteBuffer} owned by the garbage collector; nobody
 * frees it by hand and nothing counts references to it. {@link #block} wraps a slice of it in a new, unpooled
 * {@link ByteBuf} whose release frees nothing, so a DATA packet in flight keeps the memory alive by reachability.
 * Eviction from the cache or a new version on disk only drops the store's reference: a running transfer keeps
 * sending the bytes it started with, and the bytes never change.
 */
public final class FirmwareImage {
    private final String name;
    private final TransferMode mode;
    private final ByteBuffer bytes;
    /** The same bytes as one buffer, read only at absolute indices (which change nothing, so any thread may). */
    private final ByteBuf whole;
    private final String sha256;
    private final Instant lastModified;

    FirmwareImage(String name, TransferMode mode, ByteBuffer bytes, String sha256) {
        this(name, mode, bytes, sha256, null);
    }

    /** @param lastModified the file's modification time, or {@code null} when not known */
    FirmwareImage(String name, TransferMode mode, ByteBuffer bytes, String sha256, Instant lastModified) {
        this.name = name;
        this.mode = mode;
        this.bytes = bytes.asReadOnlyBuffer();
        this.whole = Unpooled.wrappedBuffer(this.bytes);
        this.sha256 = sha256;
        this.lastModified = lastModified;
    }

    /** The name below the root, as logged. */
    public String name() {
        return name;
    }

    public TransferMode mode() {
        return mode;
    }

    /** Bytes a client receives: the file size in octet mode, the converted size in netascii. */
    public long size() {
        return bytes.capacity();
    }

    /** SHA-256 of the bytes sent, in lower-case hex. */
    public String sha256() {
        return sha256;
    }

    /** When the file this version was read from was last modified, if known (HTTP's Last-Modified). */
    public Optional<Instant> lastModified() {
        return Optional.ofNullable(lastModified);
    }

    /**
     * A read-only view of {@code length} bytes from {@code offset}. The caller owns the returned buffer; releasing
     * it frees nothing (see the lifetime rule above).
     */
    public ByteBuf block(long offset, int length) {
        return Unpooled.wrappedBuffer(bytes.slice((int) offset, length));
    }

    /** Appends {@code length} bytes from {@code offset} to {@code out}: a DATA payload, without a view per block. */
    public void copyTo(long offset, int length, ByteBuf out) {
        out.writeBytes(whole, (int) offset, length);
    }

    @Override
    public String toString() {
        return "FirmwareImage(" + name + ", " + mode.wireName() + ", " + size() + " bytes)";
    }
}

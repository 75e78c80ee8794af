package io.floorflash.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * DATA: one block of the file. Holds a reference-counted payload; whoever receives a {@code Data} passes it on
 * or releases it. A server's payload is normally a slice of a shared firmware image.
 */
public final class Data extends DefaultByteBufHolder implements TftpPacket {
    private final int block;

    /** Takes ownership of {@code payload}, and releases it if {@code block} is out of range. */
    public Data(int block, ByteBuf payload) {
        super(checked(block, payload));
        this.block = block;
    }

    private static ByteBuf checked(int block, ByteBuf payload) {
        try {
            BlockNumbers.check(block);
            return payload;
        } catch (IllegalArgumentException e) {
            payload.release();
            throw e;
        }
    }

    /** The 16-bit block number as it is on the wire. */
    public int block() {
        return block;
    }

    @Override
    public Opcode opcode() {
        return Opcode.DATA;
    }

    @Override
    public Data replace(ByteBuf content) {
        return new Data(block, content);
    }

    @Override
    public Data retain() {
        super.retain();
        return this;
    }

    @Override
    public Data retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public Data touch(Object hint) {
        super.touch(hint);
        return this;
    }

    /** Equal when the block numbers and the readable payload bytes are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Data && block == ((Data) o).block && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + block;
    }

    @Override
    public String toString() {
        return "Data(block=" + block + ", bytes=" + content().readableBytes() + ")";
    }
}

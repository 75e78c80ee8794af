package io.floorflash.protocol;

import io.netty.buffer.ByteBuf;

/**
 * RFC 764 netascii as TFTP uses it: LF becomes CR LF and a bare CR becomes CR NUL. Sizes and block boundaries of
 * a netascii transfer refer to the converted stream.
 */
public final class Netascii {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte NUL = 0;

    private Netascii() {
    }

    /** The length of {@code source}'s readable bytes once converted, without moving its indices. */
    public static long encodedLength(ByteBuf source) {
        long length = source.readableBytes();
        int end = source.writerIndex();
        for (int i = source.readerIndex(); i < end; i++) {
            byte b = source.getByte(i);
            if (b == LF || b == CR) {
                length++;
            }
        }
        return length;
    }

    /** Writes the conversion of {@code source}'s readable bytes to {@code target}, without moving source's. */
    public static void encode(ByteBuf source, ByteBuf target) {
        int end = source.writerIndex();
        for (int i = source.readerIndex(); i < end; i++) {
            byte b = source.getByte(i);
            if (b == LF) {
                target.writeByte(CR).writeByte(LF);
            } else if (b == CR) {
                target.writeByte(CR).writeByte(NUL);
            } else {
                target.writeByte(b);
            }
        }
    }

    /**
     * Writes the local form of netascii {@code source} to {@code target}: CR LF becomes LF, CR NUL becomes CR;
     * a CR before any other byte (or at the end) is kept as it is.
     */
    public static void decode(ByteBuf source, ByteBuf target) {
        int end = source.writerIndex();
        for (int i = source.readerIndex(); i < end; i++) {
            byte b = source.getByte(i);
            if (b == CR && i + 1 < end) {
                byte next = source.getByte(i + 1);
                if (next == LF) {
                    target.writeByte(LF);
                    i++;
                    continue;
                }
                if (next == NUL) {
                    target.writeByte(CR);
                    i++;
                    continue;
                }
            }
            target.writeByte(b);
        }
    }
}

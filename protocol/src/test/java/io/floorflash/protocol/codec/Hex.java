package io.floorflash.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Hex fixtures for the codec tests. Buffers come from the default (leak-tracked) allocator; callers release them. */
final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    /** A new direct buffer holding the bytes of {@code hex}. */
    static ByteBuf buffer(String hex) {
        byte[] bytes = HEX.parseHex(hex);
        return ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** The hex of {@code text}'s ASCII bytes, to spell strings inside fixtures. */
    static String ascii(String text) {
        return HEX.formatHex(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code length} bytes counting up from 0, as hex. */
    static String counting(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return HEX.formatHex(bytes);
    }

    /** The readable bytes of {@code buf}, as lower-case hex, without moving its indices. */
    static String dump(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }
}

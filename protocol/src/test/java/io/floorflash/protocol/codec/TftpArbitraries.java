package io.floorflash.protocol.codec;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpOptions;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.WriteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators of TFTP packets and of datagrams that look more or less like them. Random bytes alone almost
 * never get past the opcode, so most datagrams here start with one of the six opcodes and then carry NUL-rich
 * garbage, a valid packet cut short or changed in one place, or a request with garbage options.
 */
public final class TftpArbitraries {
    /** Known option names, some in other cases, and names no RFC defines. */
    private static final List<String> OPTION_NAMES = List.of(TftpOptions.BLKSIZE, TftpOptions.TSIZE,
            TftpOptions.TIMEOUT, TftpOptions.WINDOWSIZE, "BLKSIZE", "WindowSize", "multicast", "rollover", "x");
    /** Values around every bound, numbers that overflow, signs, spaces, hex and non-ASCII digits. */
    private static final List<String> OPTION_VALUES = List.of("0", "1", "7", "8", "255", "256", "512", "1468", "65464",
            "65465", "65535", "65536", "2147483647", "2147483648", "4294967296", "9999999999", "99999999999", "-1",
            "+8", " 512", "512 ", "0x200", "", "01468", "\u0663\u0663", "1e3", "NaN");

    /** The longest ERROR message the decoder keeps whole, in UTF-8 bytes. */
    static final int ERROR_MESSAGE_BYTES = 512;

    private TftpArbitraries() {
    }

    /** A packet to build afresh for every use: a DATA holds a buffer, which must not pass from one try to the next. */
    record PacketSpec(TftpPacket packet, int block, byte[] payload) {
        TftpPacket build() {
            return packet != null ? packet : new Data(block, Unpooled.wrappedBuffer(payload));
        }

        @Override
        public String toString() {
            return packet != null ? packet.toString() : "Data(block=" + block + ", bytes=" + payload.length + ")";
        }
    }

    /** Every kind of well-formed packet, within the codec's documented bounds. */
    static Arbitrary<PacketSpec> packets() {
        return Arbitraries.oneOf(
                requests().map(p -> new PacketSpec(p, 0, null)),
                Combinators.combine(blocks(), payloads()).as((block, payload) -> new PacketSpec(null, block, payload)),
                blocks().map(block -> new PacketSpec(new Ack(block), 0, null)),
                Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), text(ERROR_MESSAGE_BYTES, 0))
                        .as((code, message) -> new PacketSpec(new ErrorPacket(code, message), 0, null)),
                options(1).map(options -> new PacketSpec(new OptionAck(options), 0, null)));
    }

    static Arbitrary<TftpPacket> requests() {
        return Combinators.combine(Arbitraries.of(true, false), text(TftpPacketCodec.MAX_FILENAME_LENGTH, 1),
                        Arbitraries.of(TransferMode.class), options(0))
                .as((read, filename, mode, options) -> read
                        ? new ReadRequest(filename, mode, options)
                        : new WriteRequest(filename, mode, options));
    }

    static Arbitrary<Integer> blocks() {
        return Arbitraries.integers().between(0, 0xFFFF).edgeCases(e -> e.includeOnly(0, 1, 0xFFFF));
    }

    private static Arbitrary<byte[]> payloads() {
        return Arbitraries.frequencyOf(
                Tuple.of(9, randomBytes(1468)),
                Tuple.of(1, randomBytes(OptionLimits.MAX_BLOCK_SIZE)));
    }

    /**
     * Up to {@code maxLength} random bytes, drawn from a seed: far cheaper than jqwik's byte-by-byte arrays at these
     * sizes, and it still shrinks (towards shorter).
     */
    static Arbitrary<byte[]> randomBytes(int maxLength) {
        return Combinators.combine(Arbitraries.integers().between(0, maxLength), Arbitraries.longs()).as((length, seed) -> {
            byte[] bytes = new byte[length];
            new SplittableRandom(seed).nextBytes(bytes);
            return bytes;
        });
    }

    /**
     * Text without NUL of at most {@code maxUtf8Bytes} bytes in UTF-8: mostly ASCII, a quarter from the whole Basic
     * Multilingual Plane (no lone surrogates, which UTF-8 cannot carry). Drawn from a seed, like {@link #randomBytes}.
     */
    static Arbitrary<String> text(int maxUtf8Bytes, int minLength) {
        return Combinators.combine(Arbitraries.integers().between(minLength, maxUtf8Bytes), Arbitraries.longs())
                .as((length, seed) -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    boolean unicode = random.nextInt(4) == 0;
                    StringBuilder text = new StringBuilder(length);
                    int bytes = 0;
                    while (text.length() < length) {
                        char c = unicode ? (char) random.nextInt(1, 0xD800) : (char) random.nextInt(1, 0x80);
                        int size = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                        if (bytes + size > maxUtf8Bytes) {
                            break;
                        }
                        text.append(c);
                        bytes += size;
                    }
                    return text.toString();
                });
    }

    /**
     * Option maps as the decoder returns them: lower-case ASCII names without NUL, values of printable ASCII, at most
     * {@link TftpOptions#MAX_OPTIONS}, each string at most {@link TftpOptions#MAX_OPTION_LENGTH} bytes.
     */
    static Arbitrary<Map<String, String>> options(int min) {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of(TftpOptions.BLKSIZE, TftpOptions.TSIZE, TftpOptions.TIMEOUT, TftpOptions.WINDOWSIZE),
                Arbitraries.strings().withCharRange('a', 'z').withChars('-', '_', '.', '0', '9').ofMinLength(1)
                        .ofMaxLength(TftpOptions.MAX_OPTION_LENGTH));
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of(OPTION_VALUES).filter(TftpArbitraries::isAscii),
                Arbitraries.strings().withCharRange('\u0020', '\u007E').ofMaxLength(TftpOptions.MAX_OPTION_LENGTH));
        return Arbitraries.maps(names, values).ofMinSize(min).ofMaxSize(TftpOptions.MAX_OPTIONS)
                .map(LinkedHashMap::new);
    }

    /** Request options as a client might send them: known and unknown names in any case, garbage values. */
    static Arbitrary<Map<String, String>> hostileOptions() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of(OPTION_NAMES),
                Arbitraries.strings().withCharRange('\u0001', '\u007F').ofMinLength(1).ofMaxLength(12));
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of(OPTION_VALUES),
                Arbitraries.longs().between(-70_000, 100_000_000_000L).map(String::valueOf),
                Arbitraries.strings().withCharRange('\u0001', '\u007F').ofMaxLength(12));
        return Arbitraries.maps(names, values).ofMaxSize(8).map(LinkedHashMap::new);
    }

    /** Datagrams: random bytes, TFTP-shaped garbage, valid packets cut or changed, requests with garbage options. */
    static Arbitrary<byte[]> datagrams() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, randomBytes(1600)),
                Tuple.of(3, shapedGarbage()),
                Tuple.of(3, mutated()),
                Tuple.of(2, hostileRequests()));
    }

    /** An opcode (mostly a valid one) and NUL-rich bytes after it. */
    private static Arbitrary<byte[]> shapedGarbage() {
        Arbitrary<Integer> opcodes = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(1, 6)),
                Tuple.of(1, Arbitraries.of(0, 7, 0x0100, 0xFFFF)));
        Arbitrary<byte[]> tail = randomBytes(600).map(bytes -> {
            // Three in eight bytes NUL, half printable: enough separators for names, modes and options.
            for (int i = 0; i < bytes.length; i++) {
                int r = bytes[i] & 0xFF;
                bytes[i] = r < 96 ? 0 : r < 224 ? (byte) (0x20 + r % 0x5F) : bytes[i];
            }
            return bytes;
        });
        return Combinators.combine(opcodes, tail).as((opcode, bytes) -> {
            byte[] out = new byte[2 + bytes.length];
            out[0] = (byte) (opcode >>> 8);
            out[1] = opcode.byteValue();
            System.arraycopy(bytes, 0, out, 2, bytes.length);
            return out;
        });
    }

    /** A valid packet's bytes cut short, with one byte changed, a NUL or junk put in, or junk after it. */
    private static Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> valid = packets().map(spec -> encode(spec.build()));
        return Combinators.combine(valid, Arbitraries.integers().between(0, 4), Arbitraries.integers().greaterOrEqual(0),
                Arbitraries.bytes(), Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as((bytes, how, where, b, junk) -> {
            int at = bytes.length == 0 ? 0 : where % bytes.length;
            switch (how) {
                case 0:
                    return Arrays.copyOf(bytes, at);
                case 1:
                    if (bytes.length > 0) {
                        bytes[at] = b;
                    }
                    return bytes;
                case 2:
                    return concat(Arrays.copyOf(bytes, at), new byte[] {0}, Arrays.copyOfRange(bytes, at, bytes.length));
                case 3:
                    return concat(Arrays.copyOf(bytes, at), junk, Arrays.copyOfRange(bytes, at, bytes.length));
                default:
                    return concat(bytes, junk);
            }
        });
    }

    /** An RRQ or WRQ of a plausible name and mode, with options a client might send, often not valid. */
    private static Arbitrary<byte[]> hostileRequests() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of("snom320.bin", "missing.bin", "../etc/passwd", "a"),
                text(40, 0));
        Arbitrary<String> modes = Arbitraries.oneOf(Arbitraries.of("octet", "netascii", "OCTET", "NetAscii", "mail", ""),
                Arbitraries.strings().ofMaxLength(40));
        return Combinators.combine(Arbitraries.of(1, 2), names, modes, hostileOptions()).as((opcode, name, mode, options) -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(opcode);
            writeString(out, name);
            writeString(out, mode);
            options.forEach((key, value) -> {
                writeString(out, key);
                writeString(out, value);
            });
            return out.toByteArray();
        });
    }

    /** The bytes of {@code packet}; a DATA is released. */
    public static byte[] encode(TftpPacket packet) {
        ByteBuf out = Unpooled.buffer();
        try {
            TftpPacketCodec.encode(packet, out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            if (packet instanceof Data data) {
                data.release();
            }
        }
    }

    private static void writeString(ByteArrayOutputStream out, String value) {
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static boolean isAscii(String value) {
        return value.chars().allMatch(c -> c < 0x80);
    }
}

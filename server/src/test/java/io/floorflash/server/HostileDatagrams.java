package io.floorflash.server;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.codec.TftpArbitraries;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators of what a hostile or broken network sends a TFTP server: random bytes, the six opcodes followed
 * by NUL-rich garbage, requests for files that exist or not with garbage options, ACKs of any block, ERRORs, DATA
 * and OACKs, and any of those cut short. Bytes are drawn from a seed (cheap at datagram sizes; shrinks by length).
 */
public final class HostileDatagrams {
    private static final List<String> OPTION_NAMES = List.of("blksize", "tsize", "timeout", "windowsize", "BLKSIZE",
            "WindowSize", "multicast", "x");
    private static final List<String> OPTION_VALUES = List.of("0", "1", "7", "8", "16", "255", "256", "512", "1468",
            "1469", "65464", "65535", "65536", "4294967296", "9999999999", "99999999999", "-1", "+8", " 512", "0x200",
            "", "\u0663", "NaN");
    private static final List<String> MODES = List.of("octet", "netascii", "OCTET", "mail", "", "octet\u00ff");

    private HostileDatagrams() {
    }

    /**
     * Datagrams of every kind above; requests name one of {@code files} (which may exist on the server) or a
     * missing or forbidden name.
     */
    public static Arbitrary<byte[]> any(List<String> files) {
        return Arbitraries.frequencyOf(
                Tuple.of(2, randomBytes(1600)),
                Tuple.of(2, shapedGarbage()),
                Tuple.of(3, requests(files)),
                Tuple.of(2, acks()),
                Tuple.of(1, packets()),
                Tuple.of(1, Combinators.combine(Arbitraries.oneOf(requests(files), packets()), Arbitraries.integers()
                        .greaterOrEqual(0)).as((bytes, cut) -> Arrays.copyOf(bytes, cut % (bytes.length + 1)))));
    }

    /** ACKs of any block, now and then with bytes after the block number. */
    public static Arbitrary<byte[]> acks() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(0, 9))
                .as((block, pad) -> Arrays.copyOf(encode(new Ack(block)), pad < 8 ? 4 : 4 + pad));
    }

    /** Up to {@code maxLength} random bytes. */
    public static Arbitrary<byte[]> randomBytes(int maxLength) {
        return Combinators.combine(Arbitraries.integers().between(0, maxLength), Arbitraries.longs()).as((length, seed) -> {
            byte[] bytes = new byte[length];
            new SplittableRandom(seed).nextBytes(bytes);
            return bytes;
        });
    }

    private static Arbitrary<byte[]> shapedGarbage() {
        return Combinators.combine(Arbitraries.integers().between(0, 7), randomBytes(600)).as((opcode, bytes) -> {
            byte[] out = new byte[2 + bytes.length];
            out[1] = opcode.byteValue();
            for (int i = 0; i < bytes.length; i++) {
                int r = bytes[i] & 0xFF;
                out[2 + i] = r < 96 ? 0 : r < 224 ? (byte) (0x20 + r % 0x5F) : bytes[i];
            }
            return out;
        });
    }

    /** RRQs and WRQs with garbage options and modes. */
    public static Arbitrary<byte[]> requests(List<String> files) {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of(files),
                Arbitraries.of("missing.bin", "../etc/passwd", "/", "dir/", "a\u001b[2Jb", "C:\\boot.ini"));
        Arbitrary<Map<String, String>> options = Arbitraries.maps(Arbitraries.of(OPTION_NAMES), Arbitraries.oneOf(
                Arbitraries.of(OPTION_VALUES), Arbitraries.integers().between(0, 70_000).map(String::valueOf))).ofMaxSize(5);
        return Combinators.combine(Arbitraries.frequency(Tuple.of(9, 1), Tuple.of(1, 2)), names,
                Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just("octet")), Tuple.of(1, Arbitraries.of(MODES))), options)
                .as((opcode, name, mode, opts) -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.write(0);
                    out.write(opcode);
                    writeString(out, name);
                    writeString(out, mode);
                    opts.forEach((key, value) -> {
                        writeString(out, key);
                        writeString(out, value);
                    });
                    return out.toByteArray();
                });
    }

    /** DATA, ERROR and OACK packets as a confused peer might send them. */
    private static Arbitrary<byte[]> packets() {
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), randomBytes(600))
                        .as((block, payload) -> encode(new Data(block, Unpooled.wrappedBuffer(payload)))),
                Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.strings().ofMaxLength(40))
                        .as((code, message) -> encode(new ErrorPacket(code, message.replace('\0', ' ')))),
                Arbitraries.of("blksize", "tsize", "windowsize").map(name -> encode(new OptionAck(Map.of(name, "512")))));
    }

    /** The bytes of {@code packet}; a DATA is released. */
    public static byte[] encode(TftpPacket packet) {
        return TftpArbitraries.encode(packet);
    }

    private static void writeString(ByteArrayOutputStream out, String value) {
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }
}

package io.floorflash.protocol.codec;

import static io.floorflash.protocol.codec.Hex.ascii;
import static io.floorflash.protocol.codec.Hex.buffer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MalformedPacketTest {
    /** "what: got (expected: ...)", one line, no trailing text. */
    private static final String MESSAGE_SHAPE = "[A-Za-z ]+: .+ \\(expected: [^()]+\\)";

    private static final String SNOM = ascii("snom320.bin") + "00";
    private static final String OCTET = ascii("octet") + "00";
    private static final String RRQ = "0001" + SNOM + OCTET;
    private static final String BLKSIZE_1468 = ascii("blksize") + "00" + ascii("1468") + "00";

    static Stream<Arguments> malformedDatagrams() {
        return Stream.of(
                arguments("empty datagram", "", 0, "packet: 0 bytes (expected: at least 2)"),
                arguments("1 byte, 00", "00", 0, "packet: 1 bytes (expected: at least 2)"),
                arguments("1 byte, 01", "01", 0, "packet: 1 bytes (expected: at least 2)"),
                arguments("opcode 0", "0000" + SNOM + OCTET, 0, "opcode: 0 (expected: 1-6)"),
                arguments("opcode 7", "00070001", 7, "opcode: 7 (expected: 1-6)"),
                arguments("opcode 0x0100", "0100", 256, "opcode: 256 (expected: 1-6)"),
                arguments("opcode 0xFFFF", "ffff0000", 65535, "opcode: 65535 (expected: 1-6)"),

                arguments("RRQ of opcode only", "0001", 1, "RRQ: no NUL after filename"),
                arguments("RRQ without NUL after filename", "0001" + ascii("snom320.bin"), 1,
                        "RRQ: no NUL after filename"),
                arguments("RRQ with empty filename", "0001" + "00" + OCTET, 1, "RRQ: empty filename"),
                arguments("RRQ with filename of 513 bytes", "0001" + ascii("f".repeat(513)) + "00" + OCTET, 1,
                        "RRQ: filename of 513 bytes (expected: at most 512)"),
                arguments("RRQ without mode", "0001" + SNOM, 1, "RRQ: no NUL after mode"),
                arguments("RRQ without NUL after mode", "0001" + SNOM + ascii("octet"), 1,
                        "RRQ: no NUL after mode"),
                arguments("RRQ with mode 'mail'", "0001" + SNOM + ascii("mail") + "00", 1,
                        "RRQ: unsupported mode 'mail' (expected: octet or netascii)"),
                arguments("RRQ with mode 'binary'", "0001" + SNOM + ascii("binary") + "00", 1,
                        "RRQ: unsupported mode 'binary' (expected: octet or netascii)"),
                arguments("RRQ with empty mode", "0001" + SNOM + "00", 1,
                        "RRQ: unsupported mode '' (expected: octet or netascii)"),
                arguments("RRQ with control characters in mode", "0001" + SNOM + "6f0a07" + "00", 1,
                        "RRQ: unsupported mode 'o??' (expected: octet or netascii)"),
                arguments("RRQ with mode of 33 bytes", "0001" + SNOM + ascii("o".repeat(33)) + "00", 1,
                        "RRQ: mode of 33 bytes (expected: octet or netascii)"),

                arguments("option name without value", RRQ + ascii("blksize") + "00", 1,
                        "RRQ: option 'blksize' has no value (expected: name NUL value NUL)"),
                arguments("option value without NUL", RRQ + ascii("blksize") + "00" + ascii("1468"), 1,
                        "RRQ: option 'blksize' has no value (expected: name NUL value NUL)"),
                arguments("option name without NUL", RRQ + ascii("blksize"), 1,
                        "RRQ: no NUL after option name (expected: name NUL value NUL)"),
                arguments("second option name without NUL", RRQ + BLKSIZE_1468 + ascii("tsize"), 1,
                        "RRQ: no NUL after option name"),
                arguments("empty option name between pairs",
                        RRQ + BLKSIZE_1468 + "00" + ascii("tsize") + "00" + ascii("0") + "00", 1,
                        "RRQ: empty option name (expected: name NUL value NUL)"),
                arguments("empty option name with a value", RRQ + "00" + ascii("1468") + "00", 1,
                        "RRQ: empty option name"),
                arguments("33 options", RRQ + options(33), 1,
                        "RRQ: more than 32 options (expected: at most 32)"),
                arguments("option name of 256 bytes", RRQ + ascii("n".repeat(256)) + "00" + ascii("1") + "00", 1,
                        "RRQ: option name of 256 bytes (expected: at most 255)"),
                arguments("option value of 256 bytes", RRQ + ascii("blksize") + "00" + ascii("9".repeat(256)) + "00",
                        1, "RRQ: option value of 256 bytes (expected: at most 255)"),

                arguments("WRQ with empty filename", "0002" + "00" + OCTET, 2, "WRQ: empty filename"),
                arguments("WRQ without NUL after mode", "0002" + SNOM + ascii("netascii"), 2,
                        "WRQ: no NUL after mode"),
                arguments("WRQ with mode 'mail'", "0002" + SNOM + ascii("mail") + "00", 2,
                        "WRQ: unsupported mode 'mail'"),
                arguments("WRQ option name without value", "0002" + SNOM + OCTET + ascii("tsize") + "00", 2,
                        "WRQ: option 'tsize' has no value"),

                arguments("DATA of 2 bytes", "0003", 3, "DATA: 2 bytes (expected: at least 4)"),
                arguments("DATA of 3 bytes", "000300", 3, "DATA: 3 bytes (expected: at least 4)"),
                arguments("ACK of 2 bytes", "0004", 4, "ACK: 2 bytes (expected: at least 4)"),
                arguments("ACK of 3 bytes", "000400", 4, "ACK: 3 bytes (expected: at least 4)"),
                arguments("ERROR of 2 bytes", "0005", 5, "ERROR: 2 bytes (expected: at least 4)"),
                arguments("ERROR of 3 bytes", "000500", 5, "ERROR: 3 bytes (expected: at least 4)"),

                arguments("OACK with no options", "0006", 6,
                        "OACK: no options (expected: at least one name NUL value NUL)"),
                arguments("OACK of NUL padding only", "00060000", 6, "OACK: no options"),
                arguments("OACK option name without value", "0006" + ascii("blksize") + "00", 6,
                        "OACK: option 'blksize' has no value"),
                arguments("OACK with 33 options", "0006" + options(33), 6, "OACK: more than 32 options"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedDatagrams")
    void refusesMalformedDatagram(String shape, String hex, int opcode, String message) {
        ByteBuf in = buffer(hex);
        try {
            TftpDecodeException e = catchThrowableOfType(TftpDecodeException.class, () -> TftpPacketCodec.decode(in));

            assertThat(e).as("decoding %s", hex).isNotNull();
            assertThat(e.opcode()).isEqualTo(opcode);
            assertThat(e.getMessage()).startsWith(message).matches(MESSAGE_SHAPE);
            assertThat(in.readerIndex()).isZero();
            assertThat(in.refCnt()).isEqualTo(1);
        } finally {
            in.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedDatagrams")
    void refusesMalformedDatagramAfterOtherBytes(String shape, String hex, int opcode, String message) {
        // Only the readable bytes count: a valid packet before the reader index must not rescue a bad one.
        ByteBuf in = buffer("00040001" + hex);
        try {
            in.readerIndex(4);

            TftpDecodeException e = catchThrowableOfType(TftpDecodeException.class, () -> TftpPacketCodec.decode(in));

            assertThat(e).isNotNull();
            assertThat(e.opcode()).isEqualTo(opcode);
            assertThat(e.getMessage()).startsWith(message);
            assertThat(in.readerIndex()).isEqualTo(4);
        } finally {
            in.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedDatagrams")
    void fillsInNoStackTrace(String shape, String hex, int opcode, String message) {
        ByteBuf in = buffer(hex);
        try {
            TftpDecodeException e = catchThrowableOfType(TftpDecodeException.class, () -> TftpPacketCodec.decode(in));

            assertThat(e.getStackTrace()).isEmpty();
        } finally {
            in.release();
        }
    }

    private static String options(int count) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < count; i++) {
            hex.append(ascii("x" + i)).append("00").append(ascii("1")).append("00");
        }
        return hex.toString();
    }
}

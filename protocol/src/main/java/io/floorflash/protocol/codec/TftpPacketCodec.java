package io.floorflash.protocol.codec;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.BlockNumbers;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Opcode;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpOptions;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TftpRequest;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.WriteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The TFTP wire format, pure: no channel, no allocation policy. Shared by the server and the load test; the Netty
 * handlers only wrap it.
 */
public final class TftpPacketCodec {
    /** Longest file name accepted in a request, in bytes. */
    public static final int MAX_FILENAME_LENGTH = 512;
    /** Longest mode string read before the request is called malformed. */
    private static final int MAX_MODE_LENGTH = 32;
    /** Longest ERROR message kept; longer ones are cut. */
    private static final int MAX_ERROR_MESSAGE_LENGTH = 512;
    /**
     * Option names and values are ASCII (RFC 2347); a byte above 0x7F is kept as the character of the same value both
     * ways (ISO-8859-1), so whatever options were read are written back byte for byte. A character above 0xFF, which
     * no peer can have sent, is written as '?'.
     */
    private static final Charset OPTION_CHARSET = StandardCharsets.ISO_8859_1;
    /** Opcode and block (or error code): the first four bytes of DATA, ACK and ERROR. */
    public static final int HEADER_LENGTH = 4;

    private TftpPacketCodec() {
    }

    /**
     * Decodes the readable bytes of {@code in} without moving its reader index. A {@link Data} gets a retained
     * slice of {@code in}: the caller still releases {@code in}, and the {@code Data} separately.
     *
     * @throws TftpDecodeException when the bytes are not a well-formed TFTP packet
     */
    public static TftpPacket decode(ByteBuf in) {
        int start = in.readerIndex();
        int length = in.readableBytes();
        if (length < 2) {
            throw new TftpDecodeException(0, "packet: " + length + " bytes (expected: at least 2)");
        }
        int code = in.getUnsignedShort(start);
        Opcode opcode = Opcode.fromCode(code);
        if (opcode == null) {
            throw new TftpDecodeException(code, "opcode: " + code + " (expected: 1-6)");
        }
        switch (opcode) {
            case RRQ:
            case WRQ:
                return decodeRequest(opcode, in, start + 2, start + length);
            case DATA:
                requireHeader(opcode, length);
                return new Data(in.getUnsignedShort(start + 2), in.retainedSlice(start + HEADER_LENGTH, length - HEADER_LENGTH));
            case ACK:
                requireHeader(opcode, length);
                // Bytes after the block number are tolerated: some embedded stacks pad short frames.
                return new Ack(in.getUnsignedShort(start + 2));
            case ERROR:
                requireHeader(opcode, length);
                return decodeError(in, start + HEADER_LENGTH, start + length, in.getUnsignedShort(start + 2));
            case OACK:
                Map<String, String> options = decodeOptions(opcode, in, start + 2, start + length);
                if (options.isEmpty()) {
                    throw new TftpDecodeException(code, "OACK: no options (expected: at least one name NUL value NUL)");
                }
                return new OptionAck(options);
            default:
                throw new AssertionError(opcode);
        }
    }

    /** Writes {@code packet} to {@code out}. A {@link Data} payload is copied; its reference count is not touched. */
    public static void encode(TftpPacket packet, ByteBuf out) {
        out.writeShort(packet.opcode().code());
        switch (packet.opcode()) {
            case RRQ:
            case WRQ:
                TftpRequest request = (TftpRequest) packet;
                writeString(out, request.filename());
                writeString(out, request.mode().wireName());
                writeOptions(out, request.options());
                break;
            case DATA:
                Data data = (Data) packet;
                out.writeShort(data.block());
                out.writeBytes(data.content(), data.content().readerIndex(), data.content().readableBytes());
                break;
            case ACK:
                out.writeShort(((Ack) packet).block());
                break;
            case ERROR:
                ErrorPacket error = (ErrorPacket) packet;
                out.writeShort(error.code());
                writeString(out, error.message());
                break;
            case OACK:
                writeOptions(out, ((OptionAck) packet).options());
                break;
            default:
                throw new AssertionError(packet.opcode());
        }
    }

    /** Writes the 4-byte DATA header for wire block {@code block}. */
    public static void encodeDataHeader(int block, ByteBuf out) {
        out.writeShort(Opcode.DATA.code()).writeShort(BlockNumbers.check(block));
    }

    /**
     * Writes a whole DATA datagram for wire block {@code block}: the header, then a copy of {@code payload}'s readable
     * bytes, leaving {@code payload}'s indices and reference count alone.
     */
    public static void encodeData(int block, ByteBuf payload, ByteBuf out) {
        encodeDataHeader(block, out);
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    private static void requireHeader(Opcode opcode, int length) {
        if (length < HEADER_LENGTH) {
            throw new TftpDecodeException(opcode.code(), opcode + ": " + length + " bytes (expected: at least 4)");
        }
    }

    private static TftpRequest decodeRequest(Opcode opcode, ByteBuf in, int from, int end) {
        int filenameEnd = in.indexOf(from, end, (byte) 0);
        if (filenameEnd < 0) {
            throw new TftpDecodeException(opcode.code(), opcode + ": no NUL after filename (expected: filename NUL mode NUL)");
        }
        if (filenameEnd == from) {
            throw new TftpDecodeException(opcode.code(), opcode + ": empty filename (expected: filename NUL mode NUL)");
        }
        if (filenameEnd - from > MAX_FILENAME_LENGTH) {
            throw new TftpDecodeException(opcode.code(), opcode + ": filename of " + (filenameEnd - from)
                    + " bytes (expected: at most " + MAX_FILENAME_LENGTH + ")");
        }
        String filename = in.toString(from, filenameEnd - from, StandardCharsets.UTF_8);
        int modeStart = filenameEnd + 1;
        int modeEnd = in.indexOf(modeStart, end, (byte) 0);
        if (modeEnd < 0) {
            throw new TftpDecodeException(opcode.code(), opcode + ": no NUL after mode (expected: filename NUL mode NUL)");
        }
        if (modeEnd - modeStart > MAX_MODE_LENGTH) {
            throw new TftpDecodeException(opcode.code(), opcode + ": mode of " + (modeEnd - modeStart)
                    + " bytes (expected: octet or netascii)");
        }
        String modeName = in.toString(modeStart, modeEnd - modeStart, StandardCharsets.US_ASCII);
        TransferMode mode = TransferMode.parse(modeName).orElseThrow(() -> new TftpDecodeException(opcode.code(),
                opcode + ": unsupported mode '" + printable(modeName) + "' (expected: octet or netascii)"));
        Map<String, String> options = decodeOptions(opcode, in, modeEnd + 1, end);
        return opcode == Opcode.RRQ
                ? new ReadRequest(filename, mode, options)
                : new WriteRequest(filename, mode, options);
    }

    /**
     * Reads name NUL value NUL pairs up to {@code end}. NUL padding after the last pair is tolerated; a name without
     * a value, a string without its NUL, an empty name, too many options or too long a string are malformed.
     */
    private static Map<String, String> decodeOptions(Opcode opcode, ByteBuf in, int from, int end) {
        Map<String, String> options = new LinkedHashMap<>();
        int index = from;
        while (index < end) {
            if (in.getByte(index) == 0 && isAllNul(in, index, end)) {
                break;
            }
            int nameEnd = in.indexOf(index, end, (byte) 0);
            if (nameEnd < 0) {
                throw new TftpDecodeException(opcode.code(), opcode + ": no NUL after option name (expected: name NUL value NUL)");
            }
            if (nameEnd == index) {
                throw new TftpDecodeException(opcode.code(), opcode + ": empty option name (expected: name NUL value NUL)");
            }
            checkOptionLength(opcode, "option name", nameEnd - index);
            int valueStart = nameEnd + 1;
            int valueEnd = valueStart < end ? in.indexOf(valueStart, end, (byte) 0) : -1;
            String name = in.toString(index, nameEnd - index, OPTION_CHARSET).toLowerCase(Locale.ROOT);
            if (valueEnd < 0) {
                throw new TftpDecodeException(opcode.code(), opcode + ": option '" + printable(name)
                        + "' has no value (expected: name NUL value NUL)");
            }
            checkOptionLength(opcode, "option value", valueEnd - valueStart);
            if (options.size() == TftpOptions.MAX_OPTIONS) {
                throw new TftpDecodeException(opcode.code(), opcode + ": more than " + TftpOptions.MAX_OPTIONS
                        + " options (expected: at most " + TftpOptions.MAX_OPTIONS + ")");
            }
            options.putIfAbsent(name, in.toString(valueStart, valueEnd - valueStart, OPTION_CHARSET));
            index = valueEnd + 1;
        }
        return options;
    }

    private static void checkOptionLength(Opcode opcode, String what, int length) {
        if (length > TftpOptions.MAX_OPTION_LENGTH) {
            throw new TftpDecodeException(opcode.code(), opcode + ": " + what + " of " + length
                    + " bytes (expected: at most " + TftpOptions.MAX_OPTION_LENGTH + ")");
        }
    }

    private static boolean isAllNul(ByteBuf in, int from, int end) {
        return in.forEachByte(from, end - from, b -> b == 0) < 0;
    }

    private static ErrorPacket decodeError(ByteBuf in, int from, int end, int code) {
        // A missing trailing NUL is tolerated: an ERROR from a client must end its transfer whatever its shape.
        int nul = in.indexOf(from, end, (byte) 0);
        int messageEnd = nul < 0 ? end : nul;
        int length = Math.min(messageEnd - from, MAX_ERROR_MESSAGE_LENGTH);
        return new ErrorPacket(code, in.toString(from, length, StandardCharsets.UTF_8));
    }

    private static void writeOptions(ByteBuf out, Map<String, String> options) {
        options.forEach((name, value) -> {
            out.writeCharSequence(name, OPTION_CHARSET);
            out.writeByte(0);
            out.writeCharSequence(value, OPTION_CHARSET);
            out.writeByte(0);
        });
    }

    private static void writeString(ByteBuf out, String value) {
        ByteBufUtil.reserveAndWriteUtf8(out, value, ByteBufUtil.utf8MaxBytes(value));
        out.writeByte(0);
    }

    /** A string made safe for a log line or an ERROR message: control characters shown as '?'. */
    static String printable(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return sb.toString();
    }
}

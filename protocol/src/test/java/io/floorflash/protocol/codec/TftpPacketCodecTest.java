package io.floorflash.protocol.codec;

import static io.floorflash.protocol.codec.Hex.ascii;
import static io.floorflash.protocol.codec.Hex.buffer;
import static io.floorflash.protocol.codec.Hex.counting;
import static io.floorflash.protocol.codec.Hex.dump;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Opcode;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TftpRequest;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.WriteRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TftpPacketCodecTest {
    /** RRQ snom320.bin octet, no options: what a Snom bootloader sends. */
    private static final String RRQ = "0001"
            + "736e6f6d3332302e62696e00" // snom320.bin
            + "6f6374657400"; // octet
    /** RRQ snom320.bin octet blksize 1468 tsize 0 windowsize 8 timeout 5. */
    private static final String RRQ_WITH_OPTIONS = RRQ
            + "626c6b73697a6500" + "3134363800" // blksize 1468
            + "7473697a6500" + "3000" // tsize 0
            + "77696e646f7773697a6500" + "3800" // windowsize 8
            + "74696d656f757400" + "3500"; // timeout 5
    /** WRQ upload.cfg netascii. */
    private static final String WRQ = "0002"
            + "75706c6f61642e63666700" // upload.cfg
            + "6e6574617363696900"; // netascii
    /** ERROR 1 "File not found". */
    private static final String ERROR = "0005" + "0001" + "46696c65206e6f7420666f756e6400";
    /** OACK blksize 1468 tsize 12345. */
    private static final String OACK = "0006"
            + "626c6b73697a6500" + "3134363800" // blksize 1468
            + "7473697a6500" + "313233343500"; // tsize 12345

    // ---- decode -----------------------------------------------------------------------------------------------

    @Test
    void decodesReadRequestWithoutOptions() {
        assertThat(decode(RRQ)).isEqualTo(new ReadRequest("snom320.bin", TransferMode.OCTET, Map.of()));
    }

    @Test
    void decodesReadRequestOptionsInRequestOrder() {
        TftpPacket packet = decode(RRQ_WITH_OPTIONS);

        assertThat(packet).isInstanceOf(ReadRequest.class);
        ReadRequest request = (ReadRequest) packet;
        assertThat(request.filename()).isEqualTo("snom320.bin");
        assertThat(request.mode()).isEqualTo(TransferMode.OCTET);
        assertThat(request.options()).containsExactly(
                Map.entry("blksize", "1468"), Map.entry("tsize", "0"),
                Map.entry("windowsize", "8"), Map.entry("timeout", "5"));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "octet, OCTET",
        "OcTeT, OCTET",
        "OCTET, OCTET",
        "netascii, NETASCII",
        "NETASCII, NETASCII",
        "NetAscii, NETASCII",
    })
    void readsModeCaseInsensitively(String wireMode, TransferMode expected) {
        TftpPacket packet = decode("0001" + ascii("snom320.bin") + "00" + ascii(wireMode) + "00");

        assertThat(((ReadRequest) packet).mode()).isEqualTo(expected);
    }

    @Test
    void readsMixedCaseModeFromHexFixture() {
        // RRQ snom320.bin OcTeT
        TftpPacket packet = decode("0001" + "736e6f6d3332302e62696e00" + "4f6354655400");

        assertThat(((ReadRequest) packet).mode()).isEqualTo(TransferMode.OCTET);
    }

    @Test
    void lowercasesOptionNamesAndKeepsValues() {
        TftpPacket packet = decode(RRQ
                + "426c6b53697a6500" + "3134363800" // BlkSize 1468
                + "5453495a4500" + "3000" // TSIZE 0
                + "57696e646f7753697a6500" + "3800"); // WindowSize 8

        assertThat(((ReadRequest) packet).options()).containsExactly(
                Map.entry("blksize", "1468"), Map.entry("tsize", "0"), Map.entry("windowsize", "8"));
    }

    @Test
    void keepsOptionValuesAsSent() {
        TftpPacket packet = decode(RRQ + ascii("tsize") + "00" + ascii("Enable") + "00");

        assertThat(((ReadRequest) packet).options()).containsExactly(Map.entry("tsize", "Enable"));
    }

    @Test
    void writesBackOptionBytesAboveAsciiExactlyAsTheyCame() {
        // "x\u00e9" NUL "\u00ff1" NUL: not ASCII, as RFC 2347 wants, but what was read must be written back unchanged.
        String options = "78e900" + "ff3100";

        TftpPacket packet = decode(RRQ + options);

        assertThat(((ReadRequest) packet).options()).containsExactly(Map.entry("x\u00e9", "\u00ff1"));
        assertThat(encode(packet)).isEqualTo(RRQ + options);
    }

    @Test
    void keepsFirstOfDuplicateOptionNames() {
        TftpPacket packet = decode(RRQ
                + "626c6b73697a6500" + "3134363800" // blksize 1468
                + "424c4b53495a4500" + "35313200"); // BLKSIZE 512

        assertThat(((ReadRequest) packet).options()).containsExactly(Map.entry("blksize", "1468"));
    }

    @ParameterizedTest(name = "{0} NUL bytes")
    @ValueSource(ints = {1, 2, 7})
    void ignoresNulPaddingAfterLastOption(int padding) {
        TftpPacket packet = decode(RRQ + "626c6b73697a6500" + "3134363800" + "00".repeat(padding));

        assertThat(((ReadRequest) packet).options()).containsExactly(Map.entry("blksize", "1468"));
    }

    @Test
    void ignoresNulPaddingAfterModeWithoutOptions() {
        assertThat(decode(RRQ + "000000")).isEqualTo(new ReadRequest("snom320.bin", TransferMode.OCTET));
    }

    @Test
    void acceptsEmptyOptionValue() {
        TftpPacket packet = decode(RRQ + ascii("tsize") + "00" + "00");

        assertThat(((ReadRequest) packet).options()).containsExactly(Map.entry("tsize", ""));
    }

    @Test
    void acceptsThirtyTwoOptions() {
        StringBuilder hex = new StringBuilder(RRQ);
        for (int i = 0; i < 32; i++) {
            hex.append(ascii("x" + i)).append("00").append(ascii(Integer.toString(i))).append("00");
        }

        TftpRequest request = (TftpRequest) decode(hex.toString());

        assertThat(request.options()).hasSize(32).containsEntry("x0", "0").containsEntry("x31", "31");
    }

    @Test
    void acceptsFilenameOf512Bytes() {
        String filename = "f".repeat(512);

        TftpRequest request = (TftpRequest) decode("0001" + ascii(filename) + "00" + ascii("octet") + "00");

        assertThat(request.filename()).isEqualTo(filename);
    }

    @Test
    void acceptsOptionNameAndValueOf255Bytes() {
        String name = "n".repeat(255);
        String value = "v".repeat(255);

        TftpRequest request = (TftpRequest) decode(RRQ + ascii(name) + "00" + ascii(value) + "00");

        assertThat(request.options()).containsExactly(Map.entry(name, value));
    }

    @Test
    void decodesFilenameAsUtf8() {
        // "fü.bin" with ü as C3 BC
        TftpRequest request = (TftpRequest) decode("0001" + "66c3bc2e62696e00" + ascii("octet") + "00");

        assertThat(request.filename()).isEqualTo("f\u00fc.bin");
    }

    @Test
    void decodesWriteRequest() {
        assertThat(decode(WRQ)).isEqualTo(new WriteRequest("upload.cfg", TransferMode.NETASCII, Map.of()));
    }

    @Test
    void decodesWriteRequestWithOptions() {
        TftpPacket packet = decode(WRQ + "7473697a6500" + "3130323400"); // tsize 1024

        assertThat(packet).isEqualTo(new WriteRequest("upload.cfg", TransferMode.NETASCII, Map.of("tsize", "1024")));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 511, 512, 1468})
    void decodesDataPayload(int size) {
        ByteBuf in = buffer("0003" + "0001" + counting(size));
        try {
            TftpPacket packet = TftpPacketCodec.decode(in);
            try {
                assertThat(packet).isInstanceOf(Data.class);
                Data data = (Data) packet;
                assertThat(data.opcode()).isEqualTo(Opcode.DATA);
                assertThat(data.block()).isEqualTo(1);
                assertThat(data.content().readableBytes()).isEqualTo(size);
                assertThat(dump(data.content())).isEqualTo(counting(size));
            } finally {
                ReferenceCountUtil.release(packet);
            }
        } finally {
            in.release();
        }
    }

    @ParameterizedTest(name = "block {0}")
    @CsvSource({"0000, 0", "0001, 1", "7fff, 32767", "8000, 32768", "ffff, 65535"})
    void readsDataBlockNumberUnsigned(String wire, int block) {
        ByteBuf in = buffer("0003" + wire + "cafe");
        try {
            Data data = (Data) TftpPacketCodec.decode(in);
            try {
                assertThat(data.block()).isEqualTo(block);
                assertThat(dump(data.content())).isEqualTo("cafe");
            } finally {
                data.release();
            }
        } finally {
            in.release();
        }
    }

    @ParameterizedTest(name = "ACK {1}")
    @CsvSource({"00040000, 0", "00040001, 1", "00048000, 32768", "0004ffff, 65535"})
    void decodesAck(String hex, int block) {
        assertThat(decode(hex)).isEqualTo(new Ack(block));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"000400070000", "00040007000000000000000000000000", "00040007ff"})
    void toleratesBytesAfterAckBlockNumber(String hex) {
        assertThat(decode(hex)).isEqualTo(new Ack(7));
    }

    @Test
    void decodesErrorWithKnownCode() {
        ErrorPacket error = (ErrorPacket) decode(ERROR);

        assertThat(error).isEqualTo(new ErrorPacket(1, "File not found"));
        assertThat(error.errorCode()).isEqualTo(ErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void keepsUnknownErrorCodeRaw() {
        ErrorPacket error = (ErrorPacket) decode("0005" + "0063" + "776569726400"); // 99 "weird"

        assertThat(error.code()).isEqualTo(99);
        assertThat(error.errorCode()).isNull();
        assertThat(error.message()).isEqualTo("weird");
    }

    @Test
    void toleratesErrorWithoutTrailingNul() {
        // ERROR 8 "Option negotiation refused", cut before its NUL
        TftpPacket packet = decode("0005" + "0008" + "4f7074696f6e206e65676f74696174696f6e2072656675736564");

        assertThat(packet).isEqualTo(new ErrorPacket(ErrorCode.OPTION_REFUSED, "Option negotiation refused"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"00050000", "0005000000"})
    void decodesErrorWithEmptyMessage(String hex) {
        assertThat(decode(hex)).isEqualTo(new ErrorPacket(0, ""));
    }

    @Test
    void stopsErrorMessageAtFirstNul() {
        assertThat(decode("0005" + "0002" + ascii("denied") + "00" + ascii("junk") + "00"))
                .isEqualTo(new ErrorPacket(ErrorCode.ACCESS_VIOLATION, "denied"));
    }

    @Test
    void cutsErrorMessageAt512Bytes() {
        ErrorPacket error = (ErrorPacket) decode("0005" + "0000" + ascii("m".repeat(600)) + "00");

        assertThat(error.message()).isEqualTo("m".repeat(512));
    }

    @Test
    void decodesOptionAck() {
        TftpPacket packet = decode(OACK);

        assertThat(packet).isInstanceOf(OptionAck.class);
        assertThat(((OptionAck) packet).options())
                .containsExactly(Map.entry("blksize", "1468"), Map.entry("tsize", "12345"));
    }

    @Test
    void lowercasesOptionAckNamesAndToleratesPadding() {
        TftpPacket packet = decode("0006" + ascii("BLKSIZE") + "00" + ascii("512") + "00" + "0000");

        assertThat(packet).isEqualTo(new OptionAck(Map.of("blksize", "512")));
    }

    static Stream<String> everyPacketType() {
        return Stream.of(RRQ, RRQ_WITH_OPTIONS, WRQ, "0003" + "0001" + counting(16), "0003ffff", "00040000",
                ERROR, OACK);
    }

    @ParameterizedTest
    @MethodSource("everyPacketType")
    void decodeDoesNotMoveReaderIndex(String hex) {
        ByteBuf in = buffer(hex);
        try {
            ReferenceCountUtil.release(TftpPacketCodec.decode(in));

            assertThat(in.readerIndex()).isZero();
            assertThat(in.writerIndex()).isEqualTo(hex.length() / 2);
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @MethodSource("everyPacketType")
    void decodesOnlyTheReadableBytes(String hex) {
        // Bytes before the reader index must not be read, and the indices must stay where they were.
        ByteBuf framed = buffer("ffee" + hex);
        ByteBuf plain = buffer(hex);
        try {
            framed.readerIndex(2);
            TftpPacket fromFramed = TftpPacketCodec.decode(framed);
            TftpPacket fromPlain = TftpPacketCodec.decode(plain);
            try {
                assertThat(fromFramed).isEqualTo(fromPlain);
                assertThat(framed.readerIndex()).isEqualTo(2);
            } finally {
                ReferenceCountUtil.release(fromFramed);
                ReferenceCountUtil.release(fromPlain);
            }
        } finally {
            framed.release();
            plain.release();
        }
    }

    static Stream<Arguments> allocators() {
        return Stream.of(
                Arguments.of("unpooled heap", (Function<Integer, ByteBuf>) UnpooledByteBufAllocator.DEFAULT::heapBuffer),
                Arguments.of("pooled direct", (Function<Integer, ByteBuf>) PooledByteBufAllocator.DEFAULT::directBuffer),
                Arguments.of("default", (Function<Integer, ByteBuf>) ByteBufAllocator.DEFAULT::buffer));
    }

    @ParameterizedTest(name = "{0}, source released first")
    @MethodSource("allocators")
    void dataOutlivesReleasedSource(String name, Function<Integer, ByteBuf> allocate) {
        ByteBuf in = allocate.apply(8).writeBytes(HexFormat.of().parseHex("00030002cafebabe"));

        Data data = (Data) TftpPacketCodec.decode(in);
        assertThat(in.refCnt()).isEqualTo(2);
        assertThat(in.release()).isFalse();

        assertThat(data.refCnt()).isPositive();
        assertThat(dump(data.content())).isEqualTo("cafebabe");
        assertThat(data.release()).isTrue();
        assertThat(data.refCnt()).isZero();
        assertThat(in.refCnt()).isZero();
    }

    @ParameterizedTest(name = "{0}, data released first")
    @MethodSource("allocators")
    void sourceOutlivesReleasedData(String name, Function<Integer, ByteBuf> allocate) {
        ByteBuf in = allocate.apply(8).writeBytes(HexFormat.of().parseHex("00030002cafebabe"));

        Data data = (Data) TftpPacketCodec.decode(in);
        data.release();

        assertThat(in.refCnt()).isEqualTo(1);
        assertThat(dump(in)).isEqualTo("00030002cafebabe");
        assertThat(in.release()).isTrue();
    }

    @Test
    void dataPayloadIsASliceNotACopy() {
        ByteBuf in = buffer("00030001" + "0000");
        try {
            Data data = (Data) TftpPacketCodec.decode(in);
            try {
                in.setByte(4, 0x42);

                assertThat(data.content().getByte(0)).isEqualTo((byte) 0x42);
            } finally {
                data.release();
            }
        } finally {
            in.release();
        }
    }

    // ---- encode -----------------------------------------------------------------------------------------------

    @Test
    void encodesReadRequestWithOptionsInOrder() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("blksize", "1468");
        options.put("tsize", "0");
        options.put("windowsize", "8");
        options.put("timeout", "5");

        assertThat(encode(new ReadRequest("snom320.bin", TransferMode.OCTET, options))).isEqualTo(RRQ_WITH_OPTIONS);
    }

    @Test
    void encodesModeAndOptionNamesInLowerCase() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("BlkSize", "1468");

        assertThat(encode(new ReadRequest("snom320.bin", TransferMode.OCTET, options)))
                .isEqualTo(RRQ + "626c6b73697a6500" + "3134363800");
    }

    @Test
    void encodesWriteRequest() {
        assertThat(encode(new WriteRequest("upload.cfg", TransferMode.NETASCII, Map.of()))).isEqualTo(WRQ);
    }

    @Test
    void encodesAck() {
        assertThat(encode(new Ack(0))).isEqualTo("00040000");
        assertThat(encode(new Ack(65535))).isEqualTo("0004ffff");
    }

    @Test
    void encodesError() {
        assertThat(encode(new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "File not found"))).isEqualTo(ERROR);
        assertThat(encode(new ErrorPacket(99, ""))).isEqualTo("0005" + "0063" + "00");
    }

    @Test
    void encodesOptionAck() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("blksize", "1468");
        options.put("tsize", "12345");

        assertThat(encode(new OptionAck(options))).isEqualTo(OACK);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 512})
    void encodesDataByCopyWithoutTouchingPayload(int size) {
        ByteBuf payload = buffer(counting(size));
        Data data = new Data(65535, payload);
        try {
            assertThat(encode(data)).isEqualTo("0003" + "ffff" + counting(size));

            assertThat(payload.refCnt()).isEqualTo(1);
            assertThat(payload.readerIndex()).isZero();
            assertThat(payload.readableBytes()).isEqualTo(size);
        } finally {
            data.release();
        }
    }

    @Test
    void encodesOnlyReadablePayloadBytes() {
        ByteBuf payload = buffer("ffff" + "0102");
        payload.readerIndex(2);
        Data data = new Data(3, payload);
        try {
            assertThat(encode(data)).isEqualTo("0003" + "0003" + "0102");
        } finally {
            data.release();
        }
    }

    @ParameterizedTest(name = "block {0}")
    @CsvSource({"0, 00030000", "1, 00030001", "65535, 0003ffff"})
    void encodesDataHeader(int block, String hex) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(4);
        try {
            TftpPacketCodec.encodeDataHeader(block, out);

            assertThat(dump(out)).isEqualTo(hex);
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "block {0}")
    @ValueSource(ints = {-1, 65536})
    void refusesDataHeaderOutside16Bits(int block) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(4);
        try {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> TftpPacketCodec.encodeDataHeader(block, out))
                    .withMessage("block: " + block + " (expected: 0-65535)");
        } finally {
            out.release();
        }
    }

    @ParameterizedTest
    @MethodSource("everyPacketType")
    void encodesDecodedFixtureToSameBytes(String hex) {
        ByteBuf in = buffer(hex);
        try {
            TftpPacket packet = TftpPacketCodec.decode(in);
            try {
                assertThat(encode(packet)).isEqualTo(hex);
            } finally {
                ReferenceCountUtil.release(packet);
            }
        } finally {
            in.release();
        }
    }

    // ---- round trips ------------------------------------------------------------------------------------------

    static Stream<TftpPacket> packetsWithoutBuffers() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("tsize", "0");
        options.put("blksize", "65464");
        options.put("windowsize", "16");
        options.put("timeout", "1");
        options.put("x-vendor", "");
        return Stream.of(
                new ReadRequest("snom320.bin", TransferMode.OCTET),
                new ReadRequest("pxelinux.cfg/01-00-0b-82-01-fc-42", TransferMode.NETASCII, options),
                new ReadRequest("f\u00fc\u00df/\u65e5\u672c.bin", TransferMode.OCTET, Map.of("blksize", "1468")),
                new WriteRequest("upload.cfg", TransferMode.OCTET, Map.of()),
                new WriteRequest("log.txt", TransferMode.NETASCII, options),
                new Ack(0),
                new Ack(1),
                new Ack(65535),
                new ErrorPacket(ErrorCode.NOT_DEFINED, ""),
                new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "File not found"),
                new ErrorPacket(ErrorCode.OPTION_REFUSED, "Option negotiation refused"),
                new ErrorPacket(99, "not in any RFC"),
                new ErrorPacket(65535, "max code"),
                new OptionAck(Map.of("blksize", "1468")),
                new OptionAck(options));
    }

    @ParameterizedTest
    @MethodSource("packetsWithoutBuffers")
    void roundTripsPacket(TftpPacket packet) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            TftpPacketCodec.encode(packet, out);

            assertThat(TftpPacketCodec.decode(out)).isEqualTo(packet);
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "block {0}, {1} bytes")
    @CsvSource({"0, 0", "1, 0", "1, 1", "2, 511", "3, 512", "65535, 512", "65535, 1468", "7, 65464"})
    void roundTripsData(int block, int size) {
        Data data = new Data(block, buffer(counting(size)));
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(4 + size);
        try {
            TftpPacketCodec.encode(data, out);
            Data decoded = (Data) TftpPacketCodec.decode(out);
            try {
                assertThat(decoded.block()).isEqualTo(block);
                assertThat(decoded.content()).isEqualTo(data.content());
                assertThat(decoded).isEqualTo(data);
            } finally {
                decoded.release();
            }
        } finally {
            out.release();
            data.release();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** Decodes a fixture that holds no buffer afterwards (anything but DATA). */
    private static TftpPacket decode(String hex) {
        ByteBuf in = buffer(hex);
        try {
            TftpPacket packet = TftpPacketCodec.decode(in);
            assertThat(packet).isNotInstanceOf(Data.class);
            return packet;
        } finally {
            in.release();
        }
    }

    private static String encode(TftpPacket packet) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            TftpPacketCodec.encode(packet, out);
            return dump(out);
        } finally {
            out.release();
        }
    }
}

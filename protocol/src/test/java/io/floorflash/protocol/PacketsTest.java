package io.floorflash.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PacketsTest {
    @ParameterizedTest(name = "{0}")
    @EnumSource(Opcode.class)
    void findsOpcodeByItsWireValue(Opcode opcode) {
        assertThat(Opcode.fromCode(opcode.code())).isSameAs(opcode);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 7, 256, 65535})
    void findsNoOpcodeOutsideOneToSix(int code) {
        assertThat(Opcode.fromCode(code)).isNull();
    }

    @Test
    void numbersOpcodesAsTheRfcs() {
        assertThat(Opcode.values()).extracting(Opcode::code).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ErrorCode.class)
    void findsErrorCodeByItsWireValue(ErrorCode code) {
        assertThat(ErrorCode.fromCode(code.code())).isSameAs(code);
    }

    @Test
    void numbersErrorCodesAsTheRfcs() {
        assertThat(ErrorCode.values()).extracting(ErrorCode::code).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(ErrorCode.fromCode(9)).isNull();
        assertThat(ErrorCode.fromCode(-1)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"octet, OCTET", "OCTET, OCTET", "OcTeT, OCTET", "netascii, NETASCII", "NETASCII, NETASCII"})
    void parsesModeCaseInsensitively(String name, TransferMode mode) {
        assertThat(TransferMode.parse(name)).contains(mode);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"mail", "binary", "", "octet ", "net ascii"})
    void parsesNoOtherMode(String name) {
        assertThat(TransferMode.parse(name)).isEmpty();
    }

    @Test
    void parsesModeWhateverTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            // In Turkish, "I".toLowerCase() is a dotless i: NETASCII would not match netascii.
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));

            assertThat(TransferMode.parse("NETASCII")).contains(TransferMode.NETASCII);
            assertThat(new ReadRequest("f", TransferMode.OCTET, Map.of("WINDOWSIZE", "4")).options())
                    .containsOnlyKeys("windowsize");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void writesModeInLowerCase() {
        assertThat(TransferMode.OCTET.wireName()).isEqualTo("octet");
        assertThat(TransferMode.NETASCII.wireName()).isEqualTo("netascii");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {-1, 65536, 70000})
    void refusesAckOutside16Bits(int block) {
        assertThatIllegalArgumentException().isThrownBy(() -> new Ack(block))
                .withMessage("block: " + block + " (expected: 0-65535)");
    }

    @Test
    void tellsEachPacketItsOpcode() {
        ByteBuf payload = ByteBufAllocator.DEFAULT.buffer(0);
        Data data = new Data(1, payload);
        try {
            assertThat(new ReadRequest("f", TransferMode.OCTET).opcode()).isEqualTo(Opcode.RRQ);
            assertThat(new WriteRequest("f", TransferMode.OCTET, Map.of()).opcode()).isEqualTo(Opcode.WRQ);
            assertThat(data.opcode()).isEqualTo(Opcode.DATA);
            assertThat(new Ack(0).opcode()).isEqualTo(Opcode.ACK);
            assertThat(new ErrorPacket(0, "").opcode()).isEqualTo(Opcode.ERROR);
            assertThat(new OptionAck(Map.of("tsize", "0")).opcode()).isEqualTo(Opcode.OACK);
        } finally {
            data.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {-1, 65536})
    void refusesDataBlockOutside16BitsAndReleasesThePayload(int block) {
        ByteBuf payload = ByteBufAllocator.DEFAULT.buffer(1).writeByte(1);
        assertThatIllegalArgumentException().isThrownBy(() -> new Data(block, payload))
                .withMessage("block: " + block + " (expected: 0-65535)");
        assertThat(payload.refCnt()).isZero();
    }

    @Test
    void comparesDataByBlockAndPayload() {
        Data one = new Data(1, buffer(0xCA, 0xFE));
        Data same = new Data(1, buffer(0xCA, 0xFE));
        Data otherBlock = new Data(2, buffer(0xCA, 0xFE));
        Data otherPayload = new Data(1, buffer(0xCA, 0xFF));
        try {
            assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);
            assertThat(one).isNotEqualTo(otherBlock);
            assertThat(one).isNotEqualTo(otherPayload);
        } finally {
            one.release();
            same.release();
            otherBlock.release();
            otherPayload.release();
        }
    }

    @Test
    void keepsBlockWhenReplacingOrRetainingData() {
        Data data = new Data(65535, buffer(1, 2, 3));
        Data copy = (Data) data.copy();
        try {
            assertThat(copy.block()).isEqualTo(65535);
            assertThat(copy).isEqualTo(data);
            assertThat(data.retain()).isSameAs(data);
            assertThat(data.refCnt()).isEqualTo(2);
            assertThat(data.release()).isFalse();
            assertThat(data.touch("test")).isSameAs(data);
            assertThat(data).hasToString("Data(block=65535, bytes=3)");
        } finally {
            data.release();
            copy.release();
        }
        assertThat(data.refCnt()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {-1, 65536})
    void refusesErrorCodeOutside16Bits(int code) {
        assertThatIllegalArgumentException().isThrownBy(() -> new ErrorPacket(code, "x"))
                .withMessage("code: " + code + " (expected: 0-65535)");
    }

    @Test
    void keepsErrorCodeRaw() {
        assertThat(new ErrorPacket(ErrorCode.DISK_FULL, "full").code()).isEqualTo(3);
        assertThat(new ErrorPacket(3, "full").errorCode()).isEqualTo(ErrorCode.DISK_FULL);
        assertThat(new ErrorPacket(99, "?").errorCode()).isNull();
        assertThatNullPointerException().isThrownBy(() -> new ErrorPacket(1, null)).withMessage("message");
    }

    @Test
    void refusesEmptyOptionAck() {
        assertThatIllegalArgumentException().isThrownBy(() -> new OptionAck(Map.of()))
                .withMessage("options: empty (expected: at least one accepted option)");
    }

    @Test
    void copiesOptionsLowerCasedInOrderWithFirstNameWinning() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("TSize", "0");
        options.put("blksize", "1468");
        options.put("tsize", "99");

        ReadRequest request = new ReadRequest("f", TransferMode.OCTET, options);
        options.put("windowsize", "8");

        assertThat(request.options()).containsExactly(Map.entry("tsize", "0"), Map.entry("blksize", "1468"));
        assertThatThrownBy(() -> request.options().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(new OptionAck(options).options()).containsExactly(
                Map.entry("tsize", "0"), Map.entry("blksize", "1468"), Map.entry("windowsize", "8"));
    }

    @Test
    void refusesRequestWithoutFilenameOrMode() {
        assertThatNullPointerException().isThrownBy(() -> new ReadRequest(null, TransferMode.OCTET))
                .withMessage("filename");
        assertThatNullPointerException().isThrownBy(() -> new WriteRequest("f", null, Map.of()))
                .withMessage("mode");
    }

    private static ByteBuf buffer(int... bytes) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(bytes.length);
        for (int b : bytes) {
            buf.writeByte(b);
        }
        return buf;
    }
}

package io.floorflash.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetasciiTest {
    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "'', ''",
        "616263, 616263",
        "0a, 0d0a",
        "0d, 0d00",
        "0d0a, 0d000d0a",
        "0a0d, 0d0a0d00",
        "610a62, 610d0a62",
        "0a0a, 0d0a0d0a",
        "0d0d, 0d000d00",
        "00, 00",
        "0d00, 0d0000",
        "ff0aff, ff0d0aff",
    })
    void encodesLineEndsAndBareCarriageReturns(String local, String netascii) {
        assertThat(encode(local)).isEqualTo(netascii);
        assertThat(encodedLength(local)).isEqualTo(netascii.length() / 2);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "'', ''",
        "616263, 616263",
        "0d0a, 0a",
        "0d00, 0d",
        "0d000d0a, 0d0a",
        "610d, 610d",
        "0d, 0d",
        "0d41, 0d41",
        "0d0d0a, 0d0a",
        "0a, 0a",
    })
    void decodesLineEndsAndKeepsLoneCarriageReturns(String netascii, String local) {
        assertThat(decode(netascii)).isEqualTo(local);
    }

    @Test
    void keepsLoneCarriageReturnAtEndOfInput() {
        assertThat(decode("6162630d")).isEqualTo("6162630d");
    }

    @Test
    void roundTripsRandomBytes() {
        Random random = new Random(0xF100F1A5L);
        for (int i = 0; i < 500; i++) {
            byte[] local = new byte[random.nextInt(2000)];
            for (int j = 0; j < local.length; j++) {
                // About one byte in four is CR or LF, so CR LF, LF CR, CR CR and CR NUL are common.
                int kind = random.nextInt(8);
                local[j] = kind == 0 ? (byte) '\r' : kind == 1 ? (byte) '\n' : (byte) random.nextInt(256);
            }
            // Unpooled heap buffers: the paranoid leak detector records every getByte of a tracked buffer.
            ByteBuf source = Unpooled.wrappedBuffer(local);
            ByteBuf encoded = Unpooled.buffer(local.length * 2);
            ByteBuf decoded = Unpooled.buffer(local.length);
            try {
                Netascii.encode(source, encoded);
                Netascii.decode(encoded, decoded);

                assertThat(Netascii.encodedLength(source)).as("array %d", i).isEqualTo(encoded.readableBytes());
                assertThat(ByteBufUtil.getBytes(decoded)).as("array %d", i).isEqualTo(local);
            } finally {
                source.release();
                encoded.release();
                decoded.release();
            }
        }
    }

    @Test
    void readsOnlyTheReadableBytesAndMovesNoSourceIndex() {
        ByteBuf source = buffer("0a0a" + "610a");
        ByteBuf target = ByteBufAllocator.DEFAULT.buffer();
        try {
            source.readerIndex(2);

            assertThat(Netascii.encodedLength(source)).isEqualTo(3);
            Netascii.encode(source, target);
            assertThat(ByteBufUtil.hexDump(target)).isEqualTo("610d0a");
            assertThat(source.readerIndex()).isEqualTo(2);
            assertThat(source.writerIndex()).isEqualTo(4);

            target.clear();
            source.readerIndex(1);
            Netascii.decode(source, target);
            assertThat(ByteBufUtil.hexDump(target)).isEqualTo("0a610a");
            assertThat(source.readerIndex()).isEqualTo(1);
        } finally {
            source.release();
            target.release();
        }
    }

    @Test
    void appendsToWhatTheTargetAlreadyHolds() {
        ByteBuf source = buffer("0a");
        ByteBuf target = buffer("41");
        try {
            Netascii.encode(source, target);

            assertThat(ByteBufUtil.hexDump(target)).isEqualTo("410d0a");
        } finally {
            source.release();
            target.release();
        }
    }

    private static String encode(String hex) {
        ByteBuf source = buffer(hex);
        ByteBuf target = ByteBufAllocator.DEFAULT.buffer();
        try {
            Netascii.encode(source, target);
            return ByteBufUtil.hexDump(target);
        } finally {
            source.release();
            target.release();
        }
    }

    private static long encodedLength(String hex) {
        ByteBuf source = buffer(hex);
        try {
            return Netascii.encodedLength(source);
        } finally {
            source.release();
        }
    }

    private static String decode(String hex) {
        ByteBuf source = buffer(hex);
        ByteBuf target = ByteBufAllocator.DEFAULT.buffer();
        try {
            Netascii.decode(source, target);
            return ByteBufUtil.hexDump(target);
        } finally {
            source.release();
            target.release();
        }
    }

    private static ByteBuf buffer(String hex) {
        byte[] bytes = HEX.parseHex(hex);
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }
}

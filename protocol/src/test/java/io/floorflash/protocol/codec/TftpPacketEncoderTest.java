package io.floorflash.protocol.codec;

import static io.floorflash.protocol.codec.Hex.buffer;
import static io.floorflash.protocol.codec.Hex.counting;
import static io.floorflash.protocol.codec.Hex.dump;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TransferMode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TftpPacketEncoderTest {
    private static final InetSocketAddress PHONE = new InetSocketAddress("10.0.0.7", 41000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 69);

    static Stream<Arguments> packetsWithoutBuffers() {
        return Stream.of(
                Arguments.of(new Ack(0), "00040000"),
                Arguments.of(new Ack(65535), "0004ffff"),
                Arguments.of(new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "File not found"),
                        "0005" + "0001" + "46696c65206e6f7420666f756e6400"),
                Arguments.of(new OptionAck(Map.of("blksize", "1468")),
                        "0006" + "626c6b73697a6500" + "3134363800"),
                Arguments.of(new ReadRequest("snom320.bin", TransferMode.OCTET),
                        "0001" + "736e6f6d3332302e62696e00" + "6f6374657400"));
    }

    @ParameterizedTest
    @MethodSource("packetsWithoutBuffers")
    void encodesEnvelopeIntoDatagramToRecipient(TftpPacket packet, String hex) {
        EmbeddedChannel channel = new EmbeddedChannel(TftpPacketEncoder.INSTANCE);

        assertThat(channel.writeOutbound(new DefaultAddressedEnvelope<>(packet, PHONE, SERVER))).isTrue();

        DatagramPacket datagram = channel.readOutbound();
        try {
            assertThat(datagram.recipient()).isEqualTo(PHONE);
            assertThat(datagram.sender()).isEqualTo(SERVER);
            assertThat(dump(datagram.content())).isEqualTo(hex);
        } finally {
            datagram.release();
        }
        assertThat((Object) channel.readOutbound()).isNull();
        assertFalse(channel.finish());
    }

    @Test
    void encodesEnvelopeWithoutSender() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpPacketEncoder.INSTANCE);

        channel.writeOutbound(new DefaultAddressedEnvelope<TftpPacket, InetSocketAddress>(new Ack(1), PHONE));

        DatagramPacket datagram = channel.readOutbound();
        try {
            assertThat(datagram.recipient()).isEqualTo(PHONE);
            assertThat(datagram.sender()).isNull();
            assertThat(dump(datagram.content())).isEqualTo("00040001");
        } finally {
            datagram.release();
        }
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 512, 1468})
    void encodesDataEnvelopeIntoHeaderAndPayload(int size) {
        EmbeddedChannel channel = new EmbeddedChannel(TftpPacketEncoder.INSTANCE);
        ByteBuf payload = buffer(counting(size));

        channel.writeOutbound(new DefaultAddressedEnvelope<>(new Data(65535, payload), PHONE, SERVER));

        DatagramPacket datagram = channel.readOutbound();
        try {
            assertThat(datagram.recipient()).isEqualTo(PHONE);
            assertThat(datagram.sender()).isEqualTo(SERVER);
            assertThat(dump(datagram.content())).isEqualTo("0003" + "ffff" + counting(size));
        } finally {
            datagram.release();
        }
        assertThat(payload.refCnt()).as("envelope and datagram both released").isZero();
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 512, 1468})
    void encodesBareDataIntoHeaderAndPayload(int size) {
        EmbeddedChannel channel = new EmbeddedChannel(TftpPacketEncoder.INSTANCE);
        ByteBuf payload = buffer(counting(size));

        channel.writeOutbound(new Data(7, payload));

        ByteBuf out = channel.readOutbound();
        try {
            assertThat(out).isNotInstanceOf(DatagramPacket.class);
            assertThat(dump(out)).isEqualTo("0003" + "0007" + counting(size));
        } finally {
            out.release();
        }
        assertThat(payload.refCnt()).isZero();
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @MethodSource("packetsWithoutBuffers")
    void encodesBarePacketIntoBuffer(TftpPacket packet, String hex) {
        EmbeddedChannel channel = new EmbeddedChannel(TftpPacketEncoder.INSTANCE);

        channel.writeOutbound(packet);

        ByteBuf out = channel.readOutbound();
        try {
            assertThat(dump(out)).isEqualTo(hex);
        } finally {
            out.release();
        }
        assertFalse(channel.finish());
    }

    @Test
    void sendsSlicesOfASharedImageWithoutMovingIt() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpPacketEncoder.INSTANCE);
        ByteBuf image = buffer(counting(1024));

        channel.writeOutbound(new Data(1, image.retainedSlice(0, 512)));
        channel.writeOutbound(new Data(2, image.retainedSlice(512, 512)));
        channel.writeOutbound(new Data(3, image.retainedSlice(1024, 0)));

        for (int block = 1; block <= 3; block++) {
            ByteBuf out = channel.readOutbound();
            try {
                String payload = block == 3 ? "" : counting(1024).substring((block - 1) * 1024, block * 1024);
                assertThat(dump(out)).isEqualTo("0003" + "000" + block + payload);
            } finally {
                out.release();
            }
        }
        assertThat(image.readerIndex()).isZero();
        assertThat(image.refCnt()).isEqualTo(1);
        assertThat(image.release()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void passesOtherMessagesThroughUntouched() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpPacketEncoder.INSTANCE);
        ByteBuf raw = buffer("00040005");
        AddressedEnvelope<String, InetSocketAddress> notTftp = new DefaultAddressedEnvelope<>("hello", PHONE);

        channel.writeOutbound(raw, notTftp);

        ByteBuf passedRaw = channel.readOutbound();
        try {
            assertThat(passedRaw).isSameAs(raw);
            assertThat(raw.refCnt()).isEqualTo(1);
        } finally {
            passedRaw.release();
        }
        assertThat((Object) channel.readOutbound()).isSameAs(notTftp);
        assertFalse(channel.finish());
    }

    @Test
    void toBufferLeavesPacketToCaller() {
        Data data = new Data(9, buffer("0102"));
        ByteBuf out = TftpPacketEncoder.toBuffer(ByteBufAllocator.DEFAULT, data);
        try {
            assertThat(dump(out)).isEqualTo("0003" + "0009" + "0102");
            assertThat(data.refCnt()).isPositive();
        } finally {
            out.release();
        }
        assertThat(data.release()).isTrue();
    }

    @Test
    void encodedDatagramDecodesToSamePacket() {
        EmbeddedChannel encoder = new EmbeddedChannel(TftpPacketEncoder.INSTANCE);
        EmbeddedChannel decoder = new EmbeddedChannel(TftpDatagramDecoder.INSTANCE);
        Data sent = new Data(65535, buffer(counting(512)));

        encoder.writeOutbound(new DefaultAddressedEnvelope<>(sent.retain(), PHONE, SERVER));
        decoder.writeInbound((Object) encoder.readOutbound());

        AddressedEnvelope<?, ?> received = decoder.readInbound();
        try {
            assertThat(received.content()).isEqualTo(sent);
            assertThat(received.sender()).isEqualTo(SERVER);
            assertThat(received.recipient()).isEqualTo(PHONE);
        } finally {
            received.release();
            sent.release();
        }
        assertThat(sent.refCnt()).isZero();
        assertFalse(encoder.finish());
        assertFalse(decoder.finish());
    }
}

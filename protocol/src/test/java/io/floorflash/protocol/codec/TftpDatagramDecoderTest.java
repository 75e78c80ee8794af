package io.floorflash.protocol.codec;

import static io.floorflash.protocol.codec.Hex.ascii;
import static io.floorflash.protocol.codec.Hex.buffer;
import static io.floorflash.protocol.codec.Hex.dump;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TransferMode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TftpDatagramDecoderTest {
    private static final InetSocketAddress PHONE = new InetSocketAddress("10.0.0.7", 41000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 69);
    /** RRQ snom320.bin octet. */
    private static final String RRQ = "0001" + "736e6f6d3332302e62696e00" + "6f6374657400";

    @Test
    void decodesDatagramIntoEnvelopeKeepingAddresses() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpDatagramDecoder.INSTANCE);
        ByteBuf content = buffer(RRQ);

        assertThat(channel.writeInbound(new DatagramPacket(content, SERVER, PHONE))).isTrue();

        AddressedEnvelope<?, ?> envelope = channel.readInbound();
        assertThat(envelope.content()).isEqualTo(new ReadRequest("snom320.bin", TransferMode.OCTET, Map.of()));
        assertThat(envelope.sender()).isEqualTo(PHONE);
        assertThat(envelope.recipient()).isEqualTo(SERVER);
        assertThat(content.refCnt()).as("datagram released by the decoder").isZero();
        assertThat((Object) channel.readInbound()).isNull();
        assertFalse(channel.finish());
    }

    @Test
    void passesDataWhosePayloadOutlivesTheDatagram() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpDatagramDecoder.INSTANCE);
        ByteBuf content = buffer("0003" + "0002" + "cafebabe");

        channel.writeInbound(new DatagramPacket(content, SERVER, PHONE));

        AddressedEnvelope<?, ?> envelope = channel.readInbound();
        try {
            assertThat(envelope.content()).isInstanceOf(Data.class);
            Data data = (Data) envelope.content();
            assertThat(data.block()).isEqualTo(2);
            assertThat(dump(data.content())).isEqualTo("cafebabe");
            assertThat(content.refCnt()).as("held by the payload slice only").isEqualTo(1);
        } finally {
            assertThat(envelope.release()).isTrue();
        }
        assertThat(content.refCnt()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void turnsMalformedDatagramIntoMalformedDatagram() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpDatagramDecoder.INSTANCE);
        ByteBuf content = buffer("0001" + ascii("snom320.bin") + "00" + ascii("mail") + "00");

        channel.writeInbound(new DatagramPacket(content, SERVER, PHONE));

        Object message = channel.readInbound();
        assertThat(message).isInstanceOf(MalformedDatagram.class);
        MalformedDatagram malformed = (MalformedDatagram) message;
        assertThat(malformed.sender()).isEqualTo(PHONE);
        assertThat(malformed.recipient()).isEqualTo(SERVER);
        assertThat(malformed.cause().opcode()).isEqualTo(1);
        assertThat(malformed.cause().getMessage())
                .isEqualTo("RRQ: unsupported mode 'mail' (expected: octet or netascii)");
        assertThat(content.refCnt()).isZero();
        channel.checkException();
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void turnsEmptyDatagramIntoMalformedDatagram() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpDatagramDecoder.INSTANCE);
        ByteBuf content = buffer("");

        channel.writeInbound(new DatagramPacket(content, SERVER, PHONE));

        MalformedDatagram malformed = channel.readInbound();
        assertThat(malformed.cause().opcode()).isZero();
        assertThat(malformed.cause().getMessage()).isEqualTo("packet: 0 bytes (expected: at least 2)");
        assertThat(content.refCnt()).isZero();
        channel.checkException();
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void keepsDecodingAfterMalformedDatagram() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpDatagramDecoder.INSTANCE);

        channel.writeInbound(new DatagramPacket(buffer("0007"), SERVER, PHONE));
        channel.writeInbound(new DatagramPacket(buffer("00040005"), SERVER, PHONE));
        channel.writeInbound(new DatagramPacket(buffer("0005" + "0001" + ascii("File not found") + "00"), SERVER,
                PHONE));

        assertThat((Object) channel.readInbound()).isInstanceOf(MalformedDatagram.class);
        AddressedEnvelope<?, ?> ack = channel.readInbound();
        assertThat(ack.content()).isEqualTo(new Ack(5));
        AddressedEnvelope<?, ?> error = channel.readInbound();
        assertThat(error.content()).isEqualTo(new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "File not found"));
        channel.checkException();
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void passesOtherMessagesThroughUntouched() {
        EmbeddedChannel channel = new EmbeddedChannel(TftpDatagramDecoder.INSTANCE);
        ByteBuf raw = buffer("00040005");

        channel.writeInbound(raw);

        ByteBuf passed = channel.readInbound();
        try {
            assertThat(passed).isSameAs(raw);
            assertThat(raw.refCnt()).isEqualTo(1);
        } finally {
            passed.release();
        }
        assertFalse(channel.finish());
    }
}

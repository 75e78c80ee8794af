package io.floorflash.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpOptions;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TftpRequest;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.TransferOptions;
import io.floorflash.protocol.codec.TftpArbitraries.PacketSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The codec fuzzed with jqwik in every test run: whatever bytes arrive, decoding gives a packet or the documented
 * {@link TftpDecodeException} and leaks no buffer; every valid packet survives encode and decode; negotiation never
 * agrees to a value out of range. Buffers come from the pooled direct allocator with the leak detector at paranoid,
 * and each property ends by asking the detector for leaks.
 */
class TftpCodecFuzzTest {
    private static final InetSocketAddress PHONE = new InetSocketAddress("10.0.0.7", 41000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 69);

    private LeakProbe leaks;

    @BeforeProperty
    void openProbe() {
        leaks = new LeakProbe();
    }

    @AfterProperty
    void noLeaks() {
        try {
            leaks.assertNoLeaks();
        } finally {
            leaks.close();
        }
    }

    @Provide
    Arbitrary<byte[]> datagrams() {
        return TftpArbitraries.datagrams();
    }

    @Provide
    Arbitrary<PacketSpec> packets() {
        return TftpArbitraries.packets();
    }

    @Property(tries = 4_000)
    void anyDatagramDecodesToAPacketOrTheDecodeExceptionAndKeepsItsBuffer(@ForAll("datagrams") byte[] bytes,
                                                                            @ForAll @IntRange(max = 7) int offset) {
        // The datagram's bytes start past a few others: the codec must read from the reader index, not from 0.
        ByteBuf in = ByteBufAllocator.DEFAULT.directBuffer(offset + bytes.length);
        in.writeZero(offset).writeBytes(bytes).readerIndex(offset);
        TftpPacket packet = null;
        try {
            packet = TftpPacketCodec.decode(in);
            assertThat(in.readerIndex()).as("reader index").isEqualTo(offset);
            assertThat(in.refCnt()).as("one more reference for a DATA's payload only").isEqualTo(packet instanceof Data ? 2 : 1);
            assertThat(packet.opcode().code()).isEqualTo(in.getUnsignedShort(offset));
            if (!hasUndecodableText(packet)) {
                assertReencodes(packet);
            }
        } catch (TftpDecodeException e) {
            assertThat(e.getMessage()).as("a reason").isNotBlank();
            assertThat(e.opcode()).as("the claimed opcode").isEqualTo(bytes.length < 2 ? 0 : in.getUnsignedShort(offset));
            assertThat(in.refCnt()).isEqualTo(1);
        } finally {
            ReferenceCountUtil.release(packet);
            assertThat(in.release()).as("the caller's release is the last").isTrue();
        }
    }

    /**
     * File names and ERROR texts are UTF-8: bytes that are not (or an ERROR text cut inside a character) become
     * U+FFFD, which is written back as three other bytes, so only text that decoded cleanly must come back the same.
     */
    private static boolean hasUndecodableText(TftpPacket packet) {
        String text = packet instanceof TftpRequest request ? request.filename()
                : packet instanceof ErrorPacket error ? error.message() : "";
        return text.indexOf('\uFFFD') >= 0;
    }

    /** What was decoded encodes to bytes that decode to the same packet: the codec reads what it writes. */
    private static void assertReencodes(TftpPacket packet) {
        ByteBuf again = TftpPacketEncoder.toBuffer(ByteBufAllocator.DEFAULT, packet);
        TftpPacket decoded = null;
        try {
            decoded = TftpPacketCodec.decode(again);
            assertThat(decoded).isEqualTo(packet);
        } finally {
            ReferenceCountUtil.release(decoded);
            again.release();
        }
    }

    @Property(tries = 2_000)
    void decodingWhatWasEncodedGivesThePacketBack(@ForAll("packets") PacketSpec spec) {
        TftpPacket packet = spec.build();
        ByteBuf encoded = TftpPacketEncoder.toBuffer(ByteBufAllocator.DEFAULT, packet);
        TftpPacket decoded = null;
        try {
            decoded = TftpPacketCodec.decode(encoded);
            assertThat(decoded).isEqualTo(packet);
            if (packet instanceof TftpRequest request) {
                assertThat(List.copyOf(((TftpRequest) decoded).options().keySet())).as("option order")
                        .isEqualTo(List.copyOf(request.options().keySet()));
            }
        } finally {
            ReferenceCountUtil.release(decoded);
            assertThat(encoded.release()).isTrue();
            if (packet instanceof Data data) {
                assertThat(data.refCnt()).as("the encoder leaves a DATA's count alone").isEqualTo(1);
                data.release();
            }
        }
    }

    @Property(tries = 2_000)
    void theDatagramDecoderPassesOnExactlyOneEnvelopeOrMalformedDatagram(@ForAll("datagrams") byte[] bytes) {
        EmbeddedChannel channel = new EmbeddedChannel(TftpDatagramDecoder.INSTANCE);
        // Unpooled (and leak-tracked): a released pooled buffer goes back to the pool, and its count with it.
        ByteBuf content = UnpooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);

        assertThat(channel.writeInbound(new DatagramPacket(content, SERVER, PHONE))).isTrue();

        Object out = channel.readInbound();
        try {
            Object more = channel.readInbound();
            assertThat(more).as("one message per datagram").isNull();
            if (out instanceof MalformedDatagram malformed) {
                assertThat(malformed.sender()).isEqualTo(PHONE);
                assertThat(malformed.recipient()).isEqualTo(SERVER);
                assertThat(content.refCnt()).as("released by the decoder").isZero();
            } else {
                assertThat(out).isInstanceOf(AddressedEnvelope.class);
                AddressedEnvelope<?, ?> envelope = (AddressedEnvelope<?, ?>) out;
                assertThat(envelope.content()).isInstanceOf(TftpPacket.class);
                assertThat(envelope.sender()).isEqualTo(PHONE);
                assertThat(envelope.recipient()).isEqualTo(SERVER);
            }
        } finally {
            ReferenceCountUtil.release(out);
        }
        assertThat(content.refCnt()).as("nothing holds the datagram").isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Provide
    Arbitrary<OptionLimits> limits() {
        return Combinators.combine(Arbitraries.integers().between(OptionLimits.MIN_BLOCK_SIZE, OptionLimits.MAX_BLOCK_SIZE),
                Arbitraries.integers().between(OptionLimits.MIN_WINDOW_SIZE, OptionLimits.MAX_WINDOW_SIZE)).as(OptionLimits::new);
    }

    @Provide
    Arbitrary<Map<String, String>> requested() {
        return TftpArbitraries.hostileOptions();
    }

    @Property(tries = 3_000)
    void negotiationNeverAgreesToAValueOutOfRange(@ForAll("requested") Map<String, String> asked,
                                                  @ForAll("limits") OptionLimits limits,
                                                  @ForAll @LongRange(max = 1L << 40) long size) {
        // The names as the decoder hands them over: lower case, the first of two equal names kept.
        Map<String, String> requested = new ReadRequest("f", TransferMode.OCTET, asked).options();

        TransferOptions agreed = TransferOptions.negotiate(requested, limits, size);

        // Without a blksize agreed the block is RFC 1350's 512, whatever the limit: a plain client knows no other.
        if (agreed.acknowledged().containsKey(TftpOptions.BLKSIZE)) {
            assertThat(agreed.blockSize()).isBetween(OptionLimits.MIN_BLOCK_SIZE, limits.maxBlockSize());
        } else {
            assertThat(agreed.blockSize()).isEqualTo(TftpOptions.DEFAULT_BLOCK_SIZE);
        }
        assertThat(agreed.windowSize()).isBetween(OptionLimits.MIN_WINDOW_SIZE, limits.maxWindowSize());
        assertThat(agreed.timeoutSeconds()).satisfiesAnyOf(t -> assertThat(t).isZero(),
                t -> assertThat(t).isBetween(OptionLimits.MIN_TIMEOUT_SECONDS, OptionLimits.MAX_TIMEOUT_SECONDS));
        assertThat(requested.keySet()).as("only requested options are acknowledged").containsAll(agreed.acknowledged().keySet());
        agreed.acknowledged().forEach((name, value) -> {
            assertThat(value).as("%s is acknowledged with a plain decimal", name).matches("0|[1-9][0-9]*");
            long number = decimal(requested.get(name));
            switch (name) {
                case TftpOptions.BLKSIZE:
                    assertThat(Long.parseLong(value)).isEqualTo(agreed.blockSize()).isLessThanOrEqualTo(number);
                    break;
                case TftpOptions.WINDOWSIZE:
                    assertThat(Long.parseLong(value)).isEqualTo(agreed.windowSize()).isLessThanOrEqualTo(number);
                    break;
                case TftpOptions.TIMEOUT:
                    assertThat(Long.parseLong(value)).isEqualTo(agreed.timeoutSeconds()).isEqualTo(number);
                    break;
                case TftpOptions.TSIZE:
                    assertThat(Long.parseLong(value)).as("tsize answers the real size").isEqualTo(size);
                    break;
                default:
                    throw new AssertionError("acknowledged an option floorflash does not know: " + name);
            }
        });
        assertThat(agreed.needsOptionAck()).isEqualTo(!agreed.acknowledged().isEmpty());
    }

    /** The value as a number when it is only ASCII digits, else -1: nothing else may be accepted. */
    private static long decimal(String value) {
        return value.matches("[0-9]{1,18}") ? Long.parseLong(value) : -1;
    }
}

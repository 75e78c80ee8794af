package io.floorflash.protocol.codec;

import io.floorflash.protocol.Data;
import io.floorflash.protocol.TftpPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Encodes outbound packets: an {@code AddressedEnvelope<TftpPacket, InetSocketAddress>} becomes a
 * {@link DatagramPacket} to its recipient, and a bare {@link TftpPacket} (on a connected transfer channel) becomes a
 * {@link ByteBuf}. A DATA payload is not copied: the datagram is a 4-byte header composed with the payload.
 */
@ChannelHandler.Sharable
public final class TftpPacketEncoder extends MessageToMessageEncoder<Object> {
    public static final TftpPacketEncoder INSTANCE = new TftpPacketEncoder();

    private TftpPacketEncoder() {
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof TftpPacket
                || msg instanceof AddressedEnvelope && ((AddressedEnvelope<?, ?>) msg).content() instanceof TftpPacket;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof TftpPacket) {
            out.add(toBuffer(ctx.alloc(), (TftpPacket) msg));
            return;
        }
        @SuppressWarnings("unchecked")
        AddressedEnvelope<TftpPacket, InetSocketAddress> envelope = (AddressedEnvelope<TftpPacket, InetSocketAddress>) msg;
        out.add(new DatagramPacket(toBuffer(ctx.alloc(), envelope.content()), envelope.recipient(), envelope.sender()));
    }

    /**
     * Encodes one packet into a new buffer from {@code alloc}. Does not release {@code packet}; a {@link Data}
     * payload is retained into the result.
     */
    public static ByteBuf toBuffer(ByteBufAllocator alloc, TftpPacket packet) {
        if (packet instanceof Data) {
            Data data = (Data) packet;
            ByteBuf header = alloc.directBuffer(4, 4);
            TftpPacketCodec.encodeDataHeader(data.block(), header);
            if (!data.content().isReadable()) {
                return header;
            }
            CompositeByteBuf datagram = alloc.compositeDirectBuffer(2);
            datagram.addComponent(true, header);
            datagram.addComponent(true, data.content().retainedSlice());
            return datagram;
        }
        ByteBuf buffer = alloc.directBuffer(64);
        boolean success = false;
        try {
            TftpPacketCodec.encode(packet, buffer);
            success = true;
            return buffer;
        } finally {
            if (!success) {
                buffer.release();
            }
        }
    }
}

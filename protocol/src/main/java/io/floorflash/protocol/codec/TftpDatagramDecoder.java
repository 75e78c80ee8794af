package io.floorflash.protocol.codec;

import io.floorflash.protocol.TftpPacket;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Turns each {@link DatagramPacket} into an {@code AddressedEnvelope<TftpPacket, InetSocketAddress>} (sender and
 * recipient kept beside the packet), or into a {@link MalformedDatagram} when the bytes are not TFTP, so the next
 * handler can answer the sender. Never closes the channel and never throws for bad input.
 */
@ChannelHandler.Sharable
public final class TftpDatagramDecoder extends MessageToMessageDecoder<DatagramPacket> {
    public static final TftpDatagramDecoder INSTANCE = new TftpDatagramDecoder();

    private TftpDatagramDecoder() {
        super(DatagramPacket.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DatagramPacket datagram, List<Object> out) {
        try {
            TftpPacket packet = TftpPacketCodec.decode(datagram.content());
            AddressedEnvelope<TftpPacket, InetSocketAddress> envelope =
                    new DefaultAddressedEnvelope<>(packet, datagram.recipient(), datagram.sender());
            out.add(envelope);
        } catch (TftpDecodeException e) {
            out.add(new MalformedDatagram(datagram.sender(), datagram.recipient(), e));
        }
    }
}

package io.floorflash.protocol.codec;

import java.net.InetSocketAddress;

/**
 * What {@link TftpDatagramDecoder} passes on instead of a packet when a datagram does not decode: who sent it,
 * where it arrived, and why it was refused. Holds no buffer.
 */
public record MalformedDatagram(InetSocketAddress sender, InetSocketAddress recipient, TftpDecodeException cause) {
}

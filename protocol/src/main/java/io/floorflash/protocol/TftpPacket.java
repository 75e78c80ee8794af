package io.floorflash.protocol;

/**
 * One TFTP packet. Addresses travel beside packets (in an {@code AddressedEnvelope}), never inside them.
 * Only {@link Data} holds a reference-counted buffer.
 */
public sealed interface TftpPacket permits TftpRequest, Data, Ack, ErrorPacket, OptionAck {
    Opcode opcode();
}

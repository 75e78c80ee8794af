package io.floorflash.protocol;

/** ACK of one block (0 acknowledges an OACK). */
public record Ack(int block) implements TftpPacket {
    public Ack {
        BlockNumbers.check(block);
    }

    @Override
    public Opcode opcode() {
        return Opcode.ACK;
    }
}

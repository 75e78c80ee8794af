package io.floorflash.protocol;

import java.util.Map;

/** OACK (RFC 2347): the options the server accepted, with the values it chose, in request order. */
public record OptionAck(Map<String, String> options) implements TftpPacket {
    public OptionAck {
        options = TftpOptions.copyOf(options);
        if (options.isEmpty()) {
            throw new IllegalArgumentException("options: empty (expected: at least one accepted option)");
        }
    }

    @Override
    public Opcode opcode() {
        return Opcode.OACK;
    }
}

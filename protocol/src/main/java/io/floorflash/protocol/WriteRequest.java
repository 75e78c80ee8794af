package io.floorflash.protocol;

import java.util.Map;
import java.util.Objects;

/** WRQ: the client wants to write {@code filename}. */
public record WriteRequest(String filename, TransferMode mode, Map<String, String> options) implements TftpRequest {
    public WriteRequest {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(mode, "mode");
        options = TftpOptions.copyOf(options);
    }

    @Override
    public Opcode opcode() {
        return Opcode.WRQ;
    }
}

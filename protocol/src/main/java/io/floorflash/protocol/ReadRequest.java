package io.floorflash.protocol;

import java.util.Map;
import java.util.Objects;

/** RRQ: the client wants to read {@code filename}. */
public record ReadRequest(String filename, TransferMode mode, Map<String, String> options) implements TftpRequest {
    public ReadRequest {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(mode, "mode");
        options = TftpOptions.copyOf(options);
    }

    public ReadRequest(String filename, TransferMode mode) {
        this(filename, mode, Map.of());
    }

    @Override
    public Opcode opcode() {
        return Opcode.RRQ;
    }
}

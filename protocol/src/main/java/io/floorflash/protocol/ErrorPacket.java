package io.floorflash.protocol;

import java.util.Objects;

/** ERROR with its raw code: a code no RFC defines is kept as it came. */
public record ErrorPacket(int code, String message) implements TftpPacket {
    public ErrorPacket {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("code: " + code + " (expected: 0-65535)");
        }
        Objects.requireNonNull(message, "message");
    }

    public ErrorPacket(ErrorCode code, String message) {
        this(code.code(), message);
    }

    /** The known code, or {@code null} when the peer sent one that no RFC defines. */
    public ErrorCode errorCode() {
        return ErrorCode.fromCode(code);
    }

    @Override
    public Opcode opcode() {
        return Opcode.ERROR;
    }
}

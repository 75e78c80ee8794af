package io.floorflash.protocol.codec;

import io.netty.handler.codec.DecoderException;

/**
 * A datagram that is not a well-formed TFTP packet. The message says what, what came and what was expected:
 * {@code "RRQ: no NUL after mode (expected: filename NUL mode NUL)"}. {@link #opcode()} is the opcode the datagram
 * claimed (0 when it had none), so a listener can decide whether the sender speaks TFTP at all.
 */
public final class TftpDecodeException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final int opcode;

    public TftpDecodeException(int opcode, String message) {
        super(message);
        this.opcode = opcode;
    }

    /** The raw opcode the datagram started with, or 0 when it was too short to carry one. */
    public int opcode() {
        return opcode;
    }

    /** Decode failures are expected input, not bugs: no stack trace is filled in. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}

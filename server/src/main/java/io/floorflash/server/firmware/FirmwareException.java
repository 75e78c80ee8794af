package io.floorflash.server.firmware;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;

/**
 * A request the firmware store refuses, with the TFTP error to answer and a message for the client and the log.
 * Expected, so it carries no stack trace.
 */
public final class FirmwareException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public FirmwareException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** The ERROR packet that answers the request. */
    public ErrorPacket toErrorPacket() {
        return new ErrorPacket(code, getMessage());
    }
}

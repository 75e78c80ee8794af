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
    private final Verification verification;

    /** Why an image failed verification against its SHA256SUMS, when that is why it is refused. */
    public enum Verification {
        /** Not refused for its checksum. */
        NONE,
        /** Its SHA-256 differs from the one SHA256SUMS lists. */
        MISMATCH,
        /** floorflash.firmware.require-checksums, and no SHA256SUMS beside it lists it. */
        NOT_LISTED
    }

    public FirmwareException(ErrorCode code, String message) {
        this(code, message, Verification.NONE);
    }

    FirmwareException(ErrorCode code, String message, Verification verification) {
        super(message, null, false, false);
        this.code = code;
        this.verification = verification;
    }

    public Verification verification() {
        return verification;
    }

    public ErrorCode code() {
        return code;
    }

    /** The ERROR packet that answers the request. */
    public ErrorPacket toErrorPacket() {
        return new ErrorPacket(code, getMessage());
    }
}

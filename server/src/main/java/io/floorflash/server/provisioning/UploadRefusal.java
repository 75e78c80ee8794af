package io.floorflash.server.provisioning;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.server.transfer.RefusalReason;

/** An upload refused before anything was acknowledged: the ERROR the client gets, and the reason counted. */
public final class UploadRefusal extends RuntimeException {
    private final transient ErrorPacket error;
    private final RefusalReason reason;

    public UploadRefusal(ErrorCode code, String message, RefusalReason reason) {
        super(message, null, false, false);
        this.error = new ErrorPacket(code, message);
        this.reason = reason;
    }

    public ErrorPacket error() {
        return error;
    }

    public RefusalReason reason() {
        return reason;
    }
}

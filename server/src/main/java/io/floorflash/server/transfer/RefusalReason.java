package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorCode;

/** Why a request was answered with an ERROR instead of a transfer: the {@code reason} label of the refusal counter. */
public enum RefusalReason {
    /** The file does not exist (ERROR 1). */
    NOT_FOUND("not-found"),
    /** The name may not be served: outside the root, a control character, unreadable (ERROR 2). */
    ACCESS_DENIED("access-denied"),
    /** The image could not be read (an I/O error, a load past its deadline). */
    LOAD_FAILED("load-failed"),
    /** A write request: uploads are not accepted. */
    WRITE_REQUEST("write-request"),
    /** floorflash.transfer.max-active-transfers transfers run already. */
    BUSY("busy"),
    /** The client's address runs floorflash.transfer.max-transfers-per-address transfers already. */
    ADDRESS_BUSY("address-busy"),
    /** The server is draining for a stop. */
    DRAINING("draining"),
    /** The image needs more blocks than the rollover setting allows at the negotiated block size. */
    TOO_MANY_BLOCKS("too-many-blocks"),
    /** No transfer port could be opened. */
    NO_PORT("no-port");

    private final String label;

    RefusalReason(String label) {
        this.label = label;
    }

    /** The name in metrics and log lines: {@code not-found}, {@code address-busy}, ... */
    public String label() {
        return label;
    }

    /** The reason for a refusal of the firmware store with {@code code}. */
    public static RefusalReason ofStoreError(ErrorCode code) {
        switch (code) {
            case FILE_NOT_FOUND:
                return NOT_FOUND;
            case ACCESS_VIOLATION:
                return ACCESS_DENIED;
            default:
                return LOAD_FAILED;
        }
    }
}

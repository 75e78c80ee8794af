package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.server.firmware.FirmwareException;

/** Why a request was answered with an ERROR instead of a transfer: the {@code reason} label of the refusal counter. */
public enum RefusalReason {
    /** The file does not exist (ERROR 1). */
    NOT_FOUND("not-found"),
    /** The name may not be served: outside the root, a control character, unreadable (ERROR 2). */
    ACCESS_DENIED("access-denied"),
    /** The image could not be read (an I/O error, a load past its deadline). */
    LOAD_FAILED("load-failed"),
    /** A rule denies the name to the client (ERROR 2 with the rule's text). */
    DENIED("denied"),
    /** A write request: uploads are not accepted. */
    WRITE_REQUEST("write-request"),
    /** An upload whose tsize is above floorflash.uploads.max-bytes (ERROR 3). */
    OVER_QUOTA("over-quota"),
    /** An upload of a name that exists, with floorflash.uploads.overwrite off (ERROR 6). */
    FILE_EXISTS("file-exists"),
    /** An upload in a mode other than octet. */
    UNSUPPORTED_MODE("unsupported-mode"),
    /** An upload whose file could not be created (an I/O error). */
    UPLOAD_FAILED("upload-failed"),
    /** floorflash.transfer.max-active-transfers transfers run already. */
    BUSY("busy"),
    /** The client's address runs floorflash.transfer.max-transfers-per-address transfers already. */
    ADDRESS_BUSY("address-busy"),
    /** The server is draining for a stop. */
    DRAINING("draining"),
    /** The image needs more blocks than the rollover setting allows at the negotiated block size. */
    TOO_MANY_BLOCKS("too-many-blocks"),
    /** No transfer port could be opened. */
    NO_PORT("no-port"),
    /** The image's SHA-256 differs from the one its SHA256SUMS lists. */
    CHECKSUM_MISMATCH("checksum-mismatch"),
    /** floorflash.firmware.require-checksums, and no SHA256SUMS beside the image lists it. */
    NOT_LISTED("not-listed");

    private final String label;

    RefusalReason(String label) {
        this.label = label;
    }

    /** The name in metrics and log lines: {@code not-found}, {@code address-busy}, ... */
    public String label() {
        return label;
    }

    /** The reason for the firmware store's {@code refusal}. */
    public static RefusalReason of(FirmwareException refusal) {
        switch (refusal.verification()) {
            case MISMATCH:
                return CHECKSUM_MISMATCH;
            case NOT_LISTED:
                return NOT_LISTED;
            default:
                return ofStoreError(refusal.code());
        }
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

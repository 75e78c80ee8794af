package io.floorflash.protocol;

/**
 * The error codes of RFC 1350 plus RFC 2347's option negotiation refusal. An {@link ErrorPacket} keeps the
 * raw code, so a peer sending a code outside this list is data, not an exception.
 */
public enum ErrorCode {
    NOT_DEFINED(0, "Not defined"),
    FILE_NOT_FOUND(1, "File not found"),
    ACCESS_VIOLATION(2, "Access violation"),
    DISK_FULL(3, "Disk full or allocation exceeded"),
    ILLEGAL_OPERATION(4, "Illegal TFTP operation"),
    UNKNOWN_TRANSFER_ID(5, "Unknown transfer ID"),
    FILE_EXISTS(6, "File already exists"),
    NO_SUCH_USER(7, "No such user"),
    OPTION_REFUSED(8, "Option negotiation refused");

    private final int code;
    private final String description;

    ErrorCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    /** The RFC's wording, for logs and as a default message. */
    public String description() {
        return description;
    }

    /** The constant for {@code code}, or {@code null} for a code no RFC defines. */
    public static ErrorCode fromCode(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}

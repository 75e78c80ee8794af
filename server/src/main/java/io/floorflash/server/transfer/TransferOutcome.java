package io.floorflash.server.transfer;

/** How a transfer ended. */
public enum TransferOutcome {
    /** The last block was acknowledged. */
    COMPLETED,
    /** The client sent an ERROR (a tsize probe ends this way too). */
    CLIENT_ERROR,
    /** The client stopped answering: retransmissions ran out. */
    TIMED_OUT,
    /** The transfer ran past its configured deadline. */
    DEADLINE,
    /** The client's host or port was unreachable (ICMP). */
    UNREACHABLE,
    /** The server ended it (shutdown or an I/O failure). */
    CANCELLED,
    /** An upload carried more than floorflash.uploads.max-bytes. */
    QUOTA_EXCEEDED;

    /** Lower case, as logged. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

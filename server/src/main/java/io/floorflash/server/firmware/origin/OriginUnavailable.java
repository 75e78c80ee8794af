package io.floorflash.server.firmware.origin;

/**
 * The pull-through cache cannot give a copy of a name: the message is the text a phone's ERROR carries. Expected, so
 * it carries no stack trace.
 */
public final class OriginUnavailable extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason {
        /** The origin has no such object: a "file not found". */
        MISSING,
        /** Never fetched, and the origin cannot be reached (or answers 5xx, or too slowly). */
        UNREACHABLE,
        /** A fetch is under way and took longer than the requests may wait. */
        STILL_FETCHING,
        /** The fetched body failed its length or SHA-256 check, or is larger than the cache folder. */
        REFUSED
    }

    private final Reason reason;

    public OriginUnavailable(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

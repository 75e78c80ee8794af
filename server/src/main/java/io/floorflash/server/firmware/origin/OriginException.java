package io.floorflash.server.firmware.origin;

/** The origin could not answer: unreachable, timed out, a 5xx, credentials refused, a body cut short. */
public final class OriginException extends Exception {
    private static final long serialVersionUID = 1L;

    public OriginException(String message, Throwable cause) {
        super(message, cause);
    }

    public OriginException(String message) {
        super(message);
    }
}

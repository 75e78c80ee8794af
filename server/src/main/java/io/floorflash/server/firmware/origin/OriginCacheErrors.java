package io.floorflash.server.firmware.origin;

import java.util.concurrent.CompletionException;

/** Texts of the failures {@link OriginCache}'s futures carry, for logs and the prefetch command. */
public final class OriginCacheErrors {
    private OriginCacheErrors() {
    }

    /** The message of {@code error}, unwrapped from its {@link CompletionException}s. */
    public static String text(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof OriginUnavailable ? cause.getMessage() : String.valueOf(cause);
    }
}

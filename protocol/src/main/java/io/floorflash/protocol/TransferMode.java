package io.floorflash.protocol;

import java.util.Locale;
import java.util.Optional;

/** The transfer modes floorflash speaks; RFC 1350's obsolete "mail" mode is refused like any unknown one. */
public enum TransferMode {
    OCTET("octet"), NETASCII("netascii");

    private final String wireName;

    TransferMode(String wireName) {
        this.wireName = wireName;
    }

    /** The mode as it is written on the wire (lower case). */
    public String wireName() {
        return wireName;
    }

    /** Parses a mode case-insensitively, as RFC 1350 requires. */
    public static Optional<TransferMode> parse(String mode) {
        String lower = mode.toLowerCase(Locale.ROOT);
        for (TransferMode m : values()) {
            if (m.wireName.equals(lower)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}

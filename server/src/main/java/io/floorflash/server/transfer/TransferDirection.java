package io.floorflash.server.transfer;

import java.util.Locale;

/** Which way a transfer's data goes: to the client (a read, RRQ) or from it (an upload, WRQ). */
public enum TransferDirection {
    READ,
    WRITE;

    /** {@code read} or {@code write}, as logged and in the audit line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

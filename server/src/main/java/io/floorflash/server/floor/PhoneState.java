package io.floorflash.server.floor;

import java.util.Locale;

/** What the newest request of one phone (client address) came to. */
public enum PhoneState {
    /** On the roster, but it has not asked yet ("never came"). */
    WAITING,
    /** A transfer is running. */
    LOADING,
    /** The last transfer completed. */
    DONE,
    /** The last transfer failed, or the last request was refused. */
    FAILED;

    /** Lower case, as in the JSON and on the page. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

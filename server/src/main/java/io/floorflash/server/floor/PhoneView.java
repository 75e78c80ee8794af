package io.floorflash.server.floor;

import java.net.InetAddress;

/**
 * One phone as the floor page shows it, read at one moment.
 *
 * @param name           label from the roster, or empty
 * @param expected       false when a roster is configured and this address is on none of its entries
 * @param file           the file of the newest request, or empty while waiting
 * @param served         the file sent for it (a rule or a group may choose another), or empty when none was
 * @param bytes          bytes acknowledged so far (loading) or in all (finished)
 * @param size           bytes the transfer carries in full (0 when refused or waiting)
 * @param bytesPerSecond average rate of the newest transfer so far
 * @param elapsedMillis  how long the newest transfer has run (loading) or ran (finished)
 * @param reason         why it failed, or empty
 * @param upload         whether the newest transfer is an upload from the phone (WRQ), not a read
 */
public record PhoneView(InetAddress address, String name, boolean expected, PhoneState state, String file, String served,
                        long bytes, long size, long bytesPerSecond, long retransmits, long elapsedMillis, String reason,
                        boolean upload) {
    /** A phone whose newest transfer is a read, or that has none. */
    public PhoneView(InetAddress address, String name, boolean expected, PhoneState state, String file, String served,
                     long bytes, long size, long bytesPerSecond, long retransmits, long elapsedMillis, String reason) {
        this(address, name, expected, state, file, served, bytes, size, bytesPerSecond, retransmits, elapsedMillis, reason,
                false);
    }
}

package io.floorflash.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The start-up check of the open-files limit: every transfer holds a UDP socket (its own port), so a limit below
 * {@code floorflash.transfer.max-active-transfers} makes the server refuse transfers it was configured to take
 * ("Server out of resources: cannot open a transfer port") long before its own bound.
 */
final class OpenFilesCheck {
    /**
     * Descriptors beyond the transfers' sockets: the listener, each event loop's epoll, event and timer descriptors,
     * refusal sockets, the jar, the log files, the JDK's own.
     */
    static final int RESERVE = 256;

    private OpenFilesCheck() {
    }

    /** The warning to log when {@code limit} open files are too few for {@code maxActiveTransfers}; empty when enough. */
    static Optional<String> warning(long limit, int maxActiveTransfers) {
        long needed = (long) maxActiveTransfers + RESERVE;
        if (limit >= needed) {
            return Optional.empty();
        }
        return Optional.of("open-files limit is " + limit + ", but floorflash.transfer.max-active-transfers = "
                + maxActiveTransfers + " needs about " + needed + " (one socket per transfer, plus " + RESERVE
                + "): beyond about " + Math.max(0, limit - RESERVE) + " transfers, requests are refused with "
                + "\"cannot open a transfer port\". Raise the limit (the JVM takes the hard limit: 'ulimit -n " + needed
                + "' in the shell that starts it, LimitNOFILE=" + Math.max(65536, needed) + " in the systemd unit) or lower "
                + "max-active-transfers");
    }

    /** This process's open-files limit, when the platform tells it (Unix). */
    static OptionalLong currentLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            long limit = ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
            return limit > 0 ? OptionalLong.of(limit) : OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}

package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.SafeText;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of refused requests, quiet under a flood: the first {@code detailed} refusals of each interval get a line
 * of their own (who, which file, why), the rest are counted and summarised in one line when the interval ends
 * ({@link #flush}, called by a timer): how many, from how many addresses, the reasons and the address that sent
 * most. A flood of refusable requests then costs a few lines, not one synchronous write per packet on the event
 * loop. The metrics count every refusal exactly; this is only the log.
 */
public final class RefusalLog implements TransferListener {
    private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);
    /** Addresses remembered per interval; beyond it the summary says "at least". */
    static final int MAX_ADDRESSES = 4096;

    private final Logger out;
    private final int detailed;
    private final EnumMap<RefusalReason, Integer> reasons = new EnumMap<>(RefusalReason.class);
    private final Map<InetAddress, Integer> byAddress = new HashMap<>();
    private int loggedThisInterval;
    private long summarised;
    private boolean addressesOverflowed;
    private boolean serious;

    /** @param detailed refusals logged one by one per interval before the rest are summarised */
    public RefusalLog(int detailed) {
        this(log, detailed);
    }

    RefusalLog(Logger out, int detailed) {
        this.out = out;
        this.detailed = detailed;
    }

    @Override
    public void transferFinished(TransferSummary summary) {
    }

    @Override
    public void requestRefused(TransferId id, ErrorPacket error, RefusalReason reason) {
        synchronized (this) {
            if (loggedThisInterval >= detailed) {
                count(id.client().getAddress(), reason);
                return;
            }
            loggedThisInterval++;
        }
        // The line itself is written outside the lock; TransferId and the message are escaped.
        if (reason == RefusalReason.DRAINING) {
            out.debug("refused {} reason={}: {}", id, reason.label(), SafeText.escape(error.message()));
        } else if (isSerious(reason)) {
            out.warn("refused {} reason={} error={}: {}", id, reason.label(), error.code(), SafeText.escape(error.message()));
        } else {
            out.info("refused {} reason={} error={}: {}", id, reason.label(), error.code(), SafeText.escape(error.message()));
        }
    }

    private void count(InetAddress address, RefusalReason reason) {
        summarised++;
        reasons.merge(reason, 1, Integer::sum);
        serious |= isSerious(reason);
        if (byAddress.containsKey(address) || byAddress.size() < MAX_ADDRESSES) {
            byAddress.merge(address, 1, Integer::sum);
        } else {
            addressesOverflowed = true;
        }
    }

    /** Ends the interval: writes the summary of the refusals not logged one by one, if any. */
    public void flush() {
        String summary;
        boolean warn;
        synchronized (this) {
            loggedThisInterval = 0;
            if (summarised == 0) {
                return;
            }
            summary = summary();
            warn = serious;
            summarised = 0;
            reasons.clear();
            byAddress.clear();
            addressesOverflowed = false;
            serious = false;
        }
        if (warn) {
            out.warn(summary);
        } else {
            out.info(summary);
        }
    }

    private String summary() {
        StringJoiner why = new StringJoiner(", ");
        reasons.entrySet().stream()
                .sorted(Map.Entry.<RefusalReason, Integer>comparingByValue().reversed())
                .forEach(e -> why.add(e.getKey().label() + " " + e.getValue()));
        Map.Entry<InetAddress, Integer> top = byAddress.entrySet().stream()
                .max(Map.Entry.comparingByValue()).orElseThrow();
        return "refused " + summarised + " more request" + (summarised == 1 ? "" : "s") + " since the last line, from "
                + (addressesOverflowed ? "at least " : "") + byAddress.size() + " address"
                + (byAddress.size() == 1 ? "" : "es") + " (" + why + "; most from " + top.getKey().getHostAddress()
                + ": " + top.getValue() + "); each is counted in floorflash_requests_refused_total";
    }

    private static boolean isSerious(RefusalReason reason) {
        return reason == RefusalReason.BUSY || reason == RefusalReason.ADDRESS_BUSY || reason == RefusalReason.NO_PORT
                || reason == RefusalReason.LOAD_FAILED;
    }
}

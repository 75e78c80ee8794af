package io.floorflash.server.transfer;

import io.netty.channel.unix.Errors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP generic segmentation offload for windows, shared by every transfer of a server: several DATA datagrams of one
 * window go to the kernel as one buffer and one send, and the kernel cuts them apart (Linux {@code UDP_SEGMENT}).
 * The client receives the same datagrams. Every segment but the last must be exactly the segment size, which holds
 * for a window: only the file's last block is short, and it ends the window.
 *
 * <p>Where the kernel cannot segment at all (no {@code UDP_SEGMENT}, EIO from a device without checksum offload,
 * EOPNOTSUPP), offload is turned off for the rest of the server's life with one warning. Where it refuses one
 * transfer's segments (EINVAL or EMSGSIZE: a segment larger than the path's MTU, when a large blksize was allowed),
 * that transfer alone goes on without. Either way the refused window is resent by the transfer's timer as separate
 * datagrams. Other send failures (a full buffer, a client gone away) change nothing.
 */
public final class SegmentOffload {
    private static final Logger log = LoggerFactory.getLogger(SegmentOffload.class);
    /** Segments per send: the kernel's UDP_MAX_SEGMENTS is 64 on older kernels and 128 on newer ones. */
    static final int MAX_SEGMENTS = 64;
    /** Bytes per send: one UDP datagram's payload limit over IPv4 (65,507), with room to spare. */
    static final int MAX_BYTES = 65_000;
    private static final int EIO = 5;
    private static final int EINVAL = 22;
    private static final int EMSGSIZE = 90;
    private static final int EOPNOTSUPP = 95;

    /** Offload never used: NIO, tests of the plain path, or turned off in the settings. */
    public static final SegmentOffload OFF = new SegmentOffload(false);

    private final AtomicBoolean enabled;
    private final LongAdder sends = new LongAdder();

    private SegmentOffload(boolean enabled) {
        this.enabled = new AtomicBoolean(enabled);
    }

    /** Offload on when configured and the transport can do it; a new instance, so a refusal turns off only this one. */
    public static SegmentOffload of(boolean wanted) {
        return wanted ? new SegmentOffload(true) : OFF;
    }

    public boolean enabled() {
        return enabled.get();
    }

    /** Segmented sends that went out so far. */
    public long sends() {
        return sends.sum();
    }

    /**
     * How many datagrams of {@code segmentSize} bytes one send may carry: 1 when offload is off or when two do not
     * fit in one send.
     */
    public int segmentsPerSend(int segmentSize) {
        if (!enabled.get()) {
            return 1;
        }
        return Math.max(1, Math.min(MAX_SEGMENTS, MAX_BYTES / segmentSize));
    }

    /** A segmented send went out. */
    public void sent() {
        sends.increment();
    }

    /**
     * A send of several segments failed with {@code cause}. When the kernel cannot segment at all, offload is turned
     * off for every transfer (once, with a warning).
     *
     * @return whether the transfer that sent it should send separate datagrams from now on: the kernel refused
     *         segmentation, for every transfer or for this one's segments
     */
    public boolean sendFailed(Throwable cause) {
        Refusal refusal = refusal(cause);
        if (refusal == Refusal.ALL && enabled.compareAndSet(true, false)) {
            log.warn("the kernel refused UDP GSO ({}); windows go out as separate datagrams from now on, and the ones refused"
                    + " are resent by their timers (floorflash.transfer.udp-gso = false avoids the attempt)", String.valueOf(cause));
        }
        return refusal != Refusal.NONE;
    }

    /** What a failed segmented send says about segmentation. */
    enum Refusal {
        /** Not about segmentation: a full buffer, a client gone away. */
        NONE,
        /** This transfer's segments (too large for the path, say). */
        THIS_TRANSFER,
        /** Every transfer's: the kernel or the device cannot segment. */
        ALL
    }

    static Refusal refusal(Throwable cause) {
        if (cause instanceof UnsupportedOperationException) {
            return Refusal.ALL;
        }
        if (cause instanceof Errors.NativeIoException) {
            int errno = Math.abs(((Errors.NativeIoException) cause).expectedErr());
            if (errno == EIO || errno == EOPNOTSUPP) {
                return Refusal.ALL;
            }
            if (errno == EINVAL || errno == EMSGSIZE) {
                return Refusal.THIS_TRANSFER;
            }
        }
        return Refusal.NONE;
    }
}

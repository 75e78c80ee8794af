package io.floorflash.server.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;

/**
 * Reads at most {@code perSecond} datagrams a second from the listener's sockets together, in slices of
 * {@link #SLICE_NANOS}: once a slice's share is read, a socket stops reading until the next slice, and what arrives
 * meanwhile waits in the kernel's receive buffer (dropped there when it is full; a phone asks again). A flood of
 * requests then costs the listener at most its share of a core, and the transfers' event loop keeps the rest. Not
 * for a socket that is also a transfer port (single port mode): its ACKs must never wait.
 *
 * <p>The sockets draw from one {@link Budget}: SO_REUSEPORT hashes each sender to one socket, so a flood from a few
 * addresses lands on one or two of them, and a share cut per socket would drop the phones hashed there while the
 * listener reads far less than its limit.
 */
final class IntakeLimit extends ChannelInboundHandlerAdapter {
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** The slices every listener socket reads from. Confined to the listener's one event loop, like its sockets. */
    static final class Budget {
        private final int perSlice;
        private long sliceStart;
        private int taken;

        /** @param perSecond datagrams a second at most, at least 100 (one a slice) */
        Budget(int perSecond) {
            this.perSlice = Math.max(1, (int) (perSecond * SLICE_NANOS / TimeUnit.SECONDS.toNanos(1)));
        }

        /** Counts one datagram read at {@code now}; false once it used up its slice's share. */
        boolean take(long now) {
            if (now - sliceStart >= SLICE_NANOS) {
                sliceStart = now;
                taken = 0;
            }
            return ++taken < perSlice;
        }

        long sliceEnd() {
            return sliceStart + SLICE_NANOS;
        }
    }

    private final Budget budget;
    private boolean paused;
    private long pauses;

    /** A socket with a budget of its own of {@code perSecond}. */
    IntakeLimit(int perSecond) {
        this(new Budget(perSecond));
    }

    /** A socket drawing from {@code budget}, which the listener's other sockets share. */
    IntakeLimit(Budget budget) {
        this.budget = budget;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = ctx.executor().ticker().nanoTime();
        if (!budget.take(now) && !paused) {
            paused = true;
            pauses++;
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> resume(ctx), budget.sliceEnd() - now, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    private void resume(ChannelHandlerContext ctx) {
        paused = false;
        ctx.channel().config().setAutoRead(true);
    }

    /** Slices this socket stopped reading in, because their share was read. */
    long pauses() {
        return pauses;
    }
}

package io.floorflash.server.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;

/**
 * Reads at most {@code perSecond} datagrams a second from one listener socket, in slices of {@link #SLICE_NANOS}:
 * once a slice's share is read, the socket stops reading until the next slice, and what arrives meanwhile waits in
 * the kernel's receive buffer (dropped there when it is full; a phone asks again). A flood of requests then costs
 * the listener at most its share of a core, and the transfers' event loop keeps the rest. Not for a socket that is
 * also a transfer port (single port mode): its ACKs must never wait.
 */
final class IntakeLimit extends ChannelInboundHandlerAdapter {
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final int perSlice;
    private long sliceStart;
    private int taken;
    private boolean paused;
    private long pauses;

    /** @param perSecond datagrams a second at most, at least 100 (one a slice) */
    IntakeLimit(int perSecond) {
        this.perSlice = Math.max(1, (int) (perSecond * SLICE_NANOS / TimeUnit.SECONDS.toNanos(1)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = ctx.executor().ticker().nanoTime();
        if (now - sliceStart >= SLICE_NANOS) {
            sliceStart = now;
            taken = 0;
        }
        if (++taken >= perSlice && !paused) {
            paused = true;
            pauses++;
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> resume(ctx), sliceStart + SLICE_NANOS - now, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    private void resume(ChannelHandlerContext ctx) {
        paused = false;
        sliceStart = ctx.executor().ticker().nanoTime();
        taken = 0;
        ctx.channel().config().setAutoRead(true);
    }

    /** Slices this socket stopped reading in, because their share was read. */
    long pauses() {
        return pauses;
    }
}

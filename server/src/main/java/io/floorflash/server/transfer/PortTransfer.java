package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.timer.TimerWheel;
import io.netty.buffer.ByteBuf;

/**
 * What a {@link TransferPort} runs: a read ({@link Transfer}) or an upload ({@link Upload}), found by its client's
 * address and port, driven by the port's datagrams and timer wheel. Confined to the port's event loop.
 */
public abstract sealed class PortTransfer permits Transfer, Upload {
    PortTransfer() {
    }

    public abstract TransferId id();

    /** Blocks in flight at most, for the port's count of windows in flight. */
    public abstract int windowSize();

    /** Sends the first packet through {@code port}. Called by the port, on its event loop. */
    abstract void begin(TransferPort port, TimerWheel.Timer timer);

    /** The wheel timer's expiry. */
    abstract void expired(long now);

    /** A datagram from the client; does not release {@code datagram}. */
    abstract void received(ByteBuf datagram);

    /** Ends the transfer with {@code error} to its client, or quietly when null; reported CANCELLED with {@code why}. */
    abstract void cancel(ErrorPacket error, String why);

    /** The port closed under the transfer: reported CANCELLED, nothing sent. */
    abstract void portClosed();
}

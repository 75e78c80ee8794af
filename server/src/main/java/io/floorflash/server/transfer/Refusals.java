package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorPacket;
import io.netty.channel.Channel;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one sender of refusals (missing file, busy, write request, draining, rollover): the ERROR goes out from the
 * client's transfer port, not the listener's, and no socket is opened or closed for it. RFC 1350 (section 4) has the
 * answer to a request come from a TID of the server's choosing, and strict clients drop one from the request port:
 * commons-net's {@code TFTPClient} answers it with "Incorrect source port" and never shows the error. In single port
 * mode the transfer port is the listener's. Only when no transfer port can be opened does the listener answer.
 */
public final class Refusals {
    private static final Logger log = LoggerFactory.getLogger(Refusals.class);

    private final TransferPorts ports;
    private final TransferListener listener;

    public Refusals(TransferPorts ports, TransferListener listener) {
        this.ports = ports;
        this.listener = listener;
    }

    /**
     * Answers {@code id}'s request with {@code error} from {@code answerFrom}, the address it arrived on. The
     * {@link TransferListener} is told (the metrics count it, the {@link RefusalLog} logs or summarises it). Any
     * thread.
     */
    public void refuse(Channel listenerChannel, TransferId id, InetAddress answerFrom, ErrorPacket error,
                       RefusalReason reason) {
        listener.requestRefused(id, error, reason);
        EventLoop loop = ports.loopFor(id.client());
        CompletableFuture<TransferPort> port = ports.portFor(id.client(), answerFrom);
        if (port.isDone() && !port.isCompletedExceptionally()) {
            // The usual case under a flood of refusals: the port is open. On its loop the error goes out now; from
            // the listener's it joins the port's queue of errors, sent in one task and one flush.
            if (loop.inEventLoop()) {
                port.join().sendError(error, id.client());
            } else {
                port.join().sendErrorFromAnyThread(error, id.client());
            }
            return;
        }
        port.whenCompleteAsync((ready, failure) -> send(listenerChannel, id, error, ready, failure), loop);
    }

    private static void send(Channel listenerChannel, TransferId id, ErrorPacket error, TransferPort port, Throwable failure) {
        if (port != null) {
            port.sendError(error, id.client());
            return;
        }
        log.debug("{} no transfer port for the refusal, answering from the listener: {}", id, String.valueOf(failure));
        listenerChannel.writeAndFlush(new DefaultAddressedEnvelope<>(error, id.client()), listenerChannel.voidPromise());
    }
}

package io.floorflash.server.pipeline;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.transfer.PortTransfer;
import io.floorflash.server.provisioning.Decision;
import io.floorflash.server.provisioning.Provisioning;
import io.floorflash.server.transfer.RefusalReason;
import io.floorflash.server.transfer.Refusals;
import io.floorflash.server.transfer.Transfer;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferPlanner;
import io.floorflash.server.transfer.TransferPort;
import io.floorflash.server.transfer.TransferPorts;
import io.floorflash.server.transfer.TransferProgress;
import io.floorflash.server.transfer.TransferRegistry;
import io.floorflash.server.transfer.TransferSummary;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a read request to a running transfer: admission by the {@link TransferRegistry}, the rules' decision and
 * the image it names ({@link Provisioning}, loaded off the event loop), the {@link TransferPlanner}'s decision, and the start on the client's
 * {@link TransferPort}. Every refusal goes through {@link Refusals}. Assembles; decides nothing itself.
 */
public final class TransferLauncher {
    private static final Logger log = LoggerFactory.getLogger(TransferLauncher.class);
    /** The answer to a request during a drain, and the end of a transfer still running after it. */
    public static final ErrorPacket SHUTTING_DOWN = new ErrorPacket(ErrorCode.NOT_DEFINED,
            "Server shutting down; try again shortly");
    private static final ErrorPacket NO_PORT = new ErrorPacket(ErrorCode.NOT_DEFINED,
            "Server out of resources: cannot open a transfer port; try again shortly");
    private static final ErrorPacket BUSY = new ErrorPacket(ErrorCode.NOT_DEFINED,
            "Server busy: too many transfers running; try again shortly");
    private static final ErrorPacket ADDRESS_BUSY = new ErrorPacket(ErrorCode.NOT_DEFINED,
            "Server busy: too many transfers from your address; try again when one has finished");

    private final Provisioning provisioning;
    private final TransferRegistry registry;
    private final TransferPlanner planner;
    private final TransferPorts ports;
    private final Refusals refusals;
    private final TransferListener listener;
    private final long deadlineNanos;

    public TransferLauncher(Provisioning provisioning, TransferRegistry registry, TransferPlanner planner,
                            TransferPorts ports, Refusals refusals, TransferListener listener, Duration deadline) {
        this.provisioning = provisioning;
        this.registry = registry;
        this.planner = planner;
        this.ports = ports;
        this.refusals = refusals;
        this.listener = listener;
        this.deadlineNanos = deadline.toNanos();
    }

    /**
     * Handles one RRQ that arrived on {@code listenerChannel}, from {@code client}, addressed to {@code recipient}
     * (the address to answer from, when the transport reports it).
     */
    public void launch(Channel listenerChannel, ReadRequest request, InetSocketAddress client, InetSocketAddress recipient) {
        TransferId id = new TransferId(client, request.filename());
        InetAddress local = answerFrom(listenerChannel, recipient);
        TransferRegistry.Ticket ticket = admit(registry, refusals, listenerChannel, id, local, "RRQ");
        if (ticket == null) {
            return;
        }
        Decision decision;
        try {
            decision = provisioning.decide(client.getAddress(), request.filename());
        } catch (FirmwareException e) {
            ticket.release();
            refusals.refuse(listenerChannel, id, local, e.toErrorPacket(), RefusalReason.of(e));
            return;
        }
        if (decision instanceof Decision.Deny deny) {
            ticket.release();
            log.debug("{} denied by {}", id, deny.rule().label());
            refusals.refuse(listenerChannel, id, local, new ErrorPacket(ErrorCode.ACCESS_VIOLATION, deny.text()),
                    RefusalReason.DENIED);
            return;
        }
        EventLoop loop = ports.loopFor(client);
        // The store's answer is taken on the listener's loop: a refusal (most answers to a flood) is decided there,
        // and only a transfer about to start moves to its own loop.
        EventLoop decide = listenerChannel.eventLoop();
        CompletableFuture<FirmwareImage> opened = provisioning.open(decision, request.mode());
        BiConsumer<FirmwareImage, Throwable> then = (image, error) ->
                opened(listenerChannel, request, id, local, loop, ticket, image, error);
        if (opened.isDone() && decide.inEventLoop()) {
            opened.whenComplete(then); // answered already (a name refused as such): now, not as one more task
        } else {
            opened.whenCompleteAsync(then, decide);
        }
    }

    private void opened(Channel listenerChannel, ReadRequest request, TransferId id, InetAddress local, EventLoop loop,
                        TransferRegistry.Ticket ticket, FirmwareImage image, Throwable error) {
        if (error != null) {
            ticket.release();
            FirmwareException refusal = asRefusal(error);
            refusals.refuse(listenerChannel, id, local, refusal.toErrorPacket(), RefusalReason.of(refusal));
            return;
        }
        if (loop.inEventLoop()) {
            plan(listenerChannel, request, id, local, loop, image, ticket);
        } else {
            loop.execute(() -> plan(listenerChannel, request, id, local, loop, image, ticket));
        }
    }

    private void plan(Channel listenerChannel, ReadRequest request, TransferId id, InetAddress local, EventLoop loop,
                      FirmwareImage image, TransferRegistry.Ticket ticket) {
        if (ticket.cancelled()) {
            // A drain began, or the client asked for another file, while the image was loading.
            ticket.release();
            if (ticket.cancelError() != null) {
                refusals.refuse(listenerChannel, id, local, ticket.cancelError(), RefusalReason.DRAINING);
            }
            return;
        }
        TransferPlanner.Plan plan = planner.plan(request, id.client(), image);
        if (plan instanceof TransferPlanner.Refuse refuse) {
            ticket.release();
            refusals.refuse(listenerChannel, id, local, refuse.error(), RefusalReason.TOO_MANY_BLOCKS);
            return;
        }
        TransferPlanner.Start start = (TransferPlanner.Start) plan;
        Transfer transfer = new Transfer(id, image, start.transfer(), start.policy(), deadlineNanos, releasing(listener, ticket));
        CompletableFuture<TransferPort> port = ports.portFor(id.client(), local);
        if (port.isDone() && !port.isCompletedExceptionally()) {
            begin(port.join(), transfer, ticket, transfer);
            return;
        }
        port.whenCompleteAsync((ready, failure) -> {
            if (ready != null) {
                begin(ready, transfer, ticket, transfer);
                return;
            }
            ticket.release();
            log.warn("{} could not open a transfer port: {}", id, failure.getMessage());
            refusals.refuse(listenerChannel, id, local, NO_PORT, RefusalReason.NO_PORT);
        }, loop);
    }

    static void begin(TransferPort port, PortTransfer transfer, TransferRegistry.Ticket ticket,
                      TransferRegistry.Acknowledgements acknowledgements) {
        port.start(transfer);
        ticket.attach(acknowledgements, error -> port.executor().execute(() -> port.cancel(transfer, error,
                error == null ? "superseded by the same client's new request" : error.message())));
    }

    /**
     * Admits {@code id}'s request ({@code what}: RRQ or WRQ) in {@code registry}: its ticket, or null when it was
     * refused (busy, draining; the refusal is sent) or is a repeat of a running transfer's request (ignored).
     */
    static TransferRegistry.Ticket admit(TransferRegistry registry, Refusals refusals, Channel listenerChannel,
                                         TransferId id, InetAddress local, String what) {
        TransferRegistry.Result admission = registry.admit(id.client(), id.file());
        switch (admission.admission()) {
            case DUPLICATE:
                log.debug("{} repeated its {} while its transfer runs: ignored", id, what);
                return null;
            case FULL:
                refusals.refuse(listenerChannel, id, local, BUSY, RefusalReason.BUSY);
                return null;
            case ADDRESS_FULL:
                refusals.refuse(listenerChannel, id, local, ADDRESS_BUSY, RefusalReason.ADDRESS_BUSY);
                return null;
            case DRAINING:
                refusals.refuse(listenerChannel, id, local, SHUTTING_DOWN, RefusalReason.DRAINING);
                return null;
            case ADMITTED:
                return admission.ticket();
            default:
                throw new AssertionError(admission);
        }
    }

    /** The listener told of the transfer, which then frees its ticket: a drain that sees the server idle has heard every end. */
    static TransferListener releasing(TransferListener listener, TransferRegistry.Ticket ticket) {
        return new TransferListener() {
            @Override
            public void transferStarted(TransferProgress progress) {
                listener.transferStarted(progress);
            }

            @Override
            public void transferFinished(TransferSummary summary) {
                try {
                    listener.transferFinished(summary);
                } finally {
                    ticket.release();
                }
            }
        };
    }

    /** Answers {@code id}'s request with {@code error} from its transfer port (a write request, say). */
    public void refuse(Channel listenerChannel, TransferId id, InetSocketAddress recipient, ErrorPacket error,
                       RefusalReason reason) {
        refusals.refuse(listenerChannel, id, answerFrom(listenerChannel, recipient), error, reason);
    }

    /** The address the request arrived on: the listener's own when bound to one, else the datagram's destination. */
    static InetAddress answerFrom(Channel listenerChannel, InetSocketAddress recipient) {
        InetAddress bound = listenerChannel.localAddress() instanceof InetSocketAddress local ? local.getAddress() : null;
        if (bound != null && !bound.isAnyLocalAddress()) {
            return bound;
        }
        if (recipient != null && !recipient.getAddress().isAnyLocalAddress()) {
            return recipient.getAddress();
        }
        return bound;
    }

    private static FirmwareException asRefusal(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof FirmwareException firmware) {
            return firmware;
        }
        log.error("unexpected failure opening firmware", cause);
        return new FirmwareException(ErrorCode.NOT_DEFINED, "Internal server error");
    }
}

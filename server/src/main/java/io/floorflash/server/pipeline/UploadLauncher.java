package io.floorflash.server.pipeline;

import io.floorflash.config.UploadSettings;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.WriteRequest;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareName;
import io.floorflash.server.provisioning.UploadFiles;
import io.floorflash.server.provisioning.UploadRefusal;
import io.floorflash.server.transfer.RefusalReason;
import io.floorflash.server.transfer.Refusals;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferPlanner;
import io.floorflash.server.transfer.TransferPort;
import io.floorflash.server.transfer.TransferPorts;
import io.floorflash.server.transfer.TransferRegistry;
import io.floorflash.server.transfer.Upload;
import io.floorflash.server.transfer.UploadSink;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a write request to a running {@link Upload}: what can be refused without the disk is refused first (mode,
 * tsize over the quota, a name the read rules refuse), then admission by the {@link TransferRegistry} (uploads count
 * like reads, per address too), the temporary file prepared off the event loop by {@link UploadFiles} (folders, links,
 * an existing name), and the start on the client's {@link TransferPort}. Every refusal goes through {@link Refusals}.
 */
public final class UploadLauncher {
    private static final Logger log = LoggerFactory.getLogger(UploadLauncher.class);
    private static final ErrorPacket NO_PORT = new ErrorPacket(ErrorCode.NOT_DEFINED,
            "Server out of resources: cannot open a transfer port; try again shortly");

    private final UploadFiles files;
    private final UploadSettings settings;
    private final TransferRegistry registry;
    private final TransferPlanner planner;
    private final TransferPorts ports;
    private final Refusals refusals;
    private final TransferListener listener;
    private final long deadlineNanos;

    public UploadLauncher(UploadFiles files, UploadSettings settings, TransferRegistry registry, TransferPlanner planner,
                          TransferPorts ports, Refusals refusals, TransferListener listener, Duration deadline) {
        this.files = files;
        this.settings = settings;
        this.registry = registry;
        this.planner = planner;
        this.ports = ports;
        this.refusals = refusals;
        this.listener = listener;
        this.deadlineNanos = deadline.toNanos();
    }

    /** Handles one WRQ that arrived on {@code listenerChannel} from {@code client}, addressed to {@code recipient}. */
    public void launch(Channel listenerChannel, WriteRequest request, InetSocketAddress client, InetSocketAddress recipient) {
        TransferId id = new TransferId(client, request.filename());
        InetAddress local = TransferLauncher.answerFrom(listenerChannel, recipient);
        TransferPlanner.Plan plan = planner.planWrite(request, client, settings.maxBytes());
        if (plan instanceof TransferPlanner.Refuse refuse) {
            refusals.refuse(listenerChannel, id, local, refuse.error(), refuse.refusal());
            return;
        }
        TransferPlanner.StartUpload start = (TransferPlanner.StartUpload) plan;
        FirmwareName name;
        try {
            name = FirmwareName.of(request.filename());
        } catch (FirmwareException e) {
            refusals.refuse(listenerChannel, id, local, e.toErrorPacket(), RefusalReason.ACCESS_DENIED);
            return;
        }
        TransferRegistry.Ticket ticket = TransferLauncher.admit(registry, refusals, listenerChannel, id, local, "WRQ");
        if (ticket == null) {
            return;
        }
        EventLoop loop = ports.loopFor(client);
        files.prepare(client.getAddress(), name).whenCompleteAsync((sink, error) ->
                prepared(listenerChannel, id, local, start, ticket, sink, error), loop);
    }

    private void prepared(Channel listenerChannel, TransferId id, InetAddress local, TransferPlanner.StartUpload start,
                          TransferRegistry.Ticket ticket, UploadSink sink, Throwable error) {
        if (error != null) {
            ticket.release();
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof UploadRefusal refusal) {
                refusals.refuse(listenerChannel, id, local, refusal.error(), refusal.reason());
            } else {
                log.error("{} unexpected failure preparing an upload", id, cause);
                refusals.refuse(listenerChannel, id, local, new ErrorPacket(ErrorCode.NOT_DEFINED, "Internal server error"),
                        RefusalReason.UPLOAD_FAILED);
            }
            return;
        }
        if (ticket.cancelled()) {
            // A drain began, or the client asked again, while the file was prepared.
            sink.discard();
            ticket.release();
            if (ticket.cancelError() != null) {
                refusals.refuse(listenerChannel, id, local, ticket.cancelError(), RefusalReason.DRAINING);
            }
            return;
        }
        Upload upload = new Upload(id, start.transfer(), start.policy(), deadlineNanos, sink, start.declaredSize(),
                settings.maxBufferedBytes(), TransferLauncher.releasing(listener, ticket));
        CompletableFuture<TransferPort> port = ports.portFor(id.client(), local);
        if (port.isDone() && !port.isCompletedExceptionally()) {
            TransferLauncher.begin(port.join(), upload, ticket, upload);
            return;
        }
        port.whenCompleteAsync((ready, failure) -> {
            if (ready != null) {
                TransferLauncher.begin(ready, upload, ticket, upload);
                return;
            }
            sink.discard();
            ticket.release();
            log.warn("{} could not open a transfer port: {}", id, failure.getMessage());
            refusals.refuse(listenerChannel, id, local, NO_PORT, RefusalReason.NO_PORT);
        }, ports.loopFor(id.client()));
    }
}

package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorPacket;
import java.util.List;

/**
 * Told of what happens to requests and transfers: the log, the floor view and the metrics listen. Called on the
 * transfer's event loop; an implementation must be quick and must not block (hand off anything slow).
 */
public interface TransferListener {
    /** A transfer's port is open and its first packet is about to go. {@code progress} stays readable from any thread. */
    default void transferStarted(TransferProgress progress) {
    }

    /** Told once when a started transfer ends. */
    void transferFinished(TransferSummary summary);

    /** A well-formed read request was answered with {@code error} instead of a transfer (missing file, busy, ...). */
    default void requestRefused(TransferId id, ErrorPacket error) {
    }

    /** {@link #requestRefused(TransferId, ErrorPacket)} with why; this is the one called. */
    default void requestRefused(TransferId id, ErrorPacket error, RefusalReason reason) {
        requestRefused(id, error);
    }

    /** One listener that tells each of {@code listeners}, in order. */
    static TransferListener all(List<? extends TransferListener> listeners) {
        List<TransferListener> copy = List.copyOf(listeners);
        return new TransferListener() {
            @Override
            public void transferStarted(TransferProgress progress) {
                for (TransferListener l : copy) {
                    l.transferStarted(progress);
                }
            }

            @Override
            public void transferFinished(TransferSummary summary) {
                for (TransferListener l : copy) {
                    l.transferFinished(summary);
                }
            }

            @Override
            public void requestRefused(TransferId id, ErrorPacket error, RefusalReason reason) {
                for (TransferListener l : copy) {
                    l.requestRefused(id, error, reason);
                }
            }
        };
    }
}

package io.floorflash.server.transfer;

/** Told once when a transfer ends, on the transfer's event loop. */
@FunctionalInterface
public interface TransferListener {
    void transferFinished(TransferSummary summary);
}

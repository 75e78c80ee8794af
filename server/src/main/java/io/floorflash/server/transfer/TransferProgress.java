package io.floorflash.server.transfer;

/**
 * A running transfer seen from outside its event loop (the floor page, metrics). The counters are published by the
 * transfer as it goes and read without locks: each value is recent, not a snapshot taken together with the others.
 */
public interface TransferProgress {
    TransferId id();

    /** The file sent, below the root: the requested name unless a rule or a group chose another. */
    default String served() {
        return id().file();
    }

    /** Bytes the whole transfer carries (the netascii form for netascii). */
    long size();

    int blockSize();

    int windowSize();

    /** {@link System#nanoTime()} when the transfer started. */
    long startedAtNanos();

    /** Bytes the client has acknowledged so far (an upload: bytes received in order). */
    long bytesAcknowledged();

    /** Packets sent again on timeouts so far. */
    long retransmits();

    /** A read, unless this is an upload. */
    default TransferDirection direction() {
        return TransferDirection.READ;
    }
}

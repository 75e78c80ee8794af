package io.floorflash.server.pipeline;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transfers running now, by client address and port: a repeated RRQ from the same address and port is a
 * retransmission, not a new transfer (RFC 1350's TID); a bound keeps the server from taking on more than it can.
 * Shared by the listener and every transfer loop.
 */
public final class ActiveTransfers {
    /** What {@link #reserve} found. */
    public enum Reservation { RESERVED, DUPLICATE, FULL }

    private final ConcurrentHashMap<InetSocketAddress, Object> byClient = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int limit;
    private volatile CompletableFuture<Void> idle;

    public ActiveTransfers(int limit) {
        this.limit = limit;
    }

    /** Claims {@code client} for a new transfer identified by {@code token}. */
    public Reservation reserve(InetSocketAddress client, Object token) {
        if (byClient.containsKey(client)) {
            return Reservation.DUPLICATE;
        }
        if (count.incrementAndGet() > limit) {
            decrement();
            return Reservation.FULL;
        }
        if (byClient.putIfAbsent(client, token) != null) {
            decrement();
            return Reservation.DUPLICATE;
        }
        return Reservation.RESERVED;
    }

    /** Frees {@code client} if it is still held by {@code token}; a second call does nothing. */
    public void release(InetSocketAddress client, Object token) {
        if (byClient.remove(client, token)) {
            decrement();
        }
    }

    /**
     * Completes once no transfer runs (at once when none does now). For a drain: the caller has stopped new
     * reservations, or they count too. A later call replaces the future an earlier one returned.
     */
    public CompletableFuture<Void> whenIdle() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        idle = future;
        if (count.get() == 0) {
            future.complete(null);
        }
        return future;
    }

    private void decrement() {
        if (count.decrementAndGet() == 0) {
            CompletableFuture<Void> future = idle;
            if (future != null) {
                future.complete(null);
            }
        }
    }

    /** Transfers running (or being prepared) now. */
    public int size() {
        return count.get();
    }
}

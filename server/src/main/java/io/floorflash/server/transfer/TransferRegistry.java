package io.floorflash.server.transfer;

import io.floorflash.protocol.ErrorPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Every transfer of the server, from the moment its request is admitted until it ends: admission (one transfer per
 * client address and port, a bound on how many run, and on how many one client address runs), draining (no admission once {@link #stopAccepting} is called)
 * and cancellation. The listener admits; transfers release from their own event loops.
 *
 * <p>A request from a client address and port that has a transfer already is a retransmitted RRQ when it names the
 * same file and the client has acknowledged no data yet, or has acknowledged new data within the last second: ignored.
 * A client retransmits its RRQ until the first DATA reaches it, so a late copy can arrive after its ACKs (queued
 * behind them in the listener's socket, or reordered on the way); taken for a restart, it would send the client,
 * already further on, block 1 again, and the two would wait on each other until both give up. When it names another
 * file, or the client has been quiet for a second since it last acknowledged data, the client has given up on the
 * first transfer and asks again from the same port (a bootloader that restarts its fetch, a phone that rebooted onto
 * the same source port): the first transfer ends quietly, without an ERROR (which would reach the client on the same
 * pair of ports and end the new transfer too), and the new one takes its place.
 */
public final class TransferRegistry {
    /**
     * How long a client that has acknowledged data must have been quiet before the same request from it restarts its
     * transfer: RFC 2349's shortest timeout. A client that gives up has waited out at least one of its timeouts since
     * its last ACK; one still acknowledging has not given up.
     */
    static final long QUIET_BEFORE_RESTART_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What admission reads of a running transfer, from the listener's thread. */
    public interface Acknowledgements {
        /** Bytes the client has acknowledged so far. */
        long bytesAcknowledged();

        /** {@link System#nanoTime()} when the client last acknowledged new data; any value while it has acknowledged none. */
        long acknowledgedAtNanos();
    }

    /** What {@link #admit} decided. */
    public enum Admission {
        /** A new transfer: the ticket is the caller's until {@link Ticket#release}. */
        ADMITTED,
        /** The same request again while its transfer runs: ignore it. */
        DUPLICATE,
        /** Too many transfers running. */
        FULL,
        /** Too many transfers running for the client's address. */
        ADDRESS_FULL,
        /** The server is draining. */
        DRAINING
    }

    /** One admitted transfer: how it is found, cancelled and released. */
    public final class Ticket {
        private final InetSocketAddress client;
        private final String file;
        private final AtomicBoolean released = new AtomicBoolean();
        /** Set once the transfer runs; until then a cancellation is remembered in {@link #cancelledWith}. */
        private volatile Consumer<ErrorPacket> canceller;
        private volatile Acknowledgements acknowledgements;
        private volatile Cancellation cancelledWith;

        private Ticket(InetSocketAddress client, String file) {
            this.client = client;
            this.file = file;
        }

        public InetSocketAddress client() {
            return client;
        }

        public String file() {
            return file;
        }

        /**
         * The transfer runs now: {@code acknowledgements} tells its progress from any thread, and it ends through
         * {@code cancel} (called from any thread, with the ERROR to send or null for a quiet end). When a
         * cancellation came first, {@code cancel} is called at once.
         */
        public void attach(Acknowledgements acknowledgements, Consumer<ErrorPacket> cancel) {
            this.acknowledgements = acknowledgements;
            canceller = cancel;
            Cancellation pending = cancelledWith;
            if (pending != null) {
                cancel.accept(pending.error);
            }
        }

        /** Whether the transfer was told to end before it could start (a drain, a newer request). */
        public boolean cancelled() {
            return cancelledWith != null;
        }

        /** The ERROR a cancellation asked to send (a drain's), or null: none, or a quiet end. */
        public ErrorPacket cancelError() {
            Cancellation cancellation = cancelledWith;
            return cancellation == null ? null : cancellation.error;
        }

        /** The transfer has ended or never started: frees its client and its place. A second call does nothing. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                byClient.remove(client, this);
                releaseAddressSlot(client.getAddress());
                if (count.decrementAndGet() == 0) {
                    CompletableFuture<Void> future = idle;
                    if (future != null) {
                        future.complete(null);
                    }
                }
            }
        }

        /**
         * Whether the client has acknowledged data of this transfer and been quiet since for long enough that the same
         * request again means it started over (see the class comment).
         */
        private boolean restartedBy(long now) {
            Acknowledgements running = acknowledgements;
            return running != null && running.bytesAcknowledged() > 0
                    && now - running.acknowledgedAtNanos() >= QUIET_BEFORE_RESTART_NANOS;
        }

        private boolean cancel(ErrorPacket error) {
            if (released.get() || cancelledWith != null) {
                return false;
            }
            cancelledWith = new Cancellation(error);
            Consumer<ErrorPacket> cancel = canceller;
            if (cancel != null) {
                cancel.accept(error);
            }
            return true;
        }
    }

    private record Cancellation(ErrorPacket error) {
    }

    /** The answer of {@link #admit}: the decision, and the ticket when admitted. */
    public record Result(Admission admission, Ticket ticket) {
    }

    private final ConcurrentHashMap<InetSocketAddress, Ticket> byClient = new ConcurrentHashMap<>();
    /** Transfers running per client address; an address is removed with its last transfer. */
    private final ConcurrentHashMap<InetAddress, Integer> byAddress = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int limit;
    private final int perAddressLimit;
    private final LongSupplier nanoClock;
    private volatile boolean accepting = true;
    private volatile CompletableFuture<Void> idle;

    /** A registry with no bound per address but the total one. */
    public TransferRegistry(int limit) {
        this(limit, limit);
    }

    /**
     * @param limit           most transfers running at once
     * @param perAddressLimit most transfers one client address runs at once
     */
    public TransferRegistry(int limit, int perAddressLimit) {
        this(limit, perAddressLimit, System::nanoTime);
    }

    /** @param nanoClock {@link System#nanoTime()}, or a test's clock */
    TransferRegistry(int limit, int perAddressLimit, LongSupplier nanoClock) {
        if (limit < 0 || perAddressLimit < 0) {
            throw new IllegalArgumentException("limits: " + limit + " in all, " + perAddressLimit
                    + " per address (expected: at least 0)");
        }
        this.limit = limit;
        this.perAddressLimit = perAddressLimit;
        this.nanoClock = nanoClock;
    }

    /**
     * Admits a request from {@code client} for {@code file}. A running transfer of the same client for another file
     * is ended quietly and replaced (see the class comment). Called by the listener, one request at a time.
     */
    public Result admit(InetSocketAddress client, String file) {
        Ticket running = byClient.get(client);
        if (running != null && running.file.equals(file) && !running.cancelled()
                && !running.restartedBy(nanoClock.getAsLong())) {
            return new Result(Admission.DUPLICATE, null);
        }
        if (!accepting) {
            return new Result(Admission.DRAINING, null);
        }
        if (running != null) {
            running.cancel(null);
            running.release();
        }
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            return new Result(Admission.FULL, null);
        }
        if (!takeAddressSlot(client.getAddress())) {
            count.decrementAndGet();
            return new Result(Admission.ADDRESS_FULL, null);
        }
        Ticket ticket = new Ticket(client, file);
        Ticket raced = byClient.putIfAbsent(client, ticket);
        if (raced != null) {
            count.decrementAndGet();
            releaseAddressSlot(client.getAddress());
            return new Result(Admission.DUPLICATE, null);
        }
        return new Result(Admission.ADMITTED, ticket);
    }

    /** Counts one more transfer for {@code address}, unless it runs as many as it may already. */
    private boolean takeAddressSlot(InetAddress address) {
        boolean[] taken = new boolean[1];
        byAddress.compute(address, (key, running) -> {
            int now = running == null ? 0 : running;
            if (now >= perAddressLimit) {
                return running;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    private void releaseAddressSlot(InetAddress address) {
        byAddress.computeIfPresent(address, (key, running) -> running == 1 ? null : running - 1);
    }

    /** Transfers running now for {@code address}. */
    public int runningFor(InetAddress address) {
        return byAddress.getOrDefault(address, 0);
    }

    /** From now on every request is refused as {@link Admission#DRAINING}; running transfers go on. */
    public void stopAccepting() {
        accepting = false;
    }

    public boolean accepting() {
        return accepting;
    }

    /**
     * Ends every running transfer with {@code error} to its client, each on its own event loop; one still being
     * prepared never starts. Returns at once.
     *
     * @return how many transfers were told to end
     */
    public int cancelAll(ErrorPacket error) {
        int told = 0;
        for (Ticket ticket : byClient.values()) {
            if (ticket.cancel(error)) {
                told++;
            }
        }
        return told;
    }

    /**
     * Completes once no transfer runs (at once when none does now). For a drain: call {@link #stopAccepting} first,
     * or new transfers count too. A later call replaces the future an earlier one returned.
     */
    public CompletableFuture<Void> whenIdle() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        idle = future;
        if (count.get() == 0) {
            future.complete(null);
        }
        return future;
    }

    /** Transfers running or being prepared now. */
    public int size() {
        return count.get();
    }
}

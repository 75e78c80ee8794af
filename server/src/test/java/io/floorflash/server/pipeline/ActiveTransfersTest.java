package io.floorflash.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.server.pipeline.ActiveTransfers.Reservation;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ActiveTransfersTest {
    private static final InetSocketAddress A = new InetSocketAddress("10.0.0.7", 41000);
    private static final InetSocketAddress B = new InetSocketAddress("10.0.0.8", 41000);

    @Test
    void isIdleAtOnceWhenNothingRuns() {
        assertThat(new ActiveTransfers(10).whenIdle()).isCompleted();
    }

    @Test
    void becomesIdleWhenTheLastTransferIsReleased() {
        ActiveTransfers active = new ActiveTransfers(10);
        Object a = new Object();
        Object b = new Object();
        assertThat(active.reserve(A, a)).isEqualTo(Reservation.RESERVED);
        assertThat(active.reserve(B, b)).isEqualTo(Reservation.RESERVED);

        CompletableFuture<Void> idle = active.whenIdle();
        active.release(A, a);
        assertThat(idle).isNotDone();
        active.release(A, a);
        assertThat(idle).isNotDone();
        active.release(B, b);

        assertThat(idle).isCompleted();
        assertThat(active.size()).isZero();
    }

    @Test
    void aRefusedReservationDoesNotCountAsRunning() {
        ActiveTransfers active = new ActiveTransfers(1);
        Object a = new Object();
        active.reserve(A, a);
        CompletableFuture<Void> idle = active.whenIdle();

        assertThat(active.reserve(B, new Object())).isEqualTo(Reservation.FULL);
        assertThat(active.reserve(A, new Object())).isEqualTo(Reservation.DUPLICATE);
        assertThat(idle).isNotDone();
        active.release(A, a);

        assertThat(idle).isCompleted();
    }
}

package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.server.transfer.TransferRegistry.Admission;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TransferRegistryTest {
    private static final InetSocketAddress A = new InetSocketAddress("10.0.0.7", 41000);
    private static final InetSocketAddress B = new InetSocketAddress("10.0.0.8", 41000);
    private static final ErrorPacket SHUTDOWN = new ErrorPacket(ErrorCode.NOT_DEFINED, "Server shutting down");

    private final TransferRegistry registry = new TransferRegistry(2);
    private long now = 5_000_000_000L;
    private final TransferRegistry clocked = new TransferRegistry(2, 2, () -> now);

    @Test
    void isIdleAtOnceWhenNothingRuns() {
        assertThat(registry.whenIdle()).isCompleted();
    }

    @Test
    void becomesIdleWhenTheLastTransferIsReleasedOnce() {
        TransferRegistry.Ticket a = registry.admit(A, "snom320.bin").ticket();
        TransferRegistry.Ticket b = registry.admit(B, "snom320.bin").ticket();
        CompletableFuture<Void> idle = registry.whenIdle();

        a.release();
        a.release();
        assertThat(idle).isNotDone();
        assertThat(registry.size()).isOne();
        b.release();

        assertThat(idle).isCompleted();
        assertThat(registry.size()).isZero();
    }

    @Test
    void theSameRequestAgainIsADuplicateAndAFullRegistryRefuses() {
        registry.admit(A, "snom320.bin");
        assertThat(registry.admit(A, "snom320.bin").admission()).isEqualTo(Admission.DUPLICATE);
        registry.admit(B, "snom320.bin");

        assertThat(registry.admit(new InetSocketAddress("10.0.0.9", 1), "snom320.bin").admission()).isEqualTo(Admission.FULL);
        assertThat(registry.size()).isEqualTo(2);
    }

    @Test
    void oneAddressRunsAtMostItsShareAndOthersStillGetIn() {
        TransferRegistry shared = new TransferRegistry(10, 3);
        List<TransferRegistry.Ticket> tickets = new ArrayList<>();
        for (int port = 1; port <= 3; port++) {
            tickets.add(shared.admit(new InetSocketAddress("10.0.0.7", port), "snom320.bin").ticket());
        }

        assertThat(shared.admit(new InetSocketAddress("10.0.0.7", 4), "snom320.bin").admission())
                .isEqualTo(Admission.ADDRESS_FULL);
        assertThat(shared.admit(B, "snom320.bin").admission()).isEqualTo(Admission.ADMITTED);
        assertThat(shared.size()).as("a refusal holds no place").isEqualTo(4);
        assertThat(shared.runningFor(A.getAddress())).isEqualTo(3);

        tickets.get(0).release();
        tickets.get(0).release();
        assertThat(shared.runningFor(A.getAddress())).isEqualTo(2);
        assertThat(shared.admit(new InetSocketAddress("10.0.0.7", 4), "snom320.bin").admission())
                .isEqualTo(Admission.ADMITTED);
    }

    @Test
    void anAddressIsForgottenWithItsLastTransferAndSupersedingKeepsItsCount() {
        TransferRegistry shared = new TransferRegistry(10, 1);
        TransferRegistry.Ticket first = shared.admit(A, "snom320.bin").ticket();
        first.attach(acknowledged(0, 0), error -> { });

        TransferRegistry.Result second = shared.admit(A, "snom820.bin");
        assertThat(second.admission()).as("the same port asking anew replaces its transfer").isEqualTo(Admission.ADMITTED);
        assertThat(shared.runningFor(A.getAddress())).isOne();

        second.ticket().release();
        assertThat(shared.runningFor(A.getAddress())).isZero();
        assertThat(shared.admit(new InetSocketAddress("10.0.0.7", 2), "snom320.bin").admission())
                .isEqualTo(Admission.ADMITTED);
    }

    @Test
    void anotherFileFromTheSameClientPortEndsTheRunningTransferQuietlyAndTakesItsPlace() {
        TransferRegistry.Ticket first = registry.admit(A, "snom320.bin").ticket();
        List<ErrorPacket> told = new ArrayList<>();
        first.attach(acknowledged(0, 0), told::add);

        TransferRegistry.Result second = registry.admit(A, "snom820.bin");

        assertThat(second.admission()).isEqualTo(Admission.ADMITTED);
        assertThat(told).as("ended without an ERROR to the client").containsExactly((ErrorPacket) null);
        assertThat(registry.size()).isOne();
        first.release();
        assertThat(registry.size()).as("the first's late release frees nothing of the second").isOne();
        assertThat(registry.admit(A, "snom820.bin").admission()).isEqualTo(Admission.DUPLICATE);
    }

    @Test
    void theSameFileAskedAgainByAClientQuietSinceItsLastAckRestartsTheTransfer() {
        TransferRegistry.Ticket first = clocked.admit(A, "snom320.bin").ticket();
        List<ErrorPacket> told = new ArrayList<>();
        first.attach(acknowledged(512, now), told::add);
        now += TransferRegistry.QUIET_BEFORE_RESTART_NANOS;

        TransferRegistry.Result again = clocked.admit(A, "snom320.bin");

        assertThat(again.admission()).as("a rebooted phone on the same port").isEqualTo(Admission.ADMITTED);
        assertThat(told).as("ended quietly").containsExactly((ErrorPacket) null);
        assertThat(clocked.size()).isOne();
    }

    @Test
    void aLateCopyOfTheRequestWhileTheClientStillAcknowledgesIsADuplicate() {
        // The client sent its RRQ again before DATA 1 reached it; the copy arrives after its ACK of block 1.
        TransferRegistry.Ticket first = clocked.admit(A, "snom320.bin").ticket();
        List<ErrorPacket> told = new ArrayList<>();
        first.attach(acknowledged(512, now), told::add);
        now += TransferRegistry.QUIET_BEFORE_RESTART_NANOS - 1;

        TransferRegistry.Result late = clocked.admit(A, "snom320.bin");

        assertThat(late.admission()).isEqualTo(Admission.DUPLICATE);
        assertThat(told).as("the transfer goes on").isEmpty();
        assertThat(clocked.size()).isOne();
    }

    @Test
    void aDrainRefusesNewRequestsButStillRecognisesRepeatedOnes() {
        registry.admit(A, "snom320.bin");
        registry.stopAccepting();

        assertThat(registry.admit(A, "snom320.bin").admission()).isEqualTo(Admission.DUPLICATE);
        assertThat(registry.admit(B, "snom320.bin").admission()).isEqualTo(Admission.DRAINING);
        assertThat(registry.accepting()).isFalse();
    }

    @Test
    void cancelAllTellsRunningTransfersAndRemembersItForOnesStillLoading() {
        TransferRegistry.Ticket running = registry.admit(A, "snom320.bin").ticket();
        TransferRegistry.Ticket loading = registry.admit(B, "snom320.bin").ticket();
        List<ErrorPacket> told = new ArrayList<>();
        running.attach(acknowledged(0, 0), told::add);

        assertThat(registry.cancelAll(SHUTDOWN)).isEqualTo(2);
        assertThat(registry.cancelAll(SHUTDOWN)).as("each told once").isZero();

        assertThat(told).containsExactly(SHUTDOWN);
        assertThat(loading.cancelled()).isTrue();
        assertThat(loading.cancelError()).isEqualTo(SHUTDOWN);
        List<ErrorPacket> late = new ArrayList<>();
        loading.attach(acknowledged(0, 0), late::add);
        assertThat(late).as("a transfer that starts after the cancel is told at once").containsExactly(SHUTDOWN);
    }

    /** A running transfer whose client has acknowledged {@code bytes}, the last of them at {@code atNanos}. */
    private static TransferRegistry.Acknowledgements acknowledged(long bytes, long atNanos) {
        return new TransferRegistry.Acknowledgements() {
            @Override
            public long bytesAcknowledged() {
                return bytes;
            }

            @Override
            public long acknowledgedAtNanos() {
                return atNanos;
            }
        };
    }
}

package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TransferOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule of {@link WriteTransfer}, with no channel, clock or file. */
class WriteTransferTest {
    private static final int RETRIES = 3;
    private static final long QUOTA = 1 << 20;

    private static WriteTransfer lockStep() {
        return new WriteTransfer(TransferOptions.RFC1350, Rollover.TO_ZERO, QUOTA, RETRIES, RETRIES);
    }

    private static WriteTransfer windowed(int windowSize) {
        return new WriteTransfer(new TransferOptions(512, windowSize, 0, Map.of("windowsize", "" + windowSize)),
                Rollover.TO_ZERO, QUOTA, RETRIES, RETRIES);
    }

    private static Step.Store store(long block) {
        return new Step.Store(block, false, false);
    }

    private static Step.Store storeAndAck(long block) {
        return new Step.Store(block, true, false);
    }

    private static Step.Store storeLast(long block) {
        return new Step.Store(block, false, true);
    }

    private static Step.SendAck ack(long block) {
        return new Step.SendAck(block);
    }

    @Test
    void answersAWriteRequestWithoutOptionsWithAckZero() {
        assertThat(lockStep().start()).isEqualTo(ack(0));
    }

    @Test
    void answersAcceptedOptionsWithAnOackAndResendsItUntilDataOne() {
        Map<String, String> accepted = Map.of("blksize", "1468", "tsize", "4000");
        WriteTransfer transfer = new WriteTransfer(new TransferOptions(1468, 1, 0, accepted), Rollover.TO_ZERO, QUOTA,
                RETRIES, RETRIES);

        assertThat(transfer.start()).isEqualTo(new Step.SendOptionAck(new OptionAck(accepted)));
        assertThat(transfer.onTimeout()).isEqualTo(new Step.SendOptionAck(new OptionAck(accepted)));
        assertThat(transfer.onData(1, 1468)).isEqualTo(storeAndAck(1));
        assertThat(transfer.onTimeout()).as("after DATA 1 the timer re-acknowledges").isEqualTo(ack(1));
    }

    @Test
    void acknowledgesEveryFullBlockInLockStepAndTheLastOnlyOnceStored() {
        WriteTransfer transfer = lockStep();
        transfer.start();

        assertThat(transfer.onData(1, 512)).isEqualTo(storeAndAck(1));
        assertThat(transfer.onData(2, 512)).isEqualTo(storeAndAck(2));
        assertThat(transfer.onData(3, 1)).isEqualTo(storeLast(3));
        assertThat(transfer.committing()).isTrue();
        assertThat(transfer.onData(3, 1)).as("a repeated last block while it is stored").isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).as("no resend while the file is put in place").isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.committed()).isEqualTo(ack(3));
        assertThat(transfer.bytesReceived()).isEqualTo(1025);
    }

    @Test
    void dalliesAfterTheLastAckAndAcknowledgesARepeatedLastBlockAgain() {
        WriteTransfer transfer = lockStep();
        transfer.start();
        transfer.onData(1, 10);
        transfer.committed();

        assertThat(transfer.dallying()).isTrue();
        assertThat(transfer.onData(1, 10)).isEqualTo(ack(1));
        assertThat(transfer.onData(7, 10)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
        assertThat(transfer.isFinished()).isTrue();
    }

    @Test
    void takesAnEmptyDataOneAsAnEmptyFile() {
        WriteTransfer transfer = lockStep();
        transfer.start();

        assertThat(transfer.onData(1, 0)).isEqualTo(storeLast(1));
        assertThat(transfer.committed()).isEqualTo(ack(1));
        assertThat(transfer.bytesReceived()).isZero();
    }

    @Test
    void endsAFileOfWholeBlocksWithItsEmptyBlock() {
        WriteTransfer transfer = lockStep();
        transfer.start();

        assertThat(transfer.onData(1, 512)).isEqualTo(storeAndAck(1));
        assertThat(transfer.onData(2, 0)).isEqualTo(storeLast(2));
        assertThat(transfer.committed()).isEqualTo(ack(2));
    }

    @Test
    void reacknowledgesEveryDuplicateInLockStep() {
        WriteTransfer transfer = lockStep();
        transfer.start();
        transfer.onData(1, 512);
        transfer.onData(2, 512);

        assertThat(transfer.onData(2, 512)).isEqualTo(ack(2));
        assertThat(transfer.onData(2, 512)).isEqualTo(ack(2));
        assertThat(transfer.onData(1, 512)).isEqualTo(ack(2));
        assertThat(transfer.onData(3, 512)).isEqualTo(storeAndAck(3));
        assertThat(transfer.bytesReceived()).as("duplicates are not kept twice").isEqualTo(3 * 512);
    }

    @Test
    void acknowledgesEveryWindowsizeBlocks() {
        WriteTransfer transfer = windowed(4);
        transfer.start();

        assertThat(transfer.onData(1, 512)).isEqualTo(store(1));
        assertThat(transfer.onData(2, 512)).isEqualTo(store(2));
        assertThat(transfer.onData(3, 512)).isEqualTo(store(3));
        assertThat(transfer.onData(4, 512)).isEqualTo(storeAndAck(4));
        assertThat(transfer.onData(5, 512)).isEqualTo(store(5));
        assertThat(transfer.onData(6, 100)).as("the last block ends a window early").isEqualTo(storeLast(6));
    }

    @Test
    void answersAGapOnceWithTheLastBlockInOrderAndCountsTheWindowAfresh() {
        WriteTransfer transfer = windowed(4);
        transfer.start();
        transfer.onData(1, 512);
        transfer.onData(2, 512);

        assertThat(transfer.onData(4, 512)).as("block 3 lost").isEqualTo(ack(2));
        assertThat(transfer.onData(5, 512)).as("the rest of the window draws no more ACKs").isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onData(3, 512)).isEqualTo(store(3));
        assertThat(transfer.onData(4, 512)).isEqualTo(store(4));
        assertThat(transfer.onData(5, 512)).isEqualTo(store(5));
        assertThat(transfer.onData(6, 512)).isEqualTo(storeAndAck(6));
    }

    @Test
    void answersAWholeWindowResentWithOneAck() {
        WriteTransfer transfer = windowed(4);
        transfer.start();
        for (int block = 1; block <= 4; block++) {
            transfer.onData(block, 512);
        }

        assertThat(transfer.onData(1, 512)).isEqualTo(ack(4));
        assertThat(transfer.onData(2, 512)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onData(3, 512)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onData(4, 512)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onData(1, 512)).as("the next resent window").isEqualTo(ack(4));
    }

    @Test
    void reacknowledgesTheLastBlockInOrderOnTimeoutThenGivesUpWithAnError() {
        WriteTransfer transfer = windowed(4);
        transfer.start();
        transfer.onData(1, 512);
        transfer.onData(2, 512);

        for (int i = 0; i < RETRIES; i++) {
            assertThat(transfer.onTimeout()).isEqualTo(ack(2));
        }
        Step end = transfer.onTimeout();

        assertThat(end).isInstanceOf(Step.Abort.class);
        Step.Abort abort = (Step.Abort) end;
        assertThat(abort.outcome()).isEqualTo(TransferOutcome.TIMED_OUT);
        assertThat(abort.error().code()).isEqualTo(ErrorCode.NOT_DEFINED.code());
        assertThat(abort.error().message()).isEqualTo("Timed out: no DATA after 4 tries");
        assertThat(transfer.retransmittedPackets()).isEqualTo(RETRIES);
        assertThat(transfer.onData(3, 512)).isEqualTo(Step.Ignore.INSTANCE);
    }

    @Test
    void progressStartsTheRetriesAfresh() {
        WriteTransfer transfer = lockStep();
        transfer.start();
        transfer.onTimeout();
        transfer.onTimeout();

        transfer.onData(1, 512);

        assertThat(transfer.retries()).isZero();
    }

    @Test
    void givesUpOnASilentClientWithoutAnError() {
        WriteTransfer transfer = new WriteTransfer(TransferOptions.RFC1350, Rollover.TO_ZERO, QUOTA, RETRIES, 1);
        transfer.start();

        assertThat(transfer.onTimeout()).isEqualTo(ack(0));
        Step end = transfer.onTimeout();

        assertThat(end).isEqualTo(new Step.Abort(null, TransferOutcome.TIMED_OUT,
                "no DATA after 2 tries (no ERROR to a client that never sent any)"));
    }

    @Test
    void endsAnUploadPastTheQuotaWithErrorThree() {
        WriteTransfer transfer = new WriteTransfer(TransferOptions.RFC1350, Rollover.TO_ZERO, 1000, RETRIES, RETRIES);
        transfer.start();
        transfer.onData(1, 512);

        Step end = transfer.onData(2, 512);

        assertThat(end).isEqualTo(new Step.Abort(new ErrorPacket(ErrorCode.DISK_FULL,
                "Disk full or allocation exceeded: uploads are limited to 1000 bytes"), TransferOutcome.QUOTA_EXCEEDED));
        assertThat(transfer.isFinished()).isTrue();
    }

    @Test
    void acceptsAnUploadOfExactlyTheQuota() {
        WriteTransfer transfer = new WriteTransfer(TransferOptions.RFC1350, Rollover.TO_ZERO, 1024, RETRIES, RETRIES);
        transfer.start();
        transfer.onData(1, 512);
        transfer.onData(2, 512);

        assertThat(transfer.onData(3, 0)).isEqualTo(storeLast(3));
    }

    @Test
    void refusesADataLongerThanTheBlockSizeWithErrorFour() {
        WriteTransfer transfer = lockStep();
        transfer.start();

        Step end = transfer.onData(1, 513);

        assertThat(end).isInstanceOf(Step.Abort.class);
        assertThat(((Step.Abort) end).error().code()).isEqualTo(ErrorCode.ILLEGAL_OPERATION.code());
    }

    @Test
    void endsQuietlyOnTheClientsError() {
        WriteTransfer transfer = lockStep();
        transfer.start();
        transfer.onData(1, 512);

        assertThat(transfer.onError(new ErrorPacket(0, "user abort"))).isEqualTo(new Step.Finish(TransferOutcome.CLIENT_ERROR));
        assertThat(transfer.onTimeout()).isEqualTo(Step.Ignore.INSTANCE);
    }

    @Test
    void anAbortFromOutsideEndsWithItsErrorButLeavesAStoredFileStored() {
        WriteTransfer receiving = lockStep();
        receiving.start();
        WriteTransfer dallying = lockStep();
        dallying.start();
        dallying.onData(1, 3);
        dallying.committed();
        ErrorPacket shutdown = new ErrorPacket(0, "Server shutting down");

        assertThat(receiving.abort(shutdown, TransferOutcome.CANCELLED)).isEqualTo(new Step.Abort(shutdown, TransferOutcome.CANCELLED));
        assertThat(dallying.abort(shutdown, TransferOutcome.CANCELLED)).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
        assertThat(receiving.abort(shutdown, TransferOutcome.CANCELLED)).isEqualTo(Step.Ignore.INSTANCE);
    }

    @ParameterizedTest(name = "rollover {0}")
    @ValueSource(strings = {"TO_ZERO", "TO_ONE"})
    void followsBlockNumbersPastTheSixteenBitRange(Rollover rollover) {
        WriteTransfer transfer = new WriteTransfer(new TransferOptions(8, 1, 0, Map.of()), rollover, 1L << 30, RETRIES, RETRIES);
        transfer.start();
        for (long index = 1; index <= 65_535; index++) {
            assertThat(transfer.onData(transfer.wireBlock(index), 8)).isEqualTo(storeAndAck(index));
        }

        int next = rollover == Rollover.TO_ZERO ? 0 : 1;
        assertThat(transfer.wireBlock(65_536)).isEqualTo(next);
        assertThat(transfer.onData(next, 8)).isEqualTo(storeAndAck(65_536));
        assertThat(transfer.onData(transfer.wireBlock(65_537), 3)).isEqualTo(storeLast(65_537));
    }

    @Test
    void aHeldAckAcknowledgesEveryBlockKept() {
        WriteTransfer transfer = windowed(8);
        transfer.start();
        transfer.onData(1, 512);
        transfer.onData(2, 512);

        assertThat(transfer.acknowledgeKept()).isEqualTo(ack(2));
    }
}

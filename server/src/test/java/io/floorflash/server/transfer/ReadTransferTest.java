package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TransferOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReadTransferTest {
    private static final int RETRIES = 3;
    private static final OptionLimits LIMITS = new OptionLimits(1468, 64);

    private static ReadTransfer lockStep(long size) {
        return new ReadTransfer(size, TransferOptions.RFC1350, Rollover.TO_ZERO, RETRIES);
    }

    private static ReadTransfer windowed(long size, int windowSize) {
        return new ReadTransfer(size, new TransferOptions(512, windowSize, 0, Map.of()), Rollover.TO_ZERO, RETRIES);
    }

    private static Step.SendBlocks blocks(long first, long last) {
        return new Step.SendBlocks(first, last);
    }

    /** The blocks a transfer sent, and how it ended, when the client acknowledged each window's last block. */
    private record Run(List<Step.SendBlocks> sent, List<Integer> acks, Step end) {
    }

    /** Plays a client that acknowledges the last block of every window by its wire number until the transfer ends. */
    private static Run drive(ReadTransfer transfer, Step first) {
        List<Step.SendBlocks> sent = new ArrayList<>();
        List<Integer> acks = new ArrayList<>();
        Step step = first;
        while (step instanceof Step.SendBlocks) {
            Step.SendBlocks window = (Step.SendBlocks) step;
            sent.add(window);
            int wire = transfer.wireBlock(window.last());
            acks.add(wire);
            step = transfer.onAck(wire);
        }
        return new Run(sent, acks, step);
    }

    /** Plays the same client until block {@code index} has been sent and acknowledged; returns the step after it. */
    private static Step driveThrough(ReadTransfer transfer, Step first, long index) {
        Step step = first;
        while (step instanceof Step.SendBlocks && ((Step.SendBlocks) step).last() <= index) {
            step = transfer.onAck(transfer.wireBlock(((Step.SendBlocks) step).last()));
        }
        return step;
    }

    @Test
    void sendsDataOneFirstWhenNoOptionWasAccepted() {
        ReadTransfer transfer = lockStep(1000);

        assertThat(transfer.start()).isEqualTo(blocks(1, 1));
    }

    @Test
    void sendsTheOptionAckFirstAndTheDataAfterAckZero() {
        TransferOptions options = TransferOptions.negotiate(Map.of("blksize", "1024", "tsize", "0"), LIMITS, 3000);
        ReadTransfer transfer = new ReadTransfer(3000, options, Rollover.TO_ZERO, RETRIES);

        assertThat(transfer.start()).isEqualTo(new Step.SendOptionAck(new OptionAck(Map.of("blksize", "1024", "tsize", "3000"))));
        assertThat(transfer.onAck(0)).isEqualTo(blocks(1, 1));
        assertThat(transfer.lengthOf(1)).isEqualTo(1024);
        assertThat(transfer.onAck(1)).isEqualTo(blocks(2, 2));
    }

    @Test
    void ignoresANonZeroAckWhileWaitingForAckZero() {
        ReadTransfer transfer = new ReadTransfer(3000, TransferOptions.negotiate(Map.of("tsize", "0"), LIMITS, 3000),
                Rollover.TO_ZERO, RETRIES);
        transfer.start();

        assertThat(transfer.onAck(1)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(65535)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(0)).isEqualTo(blocks(1, 1));
        assertThat(transfer.onAck(0)).as("a duplicate ACK 0").isEqualTo(Step.Ignore.INSTANCE);
    }

    @Test
    void resendsTheOptionAckOnTimeout() {
        TransferOptions options = TransferOptions.negotiate(Map.of("blksize", "1468"), LIMITS, 3000);
        ReadTransfer transfer = new ReadTransfer(3000, options, Rollover.TO_ZERO, RETRIES);
        Step oack = new Step.SendOptionAck(new OptionAck(Map.of("blksize", "1468")));
        assertThat(transfer.start()).isEqualTo(oack);

        assertThat(transfer.onTimeout()).isEqualTo(oack);
        assertThat(transfer.onTimeout()).isEqualTo(oack);
        assertThat(transfer.retransmittedPackets()).isEqualTo(2);
        assertThat(transfer.retries()).isEqualTo(2);
        assertThat(transfer.onAck(0)).isEqualTo(blocks(1, 1));
        assertThat(transfer.retries()).isZero();
    }

    @ParameterizedTest(name = "{0} bytes take {1} blocks, the last of {2} bytes")
    @CsvSource({"0, 1, 0", "1, 1, 1", "511, 1, 511", "512, 2, 0", "513, 2, 1", "1024, 3, 0", "1500, 3, 476"})
    void runsLockStepToCompletion(long size, int blockCount, int lastLength) {
        ReadTransfer transfer = lockStep(size);

        Run run = drive(transfer, transfer.start());

        List<Step.SendBlocks> expected = new ArrayList<>();
        List<Integer> expectedAcks = new ArrayList<>();
        for (int block = 1; block <= blockCount; block++) {
            expected.add(blocks(block, block));
            expectedAcks.add(block);
        }
        assertThat(run.sent()).isEqualTo(expected);
        assertThat(run.acks()).isEqualTo(expectedAcks);
        assertThat(run.end()).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
        assertThat(transfer.lengthOf(blockCount)).isEqualTo(lastLength);
        assertThat(transfer.isFinished()).isTrue();
        assertThat(transfer.bytesAcknowledged()).isEqualTo(size);
        assertThat(transfer.retransmittedPackets()).isZero();
    }

    @Test
    void endsAMultipleOfTheBlockSizeWithAnEmptyBlock() {
        ReadTransfer transfer = lockStep(512);

        assertThat(transfer.start()).isEqualTo(blocks(1, 1));
        assertThat(transfer.lengthOf(1)).isEqualTo(512);
        assertThat(transfer.onAck(1)).isEqualTo(blocks(2, 2));
        assertThat(transfer.lengthOf(2)).isZero();
        assertThat(transfer.offsetOf(2)).isEqualTo(512);
        assertThat(transfer.onAck(2)).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
    }

    @Test
    void ignoresADuplicateAckAndSendsNothing() {
        ReadTransfer transfer = lockStep(2000);
        transfer.start();
        assertThat(transfer.onAck(1)).isEqualTo(blocks(2, 2));

        // The Sorcerer's Apprentice (RFC 1123 4.2.3.1): answering the duplicate would double every later block.
        assertThat(transfer.onAck(1)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(1)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(2)).isEqualTo(blocks(3, 3));
        assertThat(transfer.retransmittedPackets()).isZero();
    }

    @Test
    void ignoresAnAckForABlockNeverSent() {
        ReadTransfer transfer = lockStep(5000);
        transfer.start();

        assertThat(transfer.onAck(2)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(9)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.bytesAcknowledged()).isZero();
        assertThat(transfer.onAck(1)).isEqualTo(blocks(2, 2));
    }

    @Test
    void sendsTheNextWindowWhenTheLastBlockOfAWindowIsAcknowledged() {
        ReadTransfer transfer = windowed(10 * 512 + 100, 4);

        assertThat(transfer.start()).isEqualTo(blocks(1, 4));
        assertThat(transfer.onAck(4)).isEqualTo(blocks(5, 8));
        assertThat(transfer.onAck(8)).as("the last window is short").isEqualTo(blocks(9, 11));
        assertThat(transfer.onAck(11)).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
        assertThat(transfer.bytesAcknowledged()).isEqualTo(10 * 512 + 100);
    }

    @Test
    void ignoresAnAckBeyondTheWindowSent() {
        ReadTransfer transfer = windowed(10 * 512, 4);
        transfer.start();

        assertThat(transfer.onAck(5)).isEqualTo(Step.Ignore.INSTANCE);
    }

    @Test
    void resendsFromTheBlockAfterAnAckInTheMiddleOfAWindow() {
        ReadTransfer transfer = windowed(20 * 512, 4);
        transfer.start();
        assertThat(transfer.onAck(4)).isEqualTo(blocks(5, 8));

        // The client got 5 and 6, then missed 7: RFC 7440 has it acknowledge 6.
        assertThat(transfer.onAck(6)).isEqualTo(blocks(7, 10));
        assertThat(transfer.bytesAcknowledged()).isEqualTo(6 * 512);
        assertThat(transfer.retransmittedPackets()).as("counted for timeouts only").isZero();
    }

    @Test
    void ignoresAStaleAckFromAnEarlierWindow() {
        ReadTransfer transfer = windowed(20 * 512, 4);
        transfer.start();
        transfer.onAck(4);
        assertThat(transfer.onAck(8)).isEqualTo(blocks(9, 12));

        assertThat(transfer.onAck(4)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(6)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(8)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(12)).isEqualTo(blocks(13, 16));
    }

    @Test
    void resendsAFullWindowFromTheLastAckOnTimeout() {
        ReadTransfer transfer = windowed(20 * 512, 4);
        transfer.start();
        transfer.onAck(4);
        transfer.onAck(6);

        assertThat(transfer.onTimeout()).isEqualTo(blocks(7, 10));
        assertThat(transfer.retransmittedPackets()).isEqualTo(4);
        assertThat(transfer.onTimeout()).isEqualTo(blocks(7, 10));
        assertThat(transfer.retransmittedPackets()).isEqualTo(8);
        assertThat(transfer.onAck(10)).isEqualTo(blocks(11, 14));
        assertThat(transfer.retransmittedPackets()).isEqualTo(8);
    }

    @Test
    void resendsOnlyTheBlocksLeftWhenTheLastWindowTimesOut() {
        ReadTransfer transfer = windowed(5 * 512 + 1, 4);
        transfer.start();
        assertThat(transfer.onAck(4)).isEqualTo(blocks(5, 6));

        assertThat(transfer.onTimeout()).isEqualTo(blocks(5, 6));
        assertThat(transfer.retransmittedPackets()).isEqualTo(2);
    }

    @Test
    void abortsWithErrorZeroOnceTheRetriesRunOut() {
        ReadTransfer transfer = lockStep(2000);
        transfer.start();
        assertThat(transfer.onAck(1)).isEqualTo(blocks(2, 2));

        assertThat(transfer.onTimeout()).isEqualTo(blocks(2, 2));
        assertThat(transfer.onTimeout()).isEqualTo(blocks(2, 2));
        assertThat(transfer.onTimeout()).isEqualTo(blocks(2, 2));
        assertThat(transfer.onTimeout()).isEqualTo(new Step.Abort(
                new ErrorPacket(ErrorCode.NOT_DEFINED, "Timed out: no acknowledgement after 4 tries"), TransferOutcome.TIMED_OUT));
        assertThat(transfer.isFinished()).isTrue();
        assertThat(transfer.retransmittedPackets()).isEqualTo(3);
        assertThat(transfer.onTimeout()).isEqualTo(Step.Ignore.INSTANCE);
    }

    @Test
    void abortsAfterZeroRetriesWhenNoneAreAllowed() {
        ReadTransfer transfer = new ReadTransfer(1000, TransferOptions.RFC1350, Rollover.TO_ZERO, 0);
        transfer.start();
        transfer.onAck(1);

        assertThat(transfer.onTimeout()).isEqualTo(new Step.Abort(
                new ErrorPacket(ErrorCode.NOT_DEFINED, "Timed out: no acknowledgement after 1 try"), TransferOutcome.TIMED_OUT));
    }

    @Test
    void countsTwoTriesWhenOneRetryIsAllowed() {
        ReadTransfer transfer = new ReadTransfer(1000, TransferOptions.RFC1350, Rollover.TO_ZERO, 1);
        transfer.start();
        transfer.onAck(1);

        assertThat(transfer.onTimeout()).isEqualTo(blocks(2, 2));
        assertThat(transfer.onTimeout()).isEqualTo(new Step.Abort(
                new ErrorPacket(ErrorCode.NOT_DEFINED, "Timed out: no acknowledgement after 2 tries"), TransferOutcome.TIMED_OUT));
    }

    @Test
    void aClientThatNeverAcknowledgesGetsTheFirstDataFiveTimesAndNoError() {
        ReadTransfer transfer = new ReadTransfer(2000, TransferOptions.RFC1350, Rollover.TO_ZERO, 11, 4);
        assertThat(transfer.start()).isEqualTo(blocks(1, 1));

        for (int retry = 0; retry < 4; retry++) {
            assertThat(transfer.onTimeout()).isEqualTo(blocks(1, 1));
        }
        assertThat(transfer.onTimeout()).isEqualTo(new Step.Abort(null, TransferOutcome.TIMED_OUT,
                "no answer to the first packet after 5 tries (no ERROR to a client that never acknowledged)"));
        assertThat(transfer.verified()).isFalse();
        assertThat(transfer.isFinished()).isTrue();
    }

    @Test
    void anOptionAckNeverAcknowledgedIsSentFiveTimesAtMost() {
        TransferOptions options = TransferOptions.negotiate(Map.of("blksize", "1468", "tsize", "0"), LIMITS, 2000);
        ReadTransfer transfer = new ReadTransfer(2000, options, Rollover.TO_ZERO, 11, 4);
        assertThat(transfer.start()).isInstanceOf(Step.SendOptionAck.class);

        for (int retry = 0; retry < 4; retry++) {
            assertThat(transfer.onTimeout()).isInstanceOf(Step.SendOptionAck.class);
        }
        assertThat(transfer.onTimeout()).isInstanceOfSatisfying(Step.Abort.class, abort -> {
            assertThat(abort.error()).isNull();
            assertThat(abort.outcome()).isEqualTo(TransferOutcome.TIMED_OUT);
        });
    }

    @Test
    void theFirstAckVerifiesTheClientAndTheFullRetriesApplyFromThen() {
        TransferOptions options = TransferOptions.negotiate(Map.of("blksize", "512"), LIMITS, 2000);
        ReadTransfer transfer = new ReadTransfer(2000, options, Rollover.TO_ZERO, 6, 2);
        transfer.start();
        transfer.onTimeout();
        transfer.onTimeout();
        assertThat(transfer.onAck(0)).isEqualTo(blocks(1, 1));
        assertThat(transfer.verified()).isTrue();

        for (int retry = 0; retry < 6; retry++) {
            assertThat(transfer.onTimeout()).isEqualTo(blocks(1, 1));
        }
        assertThat(transfer.onTimeout()).isEqualTo(new Step.Abort(
                new ErrorPacket(ErrorCode.NOT_DEFINED, "Timed out: no acknowledgement after 7 tries"), TransferOutcome.TIMED_OUT));
    }

    @Test
    void aStaleOrForeignAckDoesNotVerifyTheClient() {
        ReadTransfer transfer = new ReadTransfer(2000, TransferOptions.RFC1350, Rollover.TO_ZERO, 11, 1);
        transfer.start();
        assertThat(transfer.onAck(0)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(7)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.verified()).isFalse();

        assertThat(transfer.onTimeout()).isEqualTo(blocks(1, 1));
        assertThat(transfer.onTimeout()).isInstanceOfSatisfying(Step.Abort.class, abort -> assertThat(abort.error()).isNull());
    }

    @Test
    void progressResetsTheRetryCount() {
        ReadTransfer transfer = lockStep(5000);
        transfer.start();
        transfer.onTimeout();
        transfer.onTimeout();
        transfer.onTimeout();
        assertThat(transfer.retries()).isEqualTo(3);

        assertThat(transfer.onAck(1)).isEqualTo(blocks(2, 2));
        assertThat(transfer.retries()).isZero();
        assertThat(transfer.onTimeout()).isEqualTo(blocks(2, 2));
        assertThat(transfer.onTimeout()).isEqualTo(blocks(2, 2));
        assertThat(transfer.onTimeout()).isEqualTo(blocks(2, 2));
        assertThat(transfer.onTimeout()).isInstanceOf(Step.Abort.class);
        assertThat(transfer.retransmittedPackets()).isEqualTo(6);
    }

    @Test
    void aDuplicateAckDoesNotResetTheRetryCount() {
        ReadTransfer transfer = lockStep(5000);
        transfer.start();
        transfer.onAck(1);
        transfer.onTimeout();
        transfer.onTimeout();

        assertThat(transfer.onAck(1)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.retries()).isEqualTo(2);
    }

    @Test
    void endsQuietlyOnAClientErrorAfterTheOptionAck() {
        // The tsize probe: RRQ with tsize, OACK, then ERROR 8 from the client.
        ReadTransfer transfer = new ReadTransfer(70_000, TransferOptions.negotiate(Map.of("tsize", "0"), LIMITS, 70_000),
                Rollover.TO_ZERO, RETRIES);
        assertThat(transfer.start()).isEqualTo(new Step.SendOptionAck(new OptionAck(Map.of("tsize", "70000"))));

        assertThat(transfer.onError(new ErrorPacket(ErrorCode.OPTION_REFUSED, "tsize probe")))
                .isEqualTo(new Step.Finish(TransferOutcome.CLIENT_ERROR));
        assertThat(transfer.isFinished()).isTrue();
        assertThat(transfer.bytesAcknowledged()).isZero();
    }

    @Test
    void endsQuietlyOnAClientErrorInTheMiddleOfTheData() {
        ReadTransfer transfer = lockStep(5000);
        transfer.start();
        transfer.onAck(1);

        assertThat(transfer.onError(new ErrorPacket(99, "no space"))).isEqualTo(new Step.Finish(TransferOutcome.CLIENT_ERROR));
        assertThat(transfer.bytesAcknowledged()).isEqualTo(512);
    }

    @Test
    void endsAnEmptyFileAfterOneMoreDataOneWhenItsOnlyBlockIsAcknowledgedAsZero() {
        // iPXE: blksize and tsize, OACK with tsize 0, ACK 0, the empty DATA 1, then ACK 0 again, and it is done.
        TransferOptions options = TransferOptions.negotiate(Map.of("blksize", "1432", "tsize", "0"), LIMITS, 0);
        ReadTransfer transfer = new ReadTransfer(0, options, Rollover.TO_ZERO, RETRIES);
        transfer.start();
        assertThat(transfer.onAck(0)).isEqualTo(blocks(1, 1));
        assertThat(transfer.lengthOf(1)).isZero();

        assertThat(transfer.onAck(0)).as("ACK 0 for the empty block").isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).as("once more, in case DATA 1 was lost").isEqualTo(blocks(1, 1));
        assertThat(transfer.onTimeout()).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));

        assertThat(transfer.isFinished()).isTrue();
        assertThat(transfer.retransmittedPackets()).isOne();
        assertThat(transfer.bytesAcknowledged()).isZero();
    }

    @Test
    void endsAnEmptyFileAsUsualWhenTheClientAcknowledgesTheResentBlock() {
        // A client whose DATA 1 was lost asks again with ACK 0; the resend reaches it and it acknowledges block 1.
        ReadTransfer transfer = lockStep(0);
        assertThat(transfer.start()).isEqualTo(blocks(1, 1));

        assertThat(transfer.onAck(0)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).isEqualTo(blocks(1, 1));
        assertThat(transfer.onAck(1)).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
        assertThat(transfer.onTimeout()).isEqualTo(Step.Ignore.INSTANCE);
    }

    @Test
    void keepsResendingAnEmptyFileAcknowledgedWithNothingButTheOptionAck() {
        TransferOptions options = TransferOptions.negotiate(Map.of("tsize", "0"), LIMITS, 0);
        ReadTransfer transfer = new ReadTransfer(0, options, Rollover.TO_ZERO, RETRIES);
        transfer.start();
        assertThat(transfer.onAck(0)).isEqualTo(blocks(1, 1));

        assertThat(transfer.onTimeout()).isEqualTo(blocks(1, 1));
        assertThat(transfer.onTimeout()).isEqualTo(blocks(1, 1));
        assertThat(transfer.onTimeout()).isEqualTo(blocks(1, 1));
        assertThat(transfer.onTimeout()).isInstanceOf(Step.Abort.class);
    }

    @Test
    void takesAckZeroForTheEndOfNoFileButAnEmptyOne() {
        ReadTransfer transfer = lockStep(100);
        transfer.start();

        assertThat(transfer.onAck(0)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).isEqualTo(blocks(1, 1));
        assertThat(transfer.onTimeout()).as("resent, not ended").isEqualTo(blocks(1, 1));
        assertThat(transfer.isFinished()).isFalse();
    }

    @Test
    void ignoresEveryEventAfterCompletion() {
        ReadTransfer transfer = lockStep(100);
        transfer.start();
        assertThat(transfer.onAck(1)).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));

        assertThat(transfer.onAck(1)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(2)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onError(new ErrorPacket(ErrorCode.NOT_DEFINED, "late"))).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.abort(new ErrorPacket(ErrorCode.NOT_DEFINED, "shutdown"), TransferOutcome.CANCELLED))
                .isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.bytesAcknowledged()).isEqualTo(100);
    }

    @Test
    void ignoresEveryEventAfterAClientError() {
        ReadTransfer transfer = lockStep(5000);
        transfer.start();
        transfer.onError(new ErrorPacket(ErrorCode.NOT_DEFINED, "bye"));

        assertThat(transfer.onAck(1)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onError(new ErrorPacket(ErrorCode.NOT_DEFINED, "bye again"))).isEqualTo(Step.Ignore.INSTANCE);
    }

    @Test
    void abortsOnceFromOutside() {
        ReadTransfer transfer = lockStep(5000);
        transfer.start();
        ErrorPacket shutdown = new ErrorPacket(ErrorCode.NOT_DEFINED, "Server shutting down");

        assertThat(transfer.abort(shutdown, TransferOutcome.CANCELLED)).isEqualTo(new Step.Abort(shutdown, TransferOutcome.CANCELLED));
        assertThat(transfer.abort(shutdown, TransferOutcome.CANCELLED)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(1)).isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).isEqualTo(Step.Ignore.INSTANCE);
    }

    @ParameterizedTest(name = "{0}: block 65536 is wire {1}, the last block 65541 is wire {2}")
    @CsvSource({"TO_ZERO, 0, 5", "TO_ONE, 1, 6"})
    void rollsBlockNumbersOverPastBlock65535(Rollover rollover, int wireAfterWrap, int lastWire) {
        long size = 65540L * 512;
        ReadTransfer transfer = new ReadTransfer(size, TransferOptions.RFC1350, rollover, RETRIES);

        Step afterWrapPoint = driveThrough(transfer, transfer.start(), 65534);
        assertThat(afterWrapPoint).isEqualTo(blocks(65535, 65535));
        assertThat(transfer.wireBlock(65535)).isEqualTo(65535);
        assertThat(transfer.onAck(65535)).isEqualTo(blocks(65536, 65536));
        assertThat(transfer.wireBlock(65536)).isEqualTo(wireAfterWrap);
        assertThat(transfer.offsetOf(65536)).isEqualTo(65535L * 512);

        assertThat(transfer.onAck(65535)).as("the ACK before the wrap, repeated").isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(wireAfterWrap)).isEqualTo(blocks(65537, 65537));
        assertThat(transfer.bytesAcknowledged()).isEqualTo(65536L * 512);
        assertThat(transfer.onAck(wireAfterWrap)).as("a duplicate across the wrap").isEqualTo(Step.Ignore.INSTANCE);

        Run rest = drive(transfer, transfer.onAck(transfer.wireBlock(65537)));
        assertThat(rest.sent()).containsExactly(blocks(65538, 65538), blocks(65539, 65539), blocks(65540, 65540),
                blocks(65541, 65541));
        assertThat(rest.acks()).last().isEqualTo(lastWire);
        assertThat(rest.end()).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
        assertThat(transfer.lengthOf(65541)).as("a multiple of 512 ends with an empty block").isZero();
        assertThat(transfer.bytesAcknowledged()).isEqualTo(size);
        assertThat(transfer.retransmittedPackets()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"TO_ZERO", "TO_ONE"})
    void sendsEveryWireNumberInOrderAcrossTheWrap(Rollover rollover) {
        ReadTransfer transfer = new ReadTransfer(131_080L * 512, TransferOptions.RFC1350, rollover, RETRIES);

        Run run = drive(transfer, transfer.start());

        assertThat(run.end()).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
        assertThat(run.sent()).hasSize(131_081);
        int period = rollover == Rollover.TO_ZERO ? 65536 : 65535;
        int first = rollover == Rollover.TO_ZERO ? 0 : 1;
        for (int i = 0; i < run.acks().size(); i++) {
            long index = i + 1;
            int expected = (int) ((index - first) % period) + first;
            if (run.acks().get(i) != expected) {
                throw new AssertionError("block " + index + " went out as " + run.acks().get(i) + ", expected " + expected);
            }
        }
    }

    @Test
    void wrapsAWindowThatStraddlesBlock65535() {
        ReadTransfer transfer = new ReadTransfer(65540L * 512, new TransferOptions(512, 4, 0, Map.of()), Rollover.TO_ZERO, RETRIES);
        Step step = driveThrough(transfer, transfer.start(), 65532);
        assertThat(step).isEqualTo(blocks(65533, 65536));

        // The client lost the block numbered 0 and acknowledges 65535.
        assertThat(transfer.onAck(65535)).isEqualTo(blocks(65536, 65539));
        assertThat(transfer.onAck(1)).as("wire 1 is block 65537").isEqualTo(blocks(65538, 65541));
        assertThat(transfer.onAck(65535)).as("stale, from before the wrap").isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onTimeout()).isEqualTo(blocks(65538, 65541));
        assertThat(transfer.onAck(5)).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
    }

    @Test
    void acceptsTheAckOfAWindowWiderThanHalfTheBlockNumbers() {
        // max-window-size may be set to 65535: a whole window must still be acknowledged by its last block.
        ReadTransfer transfer = new ReadTransfer(50_000L * 512, new TransferOptions(512, 40_000, 0, Map.of()),
                Rollover.TO_ZERO, RETRIES);
        assertThat(transfer.start()).isEqualTo(blocks(1, 40_000));

        assertThat(transfer.onAck(40_000)).isEqualTo(blocks(40_001, 50_001));
        assertThat(transfer.onAck(39_999)).as("stale").isEqualTo(Step.Ignore.INSTANCE);
        assertThat(transfer.onAck(50_001)).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
    }

    @ParameterizedTest
    @CsvSource({"TO_ZERO, 4465", "TO_ONE, 4466"})
    void acceptsTheAckOfTheLargestWindowAcrossTheWrap(Rollover rollover, int lastWire) {
        ReadTransfer transfer = new ReadTransfer(70_000L * 512, new TransferOptions(512, 65_535, 0, Map.of()), rollover, RETRIES);
        assertThat(transfer.start()).isEqualTo(blocks(1, 65_535));

        assertThat(transfer.onAck(100)).as("a gap after block 100").isEqualTo(blocks(101, 65_635));
        assertThat(transfer.onAck(65_535)).isEqualTo(blocks(65_536, 70_001));
        assertThat(transfer.wireBlock(70_001)).isEqualTo(lastWire);
        assertThat(transfer.onAck(lastWire)).isEqualTo(new Step.Finish(TransferOutcome.COMPLETED));
    }

    @Test
    void refusesMoreThan65535BlocksWhenRolloverIsRefused() {
        assertThat(new ReadTransfer(65535L * 512 - 1, TransferOptions.RFC1350, Rollover.REFUSE, RETRIES).start())
                .isEqualTo(blocks(1, 1));

        assertThatThrownBy(() -> new ReadTransfer(65535L * 512, TransferOptions.RFC1350, Rollover.REFUSE, RETRIES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("blocks: 65536 (expected: at most 65535 when rollover is refused)");
    }

    @Test
    void mapsBlocksToOffsetsAndLengths() {
        ReadTransfer transfer = new ReadTransfer(3000, new TransferOptions(1468, 1, 0, Map.of("blksize", "1468")),
                Rollover.TO_ZERO, RETRIES);

        assertThat(transfer.offsetOf(1)).isZero();
        assertThat(transfer.lengthOf(1)).isEqualTo(1468);
        assertThat(transfer.offsetOf(2)).isEqualTo(1468);
        assertThat(transfer.lengthOf(2)).isEqualTo(1468);
        assertThat(transfer.offsetOf(3)).isEqualTo(2936);
        assertThat(transfer.lengthOf(3)).isEqualTo(64);
    }

    @Test
    void computesOffsetsPastTwoGigabytesWithoutOverflow() {
        long size = 3_000_000_000L;
        ReadTransfer transfer = new ReadTransfer(size, new TransferOptions(65_464, 1, 0, Map.of("blksize", "65464")),
                Rollover.TO_ZERO, RETRIES);

        long last = size / 65_464 + 1;
        assertThat(transfer.offsetOf(last)).isEqualTo((last - 1) * 65_464);
        assertThat(transfer.lengthOf(last)).isEqualTo((int) (size % 65_464));
        assertThat(transfer.offsetOf(40_000)).isEqualTo(39_999L * 65_464);
    }

    @Test
    void countsAcknowledgedBytes() {
        ReadTransfer transfer = lockStep(1300);
        transfer.start();
        assertThat(transfer.bytesAcknowledged()).isZero();

        transfer.onAck(1);
        assertThat(transfer.bytesAcknowledged()).isEqualTo(512);
        transfer.onAck(2);
        assertThat(transfer.bytesAcknowledged()).isEqualTo(1024);
        transfer.onAck(3);
        assertThat(transfer.bytesAcknowledged()).isEqualTo(1300);
        assertThat(transfer.size()).isEqualTo(1300);
    }
}

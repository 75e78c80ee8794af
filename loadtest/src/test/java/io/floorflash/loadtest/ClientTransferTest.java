package io.floorflash.loadtest;

import static io.floorflash.loadtest.Fixtures.content;
import static io.floorflash.loadtest.Fixtures.options;
import static io.floorflash.loadtest.Fixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The receiver's decisions with no channel at all: every event in, one {@link ClientStep} out. */
class ClientTransferTest {
    private static final int RETRIES = 3;
    private static final ClientStep WAIT = ClientStep.Wait.INSTANCE;

    @Test
    void sendsTheRequestFirst() {
        ClientTransfer transfer = new ClientTransfer(Map.of(), ExpectedContent.ofBytes(content(10)).checker(), RETRIES);

        assertThat(transfer.start()).isEqualTo(ClientStep.SendRequest.INSTANCE);
        assertThat(transfer.answered()).isFalse();
        assertThat(transfer.isDone()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 511, 512, 513})
    void acknowledgesEachBlockInLockStepUntilTheShortLastOne(int size) {
        byte[] content = content(size);
        ClientTransfer transfer = plain(content);
        long lastBlock = size / 512 + 1;
        try (Server server = new Server(content, 512)) {
            for (long block = 1; block < lastBlock; block++) {
                assertThat(server.send(transfer, block)).isEqualTo(new ClientStep.SendAck((int) block));
            }
            assertThat(server.length(lastBlock)).isLessThan(512);
            assertThat(server.send(transfer, lastBlock)).isEqualTo(new ClientStep.Complete((int) lastBlock));
        }
        assertThat(transfer.isDone()).isTrue();
        assertThat(transfer.bytesReceived()).isEqualTo(size);
        assertThat(transfer.acksSent()).isEqualTo(lastBlock);
        assertThat(transfer.duplicates()).isZero();
    }

    @Test
    void endsAFileOfExactlyOneBlockWithAnEmptySecondBlock() {
        byte[] content = content(512);
        ClientTransfer transfer = plain(content);
        try (Server server = new Server(content, 512)) {
            assertThat(server.send(transfer, 1)).isEqualTo(new ClientStep.SendAck(1));
            assertThat(transfer.isDone()).as("a full block never ends the transfer").isFalse();
            assertThat(server.length(2)).isZero();
            assertThat(server.send(transfer, 2)).isEqualTo(new ClientStep.Complete(2));
        }
    }

    @Test
    void failsWithMismatchWhenABlockDiffers() {
        byte[] content = content(1500);
        byte[] corrupt = content.clone();
        corrupt[700] ^= 0x01;
        ClientTransfer transfer = plain(content);
        try (Server server = new Server(corrupt, 512)) {
            assertThat(server.send(transfer, 1)).isEqualTo(new ClientStep.SendAck(1));

            ClientStep step = server.send(transfer, 2);

            assertThat(step).isInstanceOfSatisfying(ClientStep.Fail.class, fail -> {
                assertThat(fail.mismatch()).isTrue();
                assertThat(fail.sendError()).isTrue();
                assertThat(fail.error()).isEqualTo("content differs in block 2");
            });
            assertThat(transfer.isDone()).isTrue();
            assertThat(server.send(transfer, 3)).as("nothing after the end").isEqualTo(WAIT);
            assertThat(transfer.onTimeout()).isEqualTo(WAIT);
        }
    }

    @Test
    void failsWithMismatchWhenTheStreamEndsEarly() {
        byte[] content = content(1500);
        ClientTransfer transfer = plain(content);
        try (Server server = new Server(Arrays.copyOf(content, 1000), 512)) {
            server.send(transfer, 1);

            assertThat(server.send(transfer, 2)).isInstanceOfSatisfying(ClientStep.Fail.class, fail -> {
                assertThat(fail.mismatch()).isTrue();
                assertThat(fail.error()).isEqualTo("content differs: transfer ended after 1000 bytes");
            });
        }
    }

    @Test
    void failsWhenAStreamRunsPastTheExpectedContent() {
        byte[] content = content(600);
        byte[] longer = Arrays.copyOf(content, 1200);
        ClientTransfer transfer = plain(content);
        try (Server server = new Server(longer, 512)) {
            server.send(transfer, 1);

            assertThat(server.send(transfer, 2)).isInstanceOfSatisfying(ClientStep.Fail.class,
                    fail -> assertThat(fail.mismatch()).isTrue());
        }
    }

    @Test
    void failsWhenADataBlockIsLargerThanTheBlockSize() {
        byte[] content = content(2000);
        ClientTransfer transfer = plain(content);
        try (Server server = new Server(content, 1024)) {
            assertThat(server.send(transfer, 1)).isInstanceOfSatisfying(ClientStep.Fail.class, fail -> {
                assertThat(fail.mismatch()).isFalse();
                assertThat(fail.error()).isEqualTo("DATA 1 carries 1024 bytes (expected: at most 512)");
            });
        }
    }

    @Test
    void acknowledgesAnOptionAckWithBlockZeroAndAdoptsItsValues() {
        byte[] content = content(5000);
        ClientTransfer transfer = withOptions(content, options("blksize", "1468", "tsize", "0", "windowsize", "8"));

        ClientStep step = transfer.onOptionAck(new OptionAck(options("blksize", "1024", "tsize", "5000", "windowsize", "4")));

        assertThat(step).isEqualTo(new ClientStep.SendAck(0));
        assertThat(transfer.blockSize()).isEqualTo(1024);
        assertThat(transfer.windowSize()).isEqualTo(4);
        assertThat(transfer.answered()).isTrue();
        try (Server server = new Server(content, 1024)) {
            assertThat(server.send(transfer, 1)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 2)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 3)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 4)).isEqualTo(new ClientStep.SendAck(4));
            assertThat(server.send(transfer, 5)).isEqualTo(new ClientStep.Complete(5));
        }
        assertThat(transfer.bytesReceived()).isEqualTo(5000);
    }

    @Test
    void acceptsAnOptionAckThatLeavesOptionsOut() {
        ClientTransfer transfer = withOptions(content(100), options("blksize", "1468", "tsize", "0", "foo", "bar"));

        assertThat(transfer.onOptionAck(new OptionAck(options("tsize", "100")))).isEqualTo(new ClientStep.SendAck(0));
        assertThat(transfer.blockSize()).isEqualTo(512);
        assertThat(transfer.windowSize()).isEqualTo(1);
    }

    @Test
    void failsOnAnOptionAckWithAnOptionThatWasNotRequested() {
        ClientTransfer transfer = withOptions(content(100), options("blksize", "1468"));

        ClientStep step = transfer.onOptionAck(new OptionAck(options("blksize", "1468", "windowsize", "4")));

        assertThat(step).isInstanceOfSatisfying(ClientStep.Fail.class, fail -> {
            assertThat(fail.mismatch()).isFalse();
            assertThat(fail.sendError()).isTrue();
            assertThat(fail.error()).isEqualTo("OACK carries option 'windowsize' that was not requested");
        });
        assertThat(transfer.isDone()).isTrue();
    }

    @Test
    void failsOnAnOptionAckWhenNoOptionsWereRequested() {
        ClientTransfer transfer = plain(content(100));

        assertThat(transfer.onOptionAck(new OptionAck(options("tsize", "100")))).isInstanceOf(ClientStep.Fail.class);
    }

    @Test
    void failsOnAnOptionAckWithABlockSizeAboveTheRequestedOne() {
        ClientTransfer transfer = withOptions(content(100), options("blksize", "1024"));

        ClientStep step = transfer.onOptionAck(new OptionAck(options("blksize", "1468")));

        assertThat(step).isInstanceOfSatisfying(ClientStep.Fail.class, fail -> {
            assertThat(fail.mismatch()).isFalse();
            assertThat(fail.error()).isEqualTo("OACK blksize 1468 (expected: 8-1024)");
        });
    }

    @Test
    void failsOnAnOptionAckWithAWindowSizeAboveTheRequestedOne() {
        ClientTransfer transfer = withOptions(content(100), options("windowsize", "4"));

        assertThat(transfer.onOptionAck(new OptionAck(options("windowsize", "5")))).isInstanceOfSatisfying(
                ClientStep.Fail.class, fail -> assertThat(fail.error()).isEqualTo("OACK windowsize 5 (expected: 1-4)"));
    }

    @Test
    void failsOnAnOptionAckWithABlockSizeThatIsNotANumber() {
        ClientTransfer transfer = withOptions(content(100), options("blksize", "1024"));

        assertThat(transfer.onOptionAck(new OptionAck(options("blksize", "big")))).isInstanceOf(ClientStep.Fail.class);
    }

    @Test
    void acknowledgesARepeatedOptionAckWithBlockZeroAgain() {
        byte[] content = content(2000);
        ClientTransfer transfer = withOptions(content, options("blksize", "1024"));
        OptionAck oack = new OptionAck(options("blksize", "1024"));
        assertThat(transfer.onOptionAck(oack)).isEqualTo(new ClientStep.SendAck(0));

        assertThat(transfer.onOptionAck(oack)).as("our ACK 0 was lost").isEqualTo(new ClientStep.SendAck(0));

        try (Server server = new Server(content, 1024)) {
            assertThat(server.send(transfer, 1)).isEqualTo(new ClientStep.SendAck(1));
        }
        assertThat(transfer.onOptionAck(oack)).as("stale once DATA flows").isEqualTo(WAIT);
    }

    @Test
    void reAcknowledgesTheLastInOrderBlockOnADuplicateInLockStep() {
        byte[] content = content(3000);
        ClientTransfer transfer = plain(content);
        try (Server server = new Server(content, 512)) {
            server.send(transfer, 1);
            server.send(transfer, 2);
            server.send(transfer, 3);

            assertThat(server.send(transfer, 3)).isEqualTo(new ClientStep.SendAck(3));
            assertThat(server.send(transfer, 3)).as("every duplicate, as RFC 1350 clients do").isEqualTo(new ClientStep.SendAck(3));
            assertThat(server.send(transfer, 1)).isEqualTo(new ClientStep.SendAck(3));
            assertThat(transfer.duplicates()).isEqualTo(3);
            assertThat(server.send(transfer, 4)).isEqualTo(new ClientStep.SendAck(4));
        }
        assertThat(transfer.bytesReceived()).isEqualTo(4 * 512);
    }

    @Test
    void acknowledgesOnlyAtTheEndOfEachWindow() {
        byte[] content = content(10 * 512 + 100);
        ClientTransfer transfer = windowed(content, 4);
        try (Server server = new Server(content, 512)) {
            for (long block = 1; block <= 10; block++) {
                ClientStep expected = block % 4 == 0 ? new ClientStep.SendAck((int) block) : WAIT;
                assertThat(server.send(transfer, block)).as("block %d", block).isEqualTo(expected);
            }
            assertThat(server.send(transfer, 11)).as("the short block ends the last window early")
                    .isEqualTo(new ClientStep.Complete(11));
        }
        assertThat(transfer.acksSent()).isEqualTo(1 + 2 + 1);
    }

    @Test
    void acknowledgesAGapOnceWithTheLastInOrderBlock() {
        byte[] content = content(20 * 512);
        ClientTransfer transfer = windowed(content, 4);
        try (Server server = new Server(content, 512)) {
            assertThat(server.send(transfer, 1)).isEqualTo(WAIT);
            // Block 2 is lost.
            assertThat(server.send(transfer, 3)).isEqualTo(new ClientStep.SendAck(1));
            assertThat(server.send(transfer, 4)).as("the same gap is reported once").isEqualTo(WAIT);

            // The server starts the next window after ACK 1.
            assertThat(server.send(transfer, 2)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 3)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 4)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 5)).isEqualTo(new ClientStep.SendAck(5));

            // A later gap at another position is reported again.
            assertThat(server.send(transfer, 6)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 8)).isEqualTo(new ClientStep.SendAck(6));
            assertThat(server.send(transfer, 9)).isEqualTo(WAIT);
        }
        assertThat(transfer.bytesReceived()).isEqualTo(6 * 512);
        assertThat(transfer.acksSent()).as("ACK 0, gap ACK 1, ACK 5, gap ACK 6").isEqualTo(4);
    }

    @Test
    void acknowledgesAResentWindowThatIsAlreadyHeldOnce() {
        byte[] content = content(20 * 512);
        ClientTransfer transfer = windowed(content, 4);
        try (Server server = new Server(content, 512)) {
            for (long block = 1; block <= 4; block++) {
                server.send(transfer, block);
            }
            // Our ACK 4 was lost: the server resends 1-4.
            assertThat(server.send(transfer, 1)).isEqualTo(new ClientStep.SendAck(4));
            assertThat(server.send(transfer, 2)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 3)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 4)).isEqualTo(WAIT);
            assertThat(transfer.duplicates()).isEqualTo(4);

            for (long block = 5; block <= 7; block++) {
                assertThat(server.send(transfer, block)).isEqualTo(WAIT);
            }
            assertThat(server.send(transfer, 8)).isEqualTo(new ClientStep.SendAck(8));
        }
        assertThat(transfer.acksSent()).as("ACK 0, ACK 4 twice, ACK 8").isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void followsBlockNumbersThroughRolloverToZero(int windowSize) {
        long blocks = 65540;
        byte[] content = content((int) (blocks * 8));
        Map<String, String> requested = options("blksize", "8", "windowsize", Integer.toString(windowSize));
        ClientTransfer transfer = withOptions(content, requested);
        assertThat(transfer.onOptionAck(new OptionAck(requested))).isEqualTo(new ClientStep.SendAck(0));
        long lastBlock = blocks + 1;
        try (Server server = new Server(content, 8)) {
            for (long block = 1; block < lastBlock; block++) {
                ClientStep step = server.send(transfer, block);
                ClientStep expected = block % windowSize == 0 ? new ClientStep.SendAck((int) (block & 0xFFFF)) : WAIT;
                if (!step.equals(expected)) {
                    assertThat(step).as("block %d", block).isEqualTo(expected);
                }
            }
            assertThat(server.send(transfer, lastBlock)).isEqualTo(new ClientStep.Complete(5));
        }
        assertThat(transfer.bytesReceived()).isEqualTo(content.length);
        assertThat(transfer.duplicates()).isZero();
    }

    @Test
    void reAcknowledgesBlockZeroForADuplicateOf65535AfterRollover() {
        byte[] content = content(65540 * 8);
        Map<String, String> requested = options("blksize", "8");
        ClientTransfer transfer = withOptions(content, requested);
        transfer.onOptionAck(new OptionAck(requested));
        try (Server server = new Server(content, 8)) {
            for (long block = 1; block <= 65536; block++) {
                server.send(transfer, block);
            }

            assertThat(server.send(transfer, 65535)).isEqualTo(new ClientStep.SendAck(0));
            assertThat(server.send(transfer, 65537)).isEqualTo(new ClientStep.SendAck(1));
        }
        assertThat(transfer.duplicates()).isEqualTo(1);
    }

    @Test
    void resendsTheRequestOnTimeoutUntilTheRetryCap() {
        ClientTransfer transfer = plain(content(100));
        transfer.start();

        for (int i = 0; i < RETRIES; i++) {
            assertThat(transfer.onTimeout()).isEqualTo(ClientStep.SendRequest.INSTANCE);
        }
        assertThat(transfer.onTimeout()).isInstanceOfSatisfying(ClientStep.Fail.class, fail -> {
            assertThat(fail.error()).isEqualTo("timed out after 3 retries at block 1");
            assertThat(fail.mismatch()).isFalse();
        });
        assertThat(transfer.timeouts()).isEqualTo(RETRIES + 1);
        assertThat(transfer.isDone()).isTrue();
    }

    @Test
    void reAcknowledgesOnTimeoutOnceAnswered() {
        byte[] content = content(3000);
        ClientTransfer transfer = plain(content);
        try (Server server = new Server(content, 512)) {
            server.send(transfer, 1);

            assertThat(transfer.onTimeout()).isEqualTo(new ClientStep.SendAck(1));
            assertThat(transfer.onTimeout()).isEqualTo(new ClientStep.SendAck(1));
            assertThat(server.send(transfer, 2)).isEqualTo(new ClientStep.SendAck(2));
            for (int i = 0; i < RETRIES; i++) {
                assertThat(transfer.onTimeout()).as("progress starts the count again").isEqualTo(new ClientStep.SendAck(2));
            }
            assertThat(transfer.onTimeout()).isInstanceOfSatisfying(ClientStep.Fail.class,
                    fail -> assertThat(fail.error()).isEqualTo("timed out after 3 retries at block 3"));
        }
    }

    @Test
    void reAcknowledgesTheOptionAckOnTimeoutBeforeAnyData() {
        ClientTransfer transfer = withOptions(content(100), options("tsize", "0"));
        transfer.onOptionAck(new OptionAck(options("tsize", "100")));

        assertThat(transfer.onTimeout()).isEqualTo(new ClientStep.SendAck(0));
    }

    @Test
    void countsRetriesAfreshOnceTheOptionAckArrives() {
        ClientTransfer transfer = withOptions(content(100), options("tsize", "0"));
        for (int i = 0; i < RETRIES; i++) {
            assertThat(transfer.onTimeout()).isEqualTo(ClientStep.SendRequest.INSTANCE);
        }
        assertThat(transfer.onOptionAck(new OptionAck(options("tsize", "100")))).isEqualTo(new ClientStep.SendAck(0));

        assertThat(transfer.onTimeout()).as("the OACK was progress").isEqualTo(new ClientStep.SendAck(0));
    }

    @Test
    void restartsTheWindowAtTheNextBlockAfterATimeout() {
        byte[] content = content(20 * 512);
        ClientTransfer transfer = windowed(content, 4);
        try (Server server = new Server(content, 512)) {
            server.send(transfer, 1);
            server.send(transfer, 2);
            // Blocks 3 and 4 are lost.
            assertThat(transfer.onTimeout()).isEqualTo(new ClientStep.SendAck(2));

            assertThat(server.send(transfer, 3)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 4)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 5)).isEqualTo(WAIT);
            assertThat(server.send(transfer, 6)).isEqualTo(new ClientStep.SendAck(6));
        }
    }

    @Test
    void failsWithoutAnErrorOfItsOwnOnAServerError() {
        ClientTransfer transfer = plain(content(100));
        transfer.start();

        ClientStep step = transfer.onError(new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "no such file: snom320.bin"));

        assertThat(step).isEqualTo(new ClientStep.Fail("server error 1: no such file: snom320.bin", false, false));
        assertThat(transfer.isDone()).isTrue();
        assertThat(transfer.onTimeout()).isEqualTo(WAIT);
        assertThat(transfer.onError(new ErrorPacket(0, "again"))).isEqualTo(WAIT);
    }

    @Test
    void failsWhenTheTransferSizeDiffersFromTheAnnouncedOne() {
        byte[] content = content(600);
        ClientTransfer transfer = withOptions(content, options("tsize", "0"));
        assertThat(transfer.onOptionAck(new OptionAck(options("tsize", "1000")))).isEqualTo(new ClientStep.SendAck(0));
        try (Server server = new Server(content, 512)) {
            server.send(transfer, 1);

            assertThat(server.send(transfer, 2)).isInstanceOfSatisfying(ClientStep.Fail.class,
                    fail -> assertThat(fail.error()).isEqualTo("tsize 1000 but 600 bytes arrived"));
        }
    }

    @Test
    void failsOnANegativeTransferSize() {
        ClientTransfer transfer = withOptions(content(600), options("tsize", "0"));

        assertThat(transfer.onOptionAck(new OptionAck(options("tsize", "-1")))).isInstanceOf(ClientStep.Fail.class);
    }

    @Test
    void completesAgainstASha256() {
        byte[] content = content(3 * 512 + 17);
        ClientTransfer transfer = new ClientTransfer(Map.of(), ExpectedContent.ofSha256(sha256(content)).checker(), RETRIES);
        try (Server server = new Server(content, 512)) {
            for (long block = 1; block <= 3; block++) {
                assertThat(server.send(transfer, block)).isEqualTo(new ClientStep.SendAck((int) block));
            }
            assertThat(server.send(transfer, 4)).isEqualTo(new ClientStep.Complete(4));
        }
        assertThat(transfer.bytesReceived()).isEqualTo(content.length);
    }

    @Test
    void failsWithMismatchAtTheEndWhenTheSha256Differs() {
        byte[] content = content(3 * 512 + 17);
        byte[] other = content.clone();
        other[5] ^= 0x40;
        ClientTransfer transfer = new ClientTransfer(Map.of(), ExpectedContent.ofSha256(sha256(other)).checker(), RETRIES);
        try (Server server = new Server(content, 512)) {
            for (long block = 1; block <= 3; block++) {
                assertThat(server.send(transfer, block)).isEqualTo(new ClientStep.SendAck((int) block));
            }
            assertThat(server.send(transfer, 4)).isInstanceOfSatisfying(ClientStep.Fail.class, fail -> {
                assertThat(fail.mismatch()).isTrue();
                assertThat(fail.error()).isEqualTo("content differs: transfer ended after 1553 bytes");
            });
        }
    }

    @Test
    void refusesASha256OfTheWrongLength() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ExpectedContent.ofSha256("abcd"))
                .withMessage("sha256: 4 hex digits (expected: 64)");
    }

    private static ClientTransfer plain(byte[] content) {
        return new ClientTransfer(Map.of(), ExpectedContent.ofBytes(content).checker(), RETRIES);
    }

    private static ClientTransfer withOptions(byte[] content, Map<String, String> requested) {
        return new ClientTransfer(requested, ExpectedContent.ofBytes(content).checker(), RETRIES);
    }

    /** Asks for 512-byte blocks in windows of {@code windowSize}, and accepts the server's OACK for them. */
    private static ClientTransfer windowed(byte[] content, int windowSize) {
        Map<String, String> requested = options("windowsize", Integer.toString(windowSize));
        ClientTransfer transfer = withOptions(content, requested);
        assertThat(transfer.onOptionAck(new OptionAck(requested))).isEqualTo(new ClientStep.SendAck(0));
        return transfer;
    }

    /** The server's side: DATA payloads as slices of one wrapped buffer, released when done. */
    private static final class Server implements AutoCloseable {
        private final ByteBuf file;
        private final int blockSize;

        Server(byte[] content, int blockSize) {
            this.file = Unpooled.wrappedBuffer(content);
            this.blockSize = blockSize;
        }

        /** Delivers absolute block {@code block} under its 16-bit wire number. */
        ClientStep send(ClientTransfer transfer, long block) {
            int offset = (int) ((block - 1) * blockSize);
            return transfer.onData((int) (block & 0xFFFF), file.slice(offset, length(block)));
        }

        int length(long block) {
            long offset = (block - 1) * blockSize;
            return (int) Math.max(0, Math.min(blockSize, file.readableBytes() - offset));
        }

        @Override
        public void close() {
            file.release();
        }
    }
}

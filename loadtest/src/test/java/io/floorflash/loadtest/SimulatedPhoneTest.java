package io.floorflash.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.protocol.Ack;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One phone alone in an {@link EmbeddedChannel} (it reads and writes datagrams itself) with frozen time: datagrams in, datagrams
 * out, timers fired by advancing the channel's ticker.
 */
class SimulatedPhoneTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final InetSocketAddress SERVER = new InetSocketAddress(LOOPBACK, 6969);
    private static final InetSocketAddress TID = new InetSocketAddress(LOOPBACK, 40001);
    private static final InetSocketAddress STRANGER = new InetSocketAddress(LOOPBACK, 40002);
    private static final InetSocketAddress PHONE = new InetSocketAddress(LOOPBACK, 50000);
    private static final long TIMEOUT_MILLIS = 1000;
    private static final int RETRIES = 3;

    private final List<PhoneResult> results = new ArrayList<>();
    private final LongAdder bytes = new LongAdder();
    private EmbeddedChannel channel;

    @AfterEach
    void noMessageLeftBehind() {
        if (channel != null) {
            assertThat(channel.finish()).as("no unread messages").isFalse();
        }
    }

    @Test
    void beginWritesTheRequestToTheServerAddress() {
        byte[] content = Fixtures.content(100);
        SimulatedPhone phone = phone(content, Map.of("blksize", "1468", "tsize", "0"), noLoss());

        phone.begin();

        Sent rrq = readSent();
        assertThat(rrq.to).isEqualTo(SERVER);
        assertThat(rrq.packet).isEqualTo(new ReadRequest("snom320.bin", TransferMode.OCTET,
                Map.of("blksize", "1468", "tsize", "0")));
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(results).isEmpty();
    }

    @Test
    void locksOntoThePortOfTheFirstAnswer() {
        byte[] content = Fixtures.content(1000);
        SimulatedPhone phone = phone(content, Map.of(), noLoss());
        phone.begin();
        readSent();

        receiveData(TID, 1, content);

        Sent ack = readSent();
        assertThat(ack.to).as("the ACK goes to the transfer's port, not to port 69").isEqualTo(TID);
        assertThat(ack.packet).isEqualTo(new Ack(1));
    }

    @Test
    void answersAPacketFromAnotherPortWithErrorFiveAndOtherwiseIgnoresIt() {
        byte[] content = Fixtures.content(1500);
        SimulatedPhone phone = phone(content, Map.of(), noLoss());
        phone.begin();
        readSent();
        receiveData(TID, 1, content);
        readSent();

        receiveData(STRANGER, 2, content);

        Sent error = readSent();
        assertThat(error.to).isEqualTo(STRANGER);
        assertThat(error.packet).isInstanceOfSatisfying(ErrorPacket.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_TRANSFER_ID));
        assertThat(channel.<Object>readOutbound()).as("no ACK for the stranger's block").isNull();
        assertThat(bytes.sum()).as("the stranger's block was not taken").isEqualTo(512);
        assertThat(channel.isOpen()).isTrue();

        receiveData(TID, 2, content);
        assertThat(readSent().packet).isEqualTo(new Ack(2));
        assertThat(bytes.sum()).isEqualTo(1024);
        assertThat(results).isEmpty();
    }

    @Test
    void resendsTheRequestAfterTheClientTimeoutWhileNothingAnswers() {
        SimulatedPhone phone = phone(Fixtures.content(100), Map.of(), noLoss());
        phone.begin();
        readSent();

        advance(TIMEOUT_MILLIS - 1);
        assertThat(channel.<Object>readOutbound()).isNull();
        advance(1);

        Sent again = readSent();
        assertThat(again.to).isEqualTo(SERVER);
        assertThat(again.packet).isInstanceOf(ReadRequest.class);
    }

    @Test
    void repeatsALostAckAfterTheClientTimeout() {
        byte[] content = Fixtures.content(2000);
        SimulatedPhone phone = phone(content, Map.of(), noLoss());
        phone.begin();
        readSent();
        receiveData(TID, 1, content);
        assertThat(readSent().packet).as("this ACK is lost on the way").isEqualTo(new Ack(1));

        advance(TIMEOUT_MILLIS - 1);
        assertThat(channel.<Object>readOutbound()).isNull();
        advance(1);

        Sent again = readSent();
        assertThat(again.to).isEqualTo(TID);
        assertThat(again.packet).isEqualTo(new Ack(1));
    }

    @Test
    void countsTheTimeoutFromTheLastPacketReceived() {
        byte[] content = Fixtures.content(2000);
        SimulatedPhone phone = phone(content, Map.of(), noLoss());
        phone.begin();
        readSent();
        receiveData(TID, 1, content);
        readSent();
        advance(TIMEOUT_MILLIS / 2);
        receiveData(TID, 2, content);
        readSent();

        advance(TIMEOUT_MILLIS / 2);
        assertThat(channel.<Object>readOutbound()).as("only half a timeout since block 2").isNull();
        advance(TIMEOUT_MILLIS / 2);

        assertThat(readSent().packet).isEqualTo(new Ack(2));
    }

    @Test
    void reportsOkThenDalliesReAcknowledgingTheLastBlockAndClosesAfterOneTimeout() {
        byte[] content = Fixtures.content(700);
        SimulatedPhone phone = phone(content, Map.of(), noLoss());
        phone.begin();
        readSent();
        advance(30);
        receiveData(TID, 1, content);
        readSent();
        advance(20);

        receiveData(TID, 2, content);

        assertThat(readSent().packet).isEqualTo(new Ack(2));
        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.ok()).isTrue();
            assertThat(result.mismatch()).isFalse();
            assertThat(result.error()).isEmpty();
            assertThat(result.bytes()).isEqualTo(700);
            assertThat(result.firstDataNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
            assertThat(result.durationNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
            assertThat(result.dataPackets()).isEqualTo(2);
            assertThat(result.acksSent()).isEqualTo(2);
        });
        assertThat(bytes.sum()).isEqualTo(700);

        // The last ACK was lost: the server repeats block 2 while the phone dallies.
        advance(TIMEOUT_MILLIS / 2);
        receiveData(TID, 2, content);
        Sent again = readSent();
        assertThat(again.to).isEqualTo(TID);
        assertThat(again.packet).isEqualTo(new Ack(2));
        assertThat(channel.isOpen()).isTrue();

        advance(TIMEOUT_MILLIS / 2);
        assertThat(channel.isOpen()).as("closed one timeout after the last ACK").isFalse();
        assertThat(results).hasSize(1);
        assertThat(bytes.sum()).as("the repeated block is not counted twice").isEqualTo(700);
    }

    @Test
    void acknowledgesTheOptionAckAndCompletesWithTheNegotiatedBlockSize() {
        byte[] content = Fixtures.content(3000);
        SimulatedPhone phone = phone(content, Map.of("blksize", "1468", "tsize", "0"), noLoss());
        phone.begin();
        readSent();

        receive(TID, new OptionAck(Fixtures.options("blksize", "1468", "tsize", "3000")));
        assertThat(readSent()).isEqualTo(new Sent(new Ack(0), TID));
        receiveData(TID, 1, content, 1468);
        receiveData(TID, 2, content, 1468);
        receiveData(TID, 3, content, 1468);

        assertThat(readSent().packet).isEqualTo(new Ack(1));
        assertThat(readSent().packet).isEqualTo(new Ack(2));
        assertThat(readSent().packet).isEqualTo(new Ack(3));
        assertThat(results).singleElement().satisfies(result -> assertThat(result.ok()).isTrue());
        advance(TIMEOUT_MILLIS);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void sendsAnErrorAndClosesWhenTheContentDiffers() {
        byte[] content = Fixtures.content(1000);
        byte[] corrupt = content.clone();
        corrupt[10] ^= 0x01;
        SimulatedPhone phone = phone(content, Map.of(), noLoss());
        phone.begin();
        readSent();

        receiveData(TID, 1, corrupt);

        Sent error = readSent();
        assertThat(error.to).isEqualTo(TID);
        assertThat(error.packet).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED, "content differs in block 1"));
        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.ok()).isFalse();
            assertThat(result.mismatch()).isTrue();
        });
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void closesWithoutAnsweringAServerError() {
        SimulatedPhone phone = phone(Fixtures.content(1000), Map.of(), noLoss());
        phone.begin();
        readSent();

        receive(TID, new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "snom320.bin"));

        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.ok()).isFalse();
            assertThat(result.error()).isEqualTo("server error 1: snom320.bin");
            assertThat(result.firstDataNanos()).as("an ERROR is no data").isEqualTo(-1);
        });
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void givesUpAfterTheRetryCapAndCloses() {
        SimulatedPhone phone = phone(Fixtures.content(100), Map.of(), noLoss());
        phone.begin();
        readSent();

        for (int i = 0; i < RETRIES; i++) {
            advance(TIMEOUT_MILLIS);
            assertThat(readSent().packet).isInstanceOf(ReadRequest.class);
        }
        advance(TIMEOUT_MILLIS);

        assertThat(channel.<Object>readOutbound()).as("no ERROR to a server that never answered").isNull();
        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.ok()).isFalse();
            assertThat(result.error()).isEqualTo("timed out after 3 retries at block 1");
            assertThat(result.timeouts()).isEqualTo(RETRIES + 1);
            assertThat(result.durationNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos((RETRIES + 1) * TIMEOUT_MILLIS));
        });
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void reportsOnceWhenStoppedFromOutside() {
        SimulatedPhone phone = phone(Fixtures.content(100), Map.of(), noLoss());
        phone.begin();
        readSent();

        assertThat(phone.stopOnItsLoop("run duration cap of 1 s reached")).isTrue();
        channel.runPendingTasks();

        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.ok()).isFalse();
            assertThat(result.error()).isEqualTo("run duration cap of 1 s reached");
        });
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void dropsWhatTheSeededLossModelSays() {
        long seed = 7;
        double loss = 0.3;
        int blocks = 40;
        byte[] content = Fixtures.content((blocks - 1) * 512 + 100);
        SimulatedPhone phone = phone(content, Map.of(), new LossModel(loss, loss, seed));
        LossModel twin = new LossModel(loss, loss, seed);

        phone.begin();
        expectSentUnless(twin.dropSent(), SERVER, new ReadRequest("snom320.bin", TransferMode.OCTET));
        for (int block = 1; block <= blocks; block++) {
            // The server repeats each block until it gets through; whether the ACK gets back is not its concern here.
            boolean through = false;
            for (int attempt = 0; attempt < 20 && !through; attempt++) {
                receiveData(TID, block, content);
                if (twin.dropReceived()) {
                    assertThat(channel.<Object>readOutbound()).as("block %d dropped on arrival", block).isNull();
                } else {
                    expectSentUnless(twin.dropSent(), TID, new Ack(block));
                    through = true;
                }
            }
            assertThat(through).isTrue();
        }

        assertThat(twin.droppedReceived()).as("the seed exercises both directions").isPositive();
        assertThat(twin.droppedSent()).isPositive();
        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.ok()).isTrue();
            assertThat(result.droppedReceived()).isEqualTo(twin.droppedReceived());
            assertThat(result.droppedSent()).isEqualTo(twin.droppedSent());
            assertThat(result.dataPackets()).isEqualTo(blocks);
        });
        advance(TIMEOUT_MILLIS);
        assertThat(channel.isOpen()).isFalse();
    }

    private SimulatedPhone phone(byte[] content, Map<String, String> options, LossModel loss) {
        ReadRequest request = new ReadRequest("snom320.bin", TransferMode.OCTET, options);
        ClientTransfer transfer = new ClientTransfer(request.options(), ExpectedContent.ofBytes(content).checker(), RETRIES);
        SimulatedPhone phone = new SimulatedPhone(SERVER, request, transfer, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS),
                loss, bytes, new LoopTimers(TimeUnit.MILLISECONDS.toNanos(1)), results::add);
        channel = EmbeddedChannel.builder().build();
        // Time stands still before the phone's timer wheel starts counting, so whole milliseconds are whole ticks.
        channel.freezeTime();
        channel.pipeline().addLast(phone);
        return phone;
    }

    private static LossModel noLoss() {
        return new LossModel(0, 0, 1);
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private void receiveData(InetSocketAddress from, int block, byte[] content) {
        receiveData(from, block, content, 512);
    }

    private void receiveData(InetSocketAddress from, int block, byte[] content, int blockSize) {
        int offset = (block - 1) * blockSize;
        int length = Math.max(0, Math.min(blockSize, content.length - offset));
        ByteBuf datagram = Unpooled.buffer(4 + length);
        TftpPacketCodec.encodeDataHeader(block, datagram);
        datagram.writeBytes(content, offset, length);
        channel.writeInbound(new DatagramPacket(datagram, PHONE, from));
    }

    private void receive(InetSocketAddress from, TftpPacket packet) {
        ByteBuf datagram = Unpooled.buffer();
        TftpPacketCodec.encode(packet, datagram);
        channel.writeInbound(new DatagramPacket(datagram, PHONE, from));
    }

    private void expectSentUnless(boolean dropped, InetSocketAddress to, TftpPacket packet) {
        if (dropped) {
            assertThat(channel.<Object>readOutbound()).as("%s dropped on sending", packet).isNull();
        } else {
            assertThat(readSent()).isEqualTo(new Sent(packet, to));
        }
    }

    /** Reads, decodes and releases the next outbound datagram. */
    private Sent readSent() {
        DatagramPacket datagram = channel.readOutbound();
        assertThat(datagram).as("a datagram was sent").isNotNull();
        try {
            return new Sent(TftpPacketCodec.decode(datagram.content()), datagram.recipient());
        } finally {
            datagram.release();
        }
    }

    /** A datagram the phone sent, decoded (the phone never sends DATA, so nothing here holds a buffer). */
    private record Sent(TftpPacket packet, InetSocketAddress to) {
    }
}

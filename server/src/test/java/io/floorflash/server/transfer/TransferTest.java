package io.floorflash.server.transfer;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.RetransmitSettings;
import io.floorflash.protocol.Ack;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.TransferOptions;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.server.TestSettings;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.firmware.TestImages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One {@link Transfer} on a {@link TransferPort} in an embedded channel: the RFC's timing and the bytes on the wire,
 * on a mock clock. The port's timer wheel ticks every {@link TransferPort#TICK_NANOS}, aligned to whole ticks, so a
 * wait of whole milliseconds (even ones) fires exactly when it is due.
 */
// A broken timer can spin in runScheduledPendingTasks (a zero delay re-armed forever): fail instead of hanging.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransferTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.7", 41000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.1", 50000);
    private static final TransferId ID = new TransferId(CLIENT, "snom320.bin");
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** 1 s, doubling, at most 4 s, no jitter so every time is exact, 3 retries. */
    private static final RetransmitPolicy POLICY = new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 3);
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private final MockTicker ticker = Ticker.newMockTicker();
    private final List<TransferSummary> summaries = new ArrayList<>();
    private EmbeddedChannel channel;
    private TransferPort port;
    private Transfer handler;
    private FirmwareImage image;
    private byte[] content;
    private int blockSize;
    private ReadTransfer transfer;
    private SegmentOffload offload = SegmentOffload.OFF;
    /** The port's floor under adaptive waits, in its rounds: off, so the RFC 6298 timings stand alone. */
    private double portRounds = 0;

    @AfterEach
    void releaseWhatIsLeft() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    /** A transfer started on its port, on the mock clock: its first packet is written and flushed. */
    private void start(byte[] bytes, TransferOptions options, RetransmitPolicy policy, long deadlineNanos) {
        start(bytes, options, Rollover.TO_ZERO, policy, deadlineNanos);
    }

    /**
     * The same with a rollover. The channel allocates without leak tracking: the rollover tests build 65,000
     * datagrams, which the paranoid leak detector would record one stack trace each.
     */
    private void start(byte[] bytes, TransferOptions options, Rollover rollover, RetransmitPolicy policy, long deadlineNanos) {
        start(bytes, options, rollover, policy, policy.maxRetries(), deadlineNanos);
    }

    private void start(byte[] bytes, TransferOptions options, Rollover rollover, RetransmitPolicy policy,
                       int maxUnverifiedRetries, long deadlineNanos) {
        content = bytes;
        blockSize = options.blockSize();
        image = TestImages.of(ID.file(), bytes);
        transfer = new ReadTransfer(image.size(), options, rollover, policy.maxRetries(), maxUnverifiedRetries);
        handler = new Transfer(ID, image, transfer, policy, deadlineNanos, summaries::add);
        port = new TransferPort(offload, false, 100, portRounds);
        channel = EmbeddedChannel.builder().ticker(ticker).handlers(port).build();
        channel.config().setAllocator(new UnpooledByteBufAllocator(true, true));
        port.start(handler);
        channel.runPendingTasks();
    }

    /** The next datagram written, to the client, decoded. */
    private TftpPacket readPacket() {
        Object next = channel.readOutbound();
        assertThat(next).as("a packet sent").isNotNull();
        assertThat(next).isInstanceOf(DatagramPacket.class);
        DatagramPacket datagram = (DatagramPacket) next;
        try {
            assertThat(datagram.recipient()).isEqualTo(CLIENT);
            return TftpPacketCodec.decode(datagram.content());
        } finally {
            datagram.release();
        }
    }

    private void advanceMillis(long millis) {
        ticker.advance(millis, MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private void receive(TftpPacket packet) {
        ByteBuf encoded = Unpooled.buffer();
        TftpPacketCodec.encode(packet, encoded);
        ReferenceCountUtil.release(packet);
        receive(encoded, CLIENT);
    }

    private void receive(ByteBuf datagram, InetSocketAddress from) {
        assertThat(channel.writeInbound(new DatagramPacket(datagram, LOCAL, from))).as("the port passes nothing on").isFalse();
        assertThat(datagram.refCnt()).as("the datagram was released").isZero();
    }

    private void ack(int block) {
        receive(new Ack(block));
    }

    /** Reads the next packet, which must be DATA numbered {@code wire} carrying the image's block {@code index}. */
    private void expectData(int wire, long index) {
        checkData(readPacket(), wire, index);
    }

    /** {@code packet} must be DATA numbered {@code wire} carrying the image's block {@code index}; released here. */
    private void checkData(TftpPacket packet, int wire, long index) {
        try {
            assertThat(packet).as("DATA %d (block %d) sent", wire, index).isInstanceOf(Data.class);
            Data data = (Data) packet;
            int offset = (int) ((index - 1) * blockSize);
            int length = Math.min(blockSize, content.length - offset);
            if (data.block() != wire) {
                throw new AssertionError("block " + index + " went out as DATA " + data.block() + ", expected " + wire);
            }
            byte[] payload = ByteBufUtil.getBytes(data.content());
            if (!Arrays.equals(payload, 0, payload.length, content, offset, offset + length)) {
                throw new AssertionError("DATA " + wire + " carries the wrong " + payload.length + " bytes (expected "
                        + length + " from offset " + offset + ")");
            }
        } finally {
            ReferenceCountUtil.release(packet);
        }
    }

    private void expectData(long index) {
        expectData((int) (index & 0xFFFF), index);
    }

    /**
     * Reads the next send, which must be one UDP GSO send to the client of the DATA datagrams of absolute blocks
     * {@code first} to {@code last}, each a full segment but the last.
     */
    private void expectSegmented(long first, long last) {
        Object next = channel.readOutbound();
        assertThat(next).as("one segmented send of blocks %d-%d", first, last).isInstanceOf(SegmentedDatagramPacket.class);
        SegmentedDatagramPacket packet = (SegmentedDatagramPacket) next;
        try {
            assertThat(packet.segmentSize()).isEqualTo(4 + blockSize);
            assertThat(packet.recipient()).isEqualTo(CLIENT);
            ByteBuf datagrams = packet.content();
            for (long index = first; index <= last; index++) {
                assertThat(datagrams.isReadable()).as("block %d in the send", index).isTrue();
                ByteBuf datagram = datagrams.readSlice(Math.min(4 + blockSize, datagrams.readableBytes()));
                checkData(TftpPacketCodec.decode(datagram), (int) (index & 0xFFFF), index);
            }
            assertThat(datagrams.readableBytes()).as("bytes after block %d", last).isZero();
        } finally {
            packet.release();
        }
    }

    /** Reads the next packet, which must not be DATA. */
    private TftpPacket expectPacket() {
        TftpPacket packet = readPacket();
        if (packet instanceof Data) {
            ReferenceCountUtil.release(packet);
            throw new AssertionError("unexpected " + packet);
        }
        return packet;
    }

    private void expectNothingSent() {
        Object next = channel.readOutbound();
        try {
            assertThat(next).as("nothing sent").isNull();
        } finally {
            ReferenceCountUtil.release(next);
        }
    }

    private TransferSummary onlySummary() {
        assertThat(summaries).hasSize(1);
        return summaries.get(0);
    }

    @Test
    void beginSendsDataOneWithTheFirstBytes() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, POLICY, HOUR);

        expectData(1);
        expectNothingSent();
        assertThat(summaries).isEmpty();
        assertThat(port.size()).as("the transfer runs").isOne();
    }

    @Test
    void sendsTheOptionAckFirstAndTheDataAfterAckZero() {
        start(TestImages.pattern(3000), new TransferOptions(1024, 1, 0, Map.of("blksize", "1024")), POLICY, HOUR);

        assertThat(expectPacket()).isEqualTo(new OptionAck(Map.of("blksize", "1024")));
        expectNothingSent();
        ack(0);
        expectData(1);
        ack(1);
        expectData(2);
        ack(2);
        expectData(3);
        ack(3);
        expectNothingSent();
        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void resendsNothingBeforeTheTimeout() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);

        advanceMillis(999);

        expectNothingSent();
    }

    @Test
    void resendsExactlyOnceWhenTheTimeoutExpires() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);

        advanceMillis(1000);

        expectData(1);
        expectNothingSent();
        assertThat(port.size()).as("the transfer runs").isOne();
    }

    @Test
    void doublesTheWaitAfterEachRetransmissionUpToTheMaximum() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 10), HOUR);
        expectData(1);

        for (long wait : new long[] {1000, 2000, 4000, 4000, 4000}) {
            advanceMillis(wait - 1);
            expectNothingSent();
            advanceMillis(1);
            expectData(1);
            expectNothingSent();
        }
    }

    @Test
    void progressStartsTheWaitAgainFromTheInitialTimeout() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        advanceMillis(1000);
        expectData(1);
        advanceMillis(2000);
        expectData(1);

        ack(1);
        expectData(2);
        advanceMillis(999);
        expectNothingSent();
        advanceMillis(1);
        expectData(2);
    }

    @Test
    void resendsNothingOnADuplicateAckEvenAsTimePasses() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        advanceMillis(500);
        ack(1);
        expectData(2);

        ack(1);
        expectNothingSent();
        advanceMillis(500);
        ack(1);
        expectNothingSent();
        advanceMillis(499);
        expectNothingSent();

        // DATA 2 went out at 0.5 s: its timeout is 1.5 s, not the 1 s the first timer was set for.
        advanceMillis(1);
        expectData(2);
        expectNothingSent();
        assertThat(transfer.retransmittedPackets()).isEqualTo(1);
    }

    @Test
    void givesUpAfterTheLastRetryWithOneErrorAndCloses() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        ack(1);
        expectData(2);
        for (long wait : new long[] {1000, 2000, 4000}) {
            advanceMillis(wait);
            expectData(2);
        }

        advanceMillis(3999);
        expectNothingSent();
        assertThat(port.size()).as("the transfer runs").isOne();
        advanceMillis(1);

        String message = "Timed out: no acknowledgement after 4 tries";
        assertThat(expectPacket()).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED, message));
        expectNothingSent();
        assertThat(port.size()).as("the transfer left its port").isZero();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.TIMED_OUT, 512, 1300,
                TimeUnit.SECONDS.toNanos(11), 512, 1, 3, message, image.sha256(), image.name()));

        advanceMillis(60_000);
        expectNothingSent();
        assertThat(summaries).hasSize(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aSilentClientGetsItsFirstDataFiveTimesAndNoErrorThenItsSlotIsFree() {
        RetransmitPolicy policy = new RetransmitPolicy(SECOND, 2.0, 5 * SECOND, 0.0, 11);
        start(TestImages.pattern(1300), TransferOptions.RFC1350, Rollover.TO_ZERO, policy, 4, HOUR);
        expectData(1);
        for (long wait : new long[] {1000, 2000, 4000, 5000}) {
            advanceMillis(wait);
            expectData(1);
        }

        advanceMillis(4999);
        expectNothingSent();
        assertThat(port.size()).as("the transfer runs").isOne();
        advanceMillis(1);

        expectNothingSent();
        assertThat(port.size()).as("the transfer left its port").isZero();
        String reason = "no answer to the first packet after 5 tries (no ERROR to a client that never acknowledged)";
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.TIMED_OUT, 0, 1300,
                TimeUnit.SECONDS.toNanos(17), 512, 1, 4, reason, image.sha256(), image.name()));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void endsASlowButProgressingTransferAtTheDeadline() {
        start(TestImages.pattern(20 * 512), TransferOptions.RFC1350, POLICY, TimeUnit.SECONDS.toNanos(5));
        expectData(1);

        // One ACK every 0.9 s: each just before its timeout, so nothing is ever resent.
        for (int block = 1; block <= 5; block++) {
            advanceMillis(900);
            expectNothingSent();
            ack(block);
            expectData(block + 1);
        }
        advanceMillis(499);
        expectNothingSent();
        advanceMillis(1);

        String message = "Transfer deadline of 5 s exceeded";
        assertThat(expectPacket()).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED, message));
        expectNothingSent();
        assertThat(port.size()).as("the transfer left its port").isZero();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.DEADLINE, 5 * 512, 20 * 512,
                5 * SECOND, 512, 1, 0, message, image.sha256(), image.name()));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void endsAtTheDeadlineEvenInTheMiddleOfARetransmissionWait() {
        // Sends at 0, 1 s and 3 s; the next would be at 7 s, two seconds past the 5 s deadline.
        start(TestImages.pattern(1300), TransferOptions.RFC1350, new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 10),
                TimeUnit.SECONDS.toNanos(5));
        expectData(1);
        advanceMillis(1000);
        expectData(1);
        advanceMillis(2000);
        expectData(1);

        advanceMillis(1999);
        expectNothingSent();
        assertThat(port.size()).as("the transfer runs").isOne();
        advanceMillis(1);

        String message = "Transfer deadline of 5 s exceeded";
        assertThat(expectPacket()).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED, message));
        expectNothingSent();
        assertThat(port.size()).as("the transfer left its port").isZero();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.DEADLINE, 0, 1300,
                5 * SECOND, 512, 1, 2, message, image.sha256(), image.name()));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void endsAtADeadlineShorterThanTheFirstRetransmissionWait() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, new RetransmitPolicy(4 * SECOND, 2.0, 4 * SECOND, 0.0, 3),
                2 * SECOND);
        expectData(1);

        advanceMillis(1999);
        expectNothingSent();
        advanceMillis(1);

        assertThat(expectPacket()).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED, "Transfer deadline of 2 s exceeded"));
        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.DEADLINE);
        assertThat(onlySummary().durationNanos()).isEqualTo(2 * SECOND);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void givesUpAfterOneTryWhenNoRetriesAreAllowed() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 0), HOUR);
        expectData(1);
        ack(1);
        expectData(2);

        advanceMillis(1000);

        String message = "Timed out: no acknowledgement after 1 try";
        assertThat(expectPacket()).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED, message));
        expectNothingSent();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.TIMED_OUT, 512, 1300, SECOND, 512, 1, 0, message, image.sha256(), image.name()));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void givesUpAfterTwoTriesWhenOneRetryIsAllowed() {
        start(TestImages.pattern(1300), TransferOptions.RFC1350, new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 1), HOUR);
        expectData(1);
        ack(1);
        expectData(2);
        advanceMillis(1000);
        expectData(2);

        advanceMillis(2000);

        String message = "Timed out: no acknowledgement after 2 tries";
        assertThat(expectPacket()).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED, message));
        expectNothingSent();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.TIMED_OUT, 512, 1300, 3 * SECOND, 512, 1, 1, message, image.sha256(), image.name()));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void reportsACompletedTransferWithItsBytesAndCloses() {
        start(TestImages.pattern(1000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        advanceMillis(100);
        ack(1);
        expectData(2);
        advanceMillis(150);
        ack(2);

        expectNothingSent();
        assertThat(port.size()).as("the transfer left its port").isZero();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.COMPLETED, 1000, 1000,
                MILLISECONDS.toNanos(250), 512, 1, 0, "", image.sha256(), image.name()));
        advanceMillis(10_000);
        expectNothingSent();
        assertThat(channel.finish()).isFalse();
        assertThat(summaries).hasSize(1);
    }

    @Test
    void sendsAnEmptyFileAsOneEmptyBlock() {
        start(new byte[0], TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        expectNothingSent();

        ack(1);

        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(onlySummary().bytes()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void endsAnEmptyFileThatIpxeAcknowledgesWithAckZeroAfterOneMoreDataOneAndNoError() {
        start(new byte[0], new TransferOptions(1432, 1, 0, Map.of("blksize", "1432", "tsize", "0")), POLICY, HOUR);
        assertThat(expectPacket()).isEqualTo(new OptionAck(Map.of("blksize", "1432", "tsize", "0")));
        ack(0);
        expectData(1);
        advanceMillis(5);

        ack(0);

        expectNothingSent();
        advanceMillis(994);
        expectNothingSent();
        advanceMillis(1);
        expectData(1);
        expectNothingSent();
        assertThat(summaries).as("still waiting for an ACK 1").isEmpty();
        advanceMillis(1999);
        expectNothingSent();
        assertThat(summaries).isEmpty();
        advanceMillis(1);
        expectNothingSent();
        assertThat(port.size()).as("the transfer left its port").isZero();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.COMPLETED, 0, 0, 3 * SECOND, 1432, 1, 1,
                "", image.sha256(), image.name()));
        advanceMillis(60_000);
        expectNothingSent();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void endsAMultipleOfTheBlockSizeWithAnEmptyBlock() {
        start(TestImages.pattern(1024), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        ack(1);
        expectData(2);
        ack(2);
        expectData(3);
        expectNothingSent();
        ack(3);

        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(onlySummary().bytes()).isEqualTo(1024);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void endsQuietlyWhenTheClientSendsAnError() {
        start(TestImages.pattern(3000), new TransferOptions(512, 1, 0, Map.of("tsize", "3000")), POLICY, HOUR);
        assertThat(expectPacket()).isEqualTo(new OptionAck(Map.of("tsize", "3000")));
        advanceMillis(300);

        receive(new ErrorPacket(ErrorCode.OPTION_REFUSED, "tsize probe"));

        expectNothingSent();
        assertThat(port.size()).as("the transfer left its port").isZero();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.CLIENT_ERROR, 0, 3000,
                MILLISECONDS.toNanos(300), 512, 1, 0, "client error 8: tsize probe", image.sha256(), image.name()));
        advanceMillis(10_000);
        expectNothingSent();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void waitsTheNegotiatedTimeoutBeforeTheFirstResend() {
        RetransmitSettings settings = TestSettings.fixedWaits(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.0, 6);
        start(TestImages.pattern(3000), new TransferOptions(512, 1, 3, Map.of("timeout", "3")),
                RetransmitPolicy.of(settings, 3), HOUR);
        OptionAck oack = new OptionAck(Map.of("timeout", "3"));
        assertThat(expectPacket()).isEqualTo(oack);

        advanceMillis(2999);
        expectNothingSent();
        advanceMillis(1);
        assertThat(expectPacket()).isEqualTo(oack);
        expectNothingSent();

        // Then 6 s, lowered to the configured 5 s bound.
        advanceMillis(4999);
        expectNothingSent();
        advanceMillis(1);
        assertThat(expectPacket()).isEqualTo(oack);
        expectNothingSent();
    }

    @Test
    void answersADatagramFromAnotherPortWithErrorFiveAndLeavesTheTransferAlone() {
        start(TestImages.pattern(3000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        InetSocketAddress stranger = new InetSocketAddress("10.0.0.7", 41001);

        receive(Unpooled.wrappedBuffer(new byte[] {0, 4, 0, 1}), stranger);

        DatagramPacket answer = channel.readOutbound();
        try {
            assertThat(answer.recipient()).isEqualTo(stranger);
            assertThat(TftpPacketCodec.decode(answer.content()))
                    .isEqualTo(new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID, "Unknown transfer ID"));
        } finally {
            answer.release();
        }
        expectNothingSent();
        assertThat(summaries).isEmpty();
        ack(1);
        expectData(2);
    }

    @Test
    void neverAnswersAnErrorFromAnotherPortAndLimitsHowManyErrorFivesGoOut() {
        start(TestImages.pattern(3000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        receive(Unpooled.wrappedBuffer(new byte[] {0, 5, 0, 5, 'x', 0}), new InetSocketAddress("10.0.0.9", 7));
        expectNothingSent();

        for (int i = 0; i < 250; i++) {
            receive(Unpooled.wrappedBuffer(new byte[] {0, 4, 0, 1}), new InetSocketAddress("10.0.0.9", 1000 + i));
        }
        assertThat(countSent()).as("one second's allowance").isEqualTo(100);
        assertThat(port.unknownRepliesDropped()).isEqualTo(150);

        ticker.advance(500, MILLISECONDS);
        for (int i = 0; i < 250; i++) {
            receive(Unpooled.wrappedBuffer(new byte[] {0, 4, 0, 1}), new InetSocketAddress("10.0.0.9", 2000 + i));
        }
        assertThat(countSent()).as("refilled for half a second").isEqualTo(50);
        ack(1);
        expectData(2);
    }

    private int countSent() {
        int sent = 0;
        for (Object next; (next = channel.readOutbound()) != null; sent++) {
            ReferenceCountUtil.release(next);
        }
        return sent;
    }

    @Test
    void aNewRequestFromTheSameClientPortEndsItsRunningTransferQuietly() {
        start(TestImages.pattern(3000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        Transfer second = new Transfer(new TransferId(CLIENT, "snom820.bin"), TestImages.of("snom820.bin", new byte[] {7}),
                new ReadTransfer(1, TransferOptions.RFC1350, Rollover.TO_ZERO, 3), POLICY, HOUR, summaries::add);

        port.start(second);
        channel.runPendingTasks();

        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.CANCELLED);
        assertThat(onlySummary().detail()).startsWith("superseded");
        assertThat(port.windowsInFlight()).as("the superseded transfer's window is off the port").isOne();
        Data data = (Data) readPacket();
        assertThat(ByteBufUtil.getBytes(data.content())).containsExactly(7);
        data.release();
        expectNothingSent();
        ack(1);
        assertThat(summaries).hasSize(2);
        assertThat(summaries.get(1).id().file()).isEqualTo("snom820.bin");
        assertThat(summaries.get(1).outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(port.size()).isZero();
        assertThat(port.windowsInFlight()).isZero();
    }

    @Test
    void theWheelTicksOncePerTickHoweverManyTimersFireAndRearm() {
        // Retransmissions every 2 ms for both transfers: each tick fires timers that re-arm themselves.
        RetransmitPolicy fast = new RetransmitPolicy(MILLISECONDS.toNanos(2), 1.0, MILLISECONDS.toNanos(2), 0.0, 1000);
        start(TestImages.pattern(3000), TransferOptions.RFC1350, fast, HOUR);
        port.start(new Transfer(new TransferId(new InetSocketAddress("10.0.0.8", 41000), ID.file()), image,
                new ReadTransfer(image.size(), TransferOptions.RFC1350, Rollover.TO_ZERO, 1000), fast, HOUR, summaries::add));
        channel.runPendingTasks();
        long before = port.ticks();

        for (int i = 0; i < 100; i++) {
            advanceMillis(2);
        }

        assertThat(port.ticks() - before).isEqualTo(100);
        assertThat(countSent()).as("both transfers resent at every tick, and their first DATA").isEqualTo(2 + 200);
    }

    @Test
    void waitsAtLeastTwoOfABusyPortsRoundsBeforeResendingThoughItsOwnEstimateIsShorter() {
        // Adaptive down to 1 ms, no jitter, windows of 64 (a busy port). ACKs every 10 ms: the transfer's own RFC 6298
        // timeout settles near 10 ms, but the port sends about 64 datagrams per 10 ms for 64 in flight, so its round
        // is about 10 ms and the floor about 20 ms.
        RetransmitPolicy adaptive = new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 3, MILLISECONDS.toNanos(1));
        portRounds = 2;
        TransferOptions windows = new TransferOptions(8, TransferPort.BUSY_WINDOWS, 0, Map.of("blksize", "8",
                "windowsize", String.valueOf(TransferPort.BUSY_WINDOWS)));
        start(TestImages.pattern(8 * 64 * 100), windows, adaptive, HOUR);
        expectPacket();
        advanceMillis(10);
        ack(0);
        countSent();
        for (int window = 1; window <= 40; window++) {
            advanceMillis(10);
            ack(window * 64);
            assertThat(countSent()).isEqualTo(64);
        }
        assertThat(port.retransmitFloorNanos()).isBetween(MILLISECONDS.toNanos(15), MILLISECONDS.toNanos(25));

        advanceMillis(14);
        expectNothingSent();
        advanceMillis(12);
        assertThat(countSent()).as("the window resent").isEqualTo(64);
    }

    @Test
    void aPortWithFewWindowsInFlightLeavesTheTransfersOwnEstimateAlone() {
        RetransmitPolicy adaptive = new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 3, MILLISECONDS.toNanos(1));
        portRounds = 2;
        start(TestImages.pattern(512 * 100), TransferOptions.RFC1350, adaptive, HOUR);
        expectData(1);
        for (int block = 1; block <= 40; block++) {
            advanceMillis(10);
            ack(block);
            expectData(block + 1);
        }

        assertThat(port.retransmitFloorNanos()).isZero();
        advanceMillis(14);
        expectData(41);
    }

    @Test
    void transfersOfTwoClientsShareThePortEachOnItsOwnBlocks() {
        start(TestImages.pattern(3000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        InetSocketAddress other = new InetSocketAddress("10.0.0.8", 41000);
        port.start(new Transfer(new TransferId(other, ID.file()), image, new ReadTransfer(image.size(), TransferOptions.RFC1350,
                Rollover.TO_ZERO, 3), POLICY, HOUR, summaries::add));
        channel.runPendingTasks();
        DatagramPacket first = channel.readOutbound();
        assertThat(first.recipient()).isEqualTo(other);
        first.release();

        ack(1);
        expectData(2);
        receive(Unpooled.wrappedBuffer(new byte[] {0, 4, 0, 1}), other);
        DatagramPacket second = channel.readOutbound();
        assertThat(second.recipient()).isEqualTo(other);
        assertThat(second.content().getUnsignedShort(2)).as("the other client's block 2").isEqualTo(2);
        second.release();
        assertThat(port.size()).isEqualTo(2);
        expectNothingSent();
    }

    @Test
    void keepsGoingAfterAnotherIoError() {
        start(TestImages.pattern(3000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);

        channel.pipeline().fireExceptionCaught(new IOException("No buffer space available"));

        assertThat(port.size()).as("the transfer runs").isOne();
        assertThat(summaries).isEmpty();
        advanceMillis(1000);
        expectData(1);
    }

    @Test
    void reportsCancelledOnceWhenThePortClosesMidTransfer() {
        start(TestImages.pattern(3000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        ack(1);
        expectData(2);
        advanceMillis(200);

        channel.close();

        expectNothingSent();
        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.CANCELLED, 512, 3000,
                MILLISECONDS.toNanos(200), 512, 1, 0, "transfer port closed", image.sha256(), image.name()));
        advanceMillis(10_000);
        expectNothingSent();
        channel.close();
        assertThat(channel.finish()).isFalse();
        assertThat(summaries).hasSize(1);
    }

    @Test
    void cancelSendsItsErrorOnceAndReportsCancelled() {
        start(TestImages.pattern(3000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        ErrorPacket shutdown = new ErrorPacket(ErrorCode.NOT_DEFINED, "Server shutting down");

        port.cancel(handler, shutdown, shutdown.message());
        port.cancel(handler, shutdown, shutdown.message());
        channel.runPendingTasks();

        assertThat(expectPacket()).isEqualTo(shutdown);
        expectNothingSent();
        assertThat(port.size()).as("the transfer left its port").isZero();
        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.CANCELLED);
        assertThat(onlySummary().detail()).isEqualTo("Server shutting down");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void ignoresMalformedDatagramsAndOtherPacketsOnTheTransferPort() {
        start(TestImages.pattern(3000), TransferOptions.RFC1350, POLICY, HOUR);
        expectData(1);
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});

        assertThat(channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {0, 4, 0}), LOCAL, CLIENT))).isFalse();
        assertThat(channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {0, 9, 0, 1}), LOCAL, CLIENT))).isFalse();
        receive(new ReadRequest(ID.file(), TransferMode.OCTET));
        receive(new Data(1, payload));
        receive(new OptionAck(Map.of("blksize", "1024")));

        expectNothingSent();
        assertThat(payload.refCnt()).as("the DATA was released").isZero();
        assertThat(port.size()).as("the transfer runs").isOne();
        assertThat(summaries).isEmpty();

        // The transfer goes on as if nothing came.
        advanceMillis(1000);
        expectData(1);
        assertThat(channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {0, 4, 0, 1}), LOCAL, CLIENT))).isFalse();
        expectData(2);
    }

    @Test
    void sendsAWindowAndResendsItFromTheLastAckOnTimeout() {
        start(TestImages.pattern(10 * 512 + 7), new TransferOptions(512, 4, 0, Map.of("windowsize", "4")), POLICY, HOUR);
        assertThat(expectPacket()).isEqualTo(new OptionAck(Map.of("windowsize", "4")));
        ack(0);
        for (int block = 1; block <= 4; block++) {
            expectData(block);
        }
        expectNothingSent();

        ack(2);
        for (int block = 3; block <= 6; block++) {
            expectData(block);
        }
        expectNothingSent();
        ack(1);
        expectNothingSent();

        advanceMillis(1000);
        for (int block = 3; block <= 6; block++) {
            expectData(block);
        }
        expectNothingSent();

        ack(6);
        for (int block = 7; block <= 10; block++) {
            expectData(block);
        }
        ack(10);
        expectData(11);
        expectNothingSent();
        ack(11);

        assertThat(onlySummary()).isEqualTo(new TransferSummary(ID, TransferOutcome.COMPLETED, 10 * 512 + 7, 10 * 512 + 7,
                SECOND, 512, 4, 4, "", image.sha256(), image.name()));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void rollsOverToWireBlockZeroWithTheRightBytes() {
        // 8-byte blocks: 65541 of them, the last empty, so the image stays small.
        int size = 65_540 * 8;
        start(TestImages.pattern(size), new TransferOptions(8, 1, 0, Map.of("blksize", "8")), Rollover.TO_ZERO, POLICY, HOUR);
        assertThat(expectPacket()).isEqualTo(new OptionAck(Map.of("blksize", "8")));
        ack(0);

        for (long index = 1; index <= 65_541; index++) {
            expectData(index);
            ack((int) (index & 0xFFFF));
        }

        expectNothingSent();
        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(onlySummary().bytes()).isEqualTo(size);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void rollsOverToWireBlockOneWhenConfigured() {
        int size = 65_536 * 8 + 3;
        start(TestImages.pattern(size), new TransferOptions(8, 1, 0, Map.of("blksize", "8")), Rollover.TO_ONE, POLICY, HOUR);
        assertThat(expectPacket()).isEqualTo(new OptionAck(Map.of("blksize", "8")));
        ack(0);

        for (long index = 1; index <= 65_537; index++) {
            int wire = (int) ((index - 1) % 65_535) + 1;
            expectData(wire, index);
            ack(wire);
        }

        expectNothingSent();
        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(onlySummary().bytes()).isEqualTo(size);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void anAdaptiveTimerResendsAfterTheMeasuredRoundTripNotTheInitialSecond() {
        // Adaptive between 50 ms and 1 s, no jitter: after round trips of 10 ms the first wait is the 50 ms floor.
        RetransmitPolicy adaptive = new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 3, MILLISECONDS.toNanos(50));
        start(TestImages.pattern(512 * 7), TransferOptions.RFC1350, adaptive, HOUR);
        expectData(1);
        for (int block = 1; block <= 3; block++) {
            advanceMillis(10);
            ack(block);
            expectData(block + 1);
        }

        advanceMillis(49);
        expectNothingSent();
        advanceMillis(1);
        expectData(4);
        // Backoff doubles the adaptive wait: 100 ms, and the ACK of a resent block is no sample (Karn's rule).
        advanceMillis(99);
        expectNothingSent();
        advanceMillis(1);
        expectData(4);
        advanceMillis(150);
        ack(4);
        expectData(5);
        // The backed-off wait (two timeouts: 200 ms) is kept for the next block until a sample comes (RFC 6298 5.7).
        advanceMillis(10);
        ack(5);
        expectData(6);
        // Block 5 went out once: its ACK after 10 ms is a sample, and the wait is back at the 50 ms floor.
        advanceMillis(49);
        expectNothingSent();
        advanceMillis(1);
        expectData(6);
    }

    @Test
    void aBackedOffTimerStaysBackedOffForTheNextBlockUntilASample() {
        RetransmitPolicy adaptive = new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 3, MILLISECONDS.toNanos(50));
        start(TestImages.pattern(512 * 5), TransferOptions.RFC1350, adaptive, HOUR);
        expectData(1);
        advanceMillis(10);
        ack(1);
        expectData(2);
        advanceMillis(50);
        expectData(2);
        advanceMillis(20);
        ack(2);
        expectData(3);

        advanceMillis(99);
        expectNothingSent();
        advanceMillis(1);
        expectData(3);
    }

    @Test
    void anAdaptiveTimerWaitsTheInitialTimeoutUntilItHasASampleOfAPacketSentOnce() {
        RetransmitPolicy adaptive = new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 3, MILLISECONDS.toNanos(50));
        start(TestImages.pattern(512 * 3), TransferOptions.RFC1350, adaptive, HOUR);
        expectData(1);

        advanceMillis(999);
        expectNothingSent();
        advanceMillis(1);
        expectData(1);
        // This ACK may answer either copy of block 1: no sample, so block 2 again waits the initial second (an even 6 ms
        // later, so the wait ends on a tick of the wheel).
        advanceMillis(6);
        ack(1);
        expectData(2);
        advanceMillis(999);
        expectNothingSent();
        advanceMillis(1);
        expectData(2);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {10 * 1468 + 7, 12 * 1468})
    void withOffloadEachWindowGoesOutAsOneSegmentedSend(int size) {
        offload = SegmentOffload.of(true);
        start(TestImages.pattern(size), new TransferOptions(1468, 8, 0, Map.of("blksize", "1468", "windowsize", "8")),
                POLICY, HOUR);
        assertThat(expectPacket()).isEqualTo(new OptionAck(Map.of("blksize", "1468", "windowsize", "8")));
        ack(0);
        // 10 full blocks and 7 bytes: 8, then 3 ending short. 12 full blocks: 8, then 4 and an empty 13th (4 bytes).
        long lastBlock = size / 1468 + 1;
        expectSegmented(1, 8);
        expectNothingSent();
        ack(8);
        expectSegmented(9, lastBlock);
        expectNothingSent();
        ack((int) lastBlock);

        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(offload.sends()).isEqualTo(2);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void withOffloadALoneBlockIsAPlainDatagram() {
        offload = SegmentOffload.of(true);
        start(TestImages.pattern(2 * 1468 + 1), new TransferOptions(1468, 1, 0, Map.of("blksize", "1468")), POLICY, HOUR);
        expectPacket();
        ack(0);
        expectData(1);
        ack(1);
        expectData(2);
        ack(2);
        expectData(3);
        ack(3);

        assertThat(offload.sends()).isZero();
        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.COMPLETED);
    }

    @Test
    void withOffloadAWindowLargerThanOneSendIsSplit() {
        offload = SegmentOffload.of(true);
        start(TestImages.pattern(64 * 1468 + 1), new TransferOptions(1468, 64, 0, Map.of("windowsize", "64")), POLICY, HOUR);
        expectPacket();
        ack(0);
        // 65,000 bytes per send at most: 44 datagrams of 1472 bytes, then the other 20.
        expectSegmented(1, 44);
        expectSegmented(45, 64);
        expectNothingSent();
        ack(64);
        expectData(65);
        ack(65);
        assertThat(onlySummary().outcome()).isEqualTo(TransferOutcome.COMPLETED);
    }

    @Test
    void aSegmentedSendTheKernelRefusesTurnsOffloadOffAndTheTimerResendsTheWindowAsSeparateDatagrams() {
        offload = SegmentOffload.of(true);
        start(TestImages.pattern(10 * 512 + 7), new TransferOptions(512, 4, 0, Map.of("windowsize", "4")), POLICY, HOUR);
        // What epoll does where the kernel has no UDP_SEGMENT: the write fails, nothing is sent.
        failSegmentedSends(new UnsupportedOperationException("unsupported message type: SegmentedDatagramPacket"));
        expectPacket();
        ack(0);
        expectNothingSent();
        assertThat(offload.enabled()).isFalse();
        assertThat(offload.sends()).as("a refused send is not counted").isZero();

        expectTheWindowsResentAsSeparateDatagrams();
    }

    @Test
    void segmentsTheKernelRefusesForThisTransferAloneLeaveOffloadOnForTheOthers() {
        Epoll.ensureAvailability(); // Errors.NativeIoException takes its message from the native library
        offload = SegmentOffload.of(true);
        start(TestImages.pattern(10 * 8192 + 7), new TransferOptions(8192, 4, 0, Map.of("blksize", "8192", "windowsize", "4")),
                POLICY, HOUR);
        // EINVAL: what Linux answers a segment larger than the path's MTU (a large blksize on Ethernet).
        failSegmentedSends(new Errors.NativeIoException("sendmmsg", -22));
        expectPacket();
        ack(0);
        expectNothingSent();

        expectTheWindowsResentAsSeparateDatagrams();
        assertThat(offload.enabled()).as("on for the other transfers").isTrue();
    }

    /** Makes every segmented send fail with {@code cause} before the channel, as the epoll transport would. */
    private void failSegmentedSends(Throwable cause) {
        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof SegmentedDatagramPacket) {
                    ReferenceCountUtil.release(msg);
                    promise.setFailure(cause);
                    return;
                }
                ctx.write(msg, promise);
            }
        });
    }

    /** After a refused first window of four: the timer resends it block by block, and the next window goes the same way. */
    private void expectTheWindowsResentAsSeparateDatagrams() {
        advanceMillis(1000);
        expectBlocksThenNothing(1, 4);
        ack(4);
        expectBlocksThenNothing(5, 8);
    }

    /** DATA of blocks {@code first} to {@code last}, each its own datagram, and nothing after them. */
    private void expectBlocksThenNothing(long first, long last) {
        for (long block = first; block <= last; block++) {
            expectData(block);
        }
        expectNothingSent();
    }
}

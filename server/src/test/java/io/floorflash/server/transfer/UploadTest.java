package io.floorflash.server.transfer;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TransferOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One {@link Upload} on a {@link TransferPort} in an embedded channel, on a mock clock, with a sink whose writes
 * complete only when the test says: the bytes on the wire, when ACKs go and when they wait for the disk, and that
 * every end but a stored file discards the temporary file.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UploadTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.7", 41000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.1", 50000);
    private static final TransferId ID = new TransferId(CLIENT, "polycom.log");
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** 1 s, doubling, at most 4 s, no jitter, 3 retries. */
    private static final RetransmitPolicy POLICY = new RetransmitPolicy(SECOND, 2.0, 4 * SECOND, 0.0, 3);
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private static final HexFormat HEX = HexFormat.of();

    private final MockTicker ticker = Ticker.newMockTicker();
    private final List<TransferSummary> summaries = new ArrayList<>();
    private final FakeSink sink = new FakeSink();
    private EmbeddedChannel channel;
    private TransferPort port;
    private Upload upload;

    @AfterEach
    void releaseWhatIsLeft() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void start(TransferOptions options, long maxBytes, long maxBuffered, long deadlineNanos) {
        WriteTransfer transfer = new WriteTransfer(options, Rollover.TO_ZERO, maxBytes, POLICY.maxRetries(), POLICY.maxRetries());
        upload = new Upload(ID, transfer, POLICY, deadlineNanos, sink, -1, maxBuffered, summaries::add);
        port = new TransferPort(SegmentOffload.OFF, false, 100, 0);
        channel = EmbeddedChannel.builder().ticker(ticker).handlers(port).build();
        port.start(upload);
        channel.runPendingTasks();
    }

    private void startLockStep() {
        start(TransferOptions.RFC1350, 1 << 20, 256 * 1024, HOUR);
    }

    /** The next datagram sent to the client, as hex. */
    private String sent() {
        Object next = channel.readOutbound();
        assertThat(next).as("a datagram sent").isInstanceOf(DatagramPacket.class);
        DatagramPacket datagram = (DatagramPacket) next;
        try {
            assertThat(datagram.recipient()).isEqualTo(CLIENT);
            return ByteBufUtil.hexDump(datagram.content());
        } finally {
            datagram.release();
        }
    }

    private void nothingSent() {
        assertThat((Object) channel.readOutbound()).as("nothing sent").isNull();
    }

    private void receive(String hex) {
        ByteBuf datagram = Unpooled.wrappedBuffer(HEX.parseHex(hex.replace(" ", "")));
        assertThat(channel.writeInbound(new DatagramPacket(datagram, LOCAL, CLIENT))).isFalse();
        assertThat(datagram.refCnt()).as("the datagram was released").isZero();
    }

    private void data(int block, byte[] payload) {
        receive(String.format("0003%04x", block) + HEX.formatHex(payload));
    }

    private void advanceMillis(long millis) {
        ticker.advance(millis, MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    /** Lets the sink finish everything asked of it so far, then runs the loop's tasks. */
    private void diskCatchesUp() {
        while (sink.pending() > 0) {
            sink.completeAll();
            channel.runPendingTasks();
        }
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void acknowledgesTheWriteRequestThenEachBlockAndTheLastOnlyOnceStored() {
        startLockStep();
        assertThat(sent()).isEqualTo("00040000");

        byte[] first = bytes(512, 1);
        byte[] last = bytes(3, 2);
        data(1, first);
        assertThat(sent()).isEqualTo("00040001");
        data(2, last);
        nothingSent();
        assertThat(summaries).isEmpty();

        diskCatchesUp();

        assertThat(sent()).isEqualTo("00040002");
        assertThat(sink.written()).isEqualTo(concat(first, last));
        assertThat(sink.committed).isTrue();
        assertThat(sink.discarded).isFalse();
        TransferSummary summary = summaries.get(0);
        assertThat(summary.outcome()).isEqualTo(TransferOutcome.COMPLETED);
        assertThat(summary.direction()).isEqualTo(TransferDirection.WRITE);
        assertThat(summary.bytes()).isEqualTo(515);
        assertThat(summary.sha256()).isEqualTo(FakeSink.DIGEST);
    }

    @Test
    void acknowledgesARepeatedLastBlockWhileItDalliesThenLeavesThePort() {
        startLockStep();
        sent();
        data(1, bytes(10, 0));
        diskCatchesUp();
        assertThat(sent()).isEqualTo("00040001");

        data(1, bytes(10, 0));
        assertThat(sent()).as("the final ACK again").isEqualTo("00040001");
        advanceMillis(Upload.DALLY_NANOS / 1_000_000 + 10);

        assertThat(port.size()).isZero();
        assertThat(summaries).hasSize(1);
    }

    @Test
    void reacknowledgesDuplicateData() {
        startLockStep();
        sent();
        data(1, bytes(512, 1));
        assertThat(sent()).isEqualTo("00040001");

        data(1, bytes(512, 1));

        assertThat(sent()).isEqualTo("00040001");
        diskCatchesUp();
        assertThat(sink.written()).hasSize(512);
    }

    @Test
    void resendsTheLastAckOnTimeoutThenGivesUpWithAnErrorAndDeletesTheTemporaryFile() {
        startLockStep();
        sent();
        data(1, bytes(512, 1));
        sent();

        advanceMillis(1000);
        assertThat(sent()).isEqualTo("00040001");
        advanceMillis(2000);
        assertThat(sent()).isEqualTo("00040001");
        advanceMillis(4000);
        assertThat(sent()).isEqualTo("00040001");
        advanceMillis(4000);

        assertThat(sent()).isEqualTo("00050000" + HEX.formatHex("Timed out: no DATA after 4 tries".getBytes()) + "00");
        assertThat(sink.discarded).isTrue();
        assertThat(summaries.get(0).outcome()).isEqualTo(TransferOutcome.TIMED_OUT);
        assertThat(summaries.get(0).sha256()).isEmpty();
        assertThat(port.size()).isZero();
    }

    @Test
    void holdsTheAckOfAWindowWhileTooMuchWaitsForTheDisk() {
        start(new TransferOptions(1024, 64, 0, Map.of("blksize", "1024", "windowsize", "64")), 1 << 20, 32_768, HOUR);
        assertThat(sent()).as("OACK").startsWith("0006");
        data(1, bytes(1024, 1));
        nothingSent();
        sink.completeAll(); // the first write is done; the rest pile up behind the second
        channel.runPendingTasks();
        for (int block = 2; block <= 64; block++) {
            data(block, bytes(1024, block));
        }

        nothingSent();
        assertThat(sink.pending()).isEqualTo(1);
        advanceMillis(1500);
        nothingSent(); // waiting for the disk is not a timeout
        data(1, bytes(1024, 1));
        nothingSent(); // nor does the client's resent window get past the held ACK

        diskCatchesUp();
        assertThat(sent()).isEqualTo("00040040");
    }

    @Test
    void endsQuietlyOnTheClientsErrorAndDeletesTheTemporaryFile() {
        startLockStep();
        sent();
        data(1, bytes(512, 1));
        sent();

        receive("0005 0000 61626f7274 00");

        nothingSent();
        assertThat(sink.discarded).isTrue();
        assertThat(summaries.get(0).outcome()).isEqualTo(TransferOutcome.CLIENT_ERROR);
    }

    @Test
    void aCancelSendsItsErrorAndDeletesTheTemporaryFile() {
        startLockStep();
        sent();
        data(1, bytes(512, 1));
        sent();

        port.cancel(upload, new io.floorflash.protocol.ErrorPacket(0, "Server shutting down"), "drain");
        channel.runPendingTasks();

        assertThat(sent()).startsWith("00050000");
        assertThat(sink.discarded).isTrue();
        assertThat(summaries.get(0).outcome()).isEqualTo(TransferOutcome.CANCELLED);
    }

    @Test
    void theDeadlineEndsAnUploadAndDeletesItsTemporaryFile() {
        start(TransferOptions.RFC1350, 1 << 20, 256 * 1024, 500 * 1_000_000L);
        sent();
        data(1, bytes(512, 1));
        sent();

        advanceMillis(600);

        assertThat(sent()).isEqualTo("00050000" + HEX.formatHex("Transfer deadline of 0 s exceeded".getBytes()) + "00");
        assertThat(sink.discarded).isTrue();
        assertThat(summaries.get(0).outcome()).isEqualTo(TransferOutcome.DEADLINE);
    }

    @Test
    void endsAnUploadPastTheQuotaWithErrorThree() {
        start(TransferOptions.RFC1350, 600, 256 * 1024, HOUR);
        sent();
        data(1, bytes(512, 1));
        sent();

        data(2, bytes(512, 2));

        assertThat(sent()).startsWith("00050003");
        assertThat(sink.discarded).isTrue();
        assertThat(summaries.get(0).outcome()).isEqualTo(TransferOutcome.QUOTA_EXCEEDED);
    }

    @Test
    void aNameTakenWhileUploadingIsAnswered() {
        startLockStep();
        sent();
        data(1, bytes(5, 1));
        sink.commitFailure = new FileAlreadyExistsException("polycom.log");

        diskCatchesUp();

        assertThat(sent()).isEqualTo("00050006" + HEX.formatHex("File already exists".getBytes()) + "00");
        assertThat(summaries.get(0).outcome()).isEqualTo(TransferOutcome.CANCELLED);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Keeps what is written; completes each write or commit only in {@link #completeAll}. */
    private static final class FakeSink implements UploadSink {
        static final String DIGEST = "ab".repeat(32);
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Queue<Runnable> waiting = new ArrayDeque<>();
        boolean committed;
        boolean discarded;
        IOException commitFailure;

        @Override
        public void write(ByteBuffer[] chunks, Consumer<IOException> done) {
            waiting.add(() -> {
                for (ByteBuffer chunk : chunks) {
                    byte[] b = new byte[chunk.remaining()];
                    chunk.get(b);
                    bytes.writeBytes(b);
                }
                done.accept(null);
            });
        }

        @Override
        public void commit(BiConsumer<String, IOException> done) {
            waiting.add(() -> {
                committed = commitFailure == null;
                done.accept(committed ? DIGEST : null, commitFailure);
            });
        }

        @Override
        public void discard() {
            discarded = true;
        }

        int pending() {
            return waiting.size();
        }

        /** Runs what is waiting, and what that asks for in turn. */
        void completeAll() {
            for (Runnable next = waiting.poll(); next != null; next = waiting.poll()) {
                next.run();
            }
        }

        byte[] written() {
            return bytes.toByteArray();
        }
    }
}

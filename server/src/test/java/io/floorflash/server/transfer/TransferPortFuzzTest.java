package io.floorflash.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.floorflash.protocol.Ack;
import io.floorflash.protocol.BlockNumbers;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.Rollover;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TransferOptions;
import io.floorflash.protocol.codec.LeakProbe;
import io.floorflash.protocol.codec.TftpDecodeException;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.server.HostileDatagrams;
import io.floorflash.server.LogCapture;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.firmware.TestImages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;

/**
 * One {@link Transfer} on a shared {@link TransferPort} (embedded channel, mock clock), fuzzed with jqwik: its own
 * client sends hostile datagrams (ACKs of any block, ERRORs, DATA, requests, garbage, cut packets) between real ACKs,
 * strangers send the same to the port, and time passes. Whatever comes, nothing reaches {@code exceptionCaught},
 * every datagram is released, the client only ever receives the OACK, DATA carrying exactly the image's bytes at
 * that block, or one ERROR at the end; strangers (and the client once its transfer has ended) only ERROR 5, never
 * in answer to an ERROR; and the transfer ends exactly once, taking itself and its window off the port.
 */
class TransferPortFuzzTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.7", 41000);
    private static final List<InetSocketAddress> STRANGERS = List.of(new InetSocketAddress("10.0.0.7", 41001),
            new InetSocketAddress("10.0.0.9", 41000));
    private static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.1", 50000);
    private static final TransferId ID = new TransferId(CLIENT, "snom320.bin");
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** Adaptive from 20 ms, 1 s at first, doubling to 5 s, jittered, 6 retries: the defaults' shape. */
    private static final RetransmitPolicy POLICY = new RetransmitPolicy(SECOND, 2.0, 5 * SECOND, 0.1, 6,
            TimeUnit.MILLISECONDS.toNanos(20));
    private static final long DEADLINE = TimeUnit.MINUTES.toNanos(30);

    private LeakProbe leaks;
    private LogCapture logs;

    /** What happens next: a datagram from the client or a stranger, the client's ACK of the next block, or a wait. */
    record Event(Kind kind, byte[] bytes, int stranger, int millis) {
        enum Kind { CLIENT, STRANGER, PROGRESS, WAIT }

        @Override
        public String toString() {
            switch (kind) {
                case CLIENT:
                    return "client: " + ByteBufUtil.hexDump(bytes);
                case STRANGER:
                    return "stranger " + stranger + ": " + ByteBufUtil.hexDump(bytes);
                case PROGRESS:
                    return "client ACKs what it got";
                default:
                    return "wait " + millis + " ms";
            }
        }
    }

    /** The transfer's image and the options it runs with. */
    record Setup(int size, Map<String, String> options) {
    }

    @BeforeProperty
    void watch() {
        leaks = new LeakProbe();
        logs = new LogCapture(Level.DEBUG, TransferPort.class);
    }

    @AfterProperty
    void noLeaks() {
        try {
            leaks.assertNoLeaks();
        } finally {
            leaks.close();
            logs.close();
        }
    }

    @Provide
    Arbitrary<Setup> setups() {
        Arbitrary<Map<String, String>> options = Arbitraries.oneOf(Arbitraries.just(Map.of()),
                Combinators.combine(Arbitraries.integers().between(8, 1468), Arbitraries.integers().between(1, 8))
                        .as((blksize, window) -> Map.of("blksize", blksize.toString(), "windowsize", window.toString(),
                                "tsize", "0")),
                Arbitraries.integers().between(8, 600).map(blksize -> Map.of("blksize", blksize.toString())));
        return Combinators.combine(Arbitraries.integers().between(0, 6000), options).as(Setup::new);
    }

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<byte[]> hostile = Arbitraries.oneOf(HostileDatagrams.any(List.of("snom320.bin")), HostileDatagrams.acks());
        return Arbitraries.frequencyOf(
                Tuple.of(3, hostile.map(bytes -> new Event(Event.Kind.CLIENT, bytes, 0, 0))),
                Tuple.of(2, Combinators.combine(hostile, Arbitraries.integers().between(0, STRANGERS.size() - 1))
                        .as((bytes, who) -> new Event(Event.Kind.STRANGER, bytes, who, 0))),
                Tuple.of(4, Arbitraries.just(new Event(Event.Kind.PROGRESS, null, 0, 0))),
                Tuple.of(1, Arbitraries.integers().between(1, 6000).map(ms -> new Event(Event.Kind.WAIT, null, 0, ms))))
                .list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 300)
    void hostileDatagramsNeverBendATransfer(@ForAll("setups") Setup setup, @ForAll("events") List<Event> events) {
        Port port = new Port(setup);
        try {
            for (Event event : events) {
                switch (event.kind()) {
                    case CLIENT:
                        port.receive(event.bytes(), CLIENT);
                        break;
                    case STRANGER:
                        port.receive(event.bytes(), STRANGERS.get(event.stranger()));
                        break;
                    case PROGRESS:
                        port.acknowledgeWhatArrived();
                        break;
                    default:
                        port.advance(event.millis());
                        break;
                }
                port.checkAnswers();
            }
            for (long waited = 0; waited < DEADLINE + SECOND && port.summaries.isEmpty(); waited += 5 * SECOND) {
                port.advance(5000);
                port.checkAnswers();
            }
            assertThat(port.summaries).as("the transfer ended once").hasSize(1);
            TransferSummary summary = port.summaries.get(0);
            Statistics.label("outcome").collect(summary.outcome());
            if (summary.outcome() == TransferOutcome.COMPLETED) {
                assertThat(summary.bytes()).as("a completed transfer had every byte acknowledged").isEqualTo(setup.size());
            }
            assertThat(port.handler.size()).as("transfers left on the port").isZero();
            assertThat(port.handler.windowsInFlight()).as("windows left on the port").isZero();
            assertThat(logs.messages(e -> e.getFormattedMessage().startsWith("transfer port")))
                    .as("exceptions in the port").isEmpty();
            assertThat(port.channel.finish()).as("nothing left in the channel").isFalse();
        } finally {
            logs.clear();
            port.channel.finishAndReleaseAll();
        }
    }

    /** The port and transfer of one try, and what the client has seen so far. */
    private static final class Port {
        final MockTicker ticker = Ticker.newMockTicker();
        final List<TransferSummary> summaries = new ArrayList<>();
        final byte[] content;
        final TransferOptions options;
        final ReadTransfer transfer;
        final TransferPort handler = new TransferPort(SegmentOffload.OFF, false, 100, 2);
        final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).handlers(handler).build();
        /** Blocks the client has received in order, and whether the OACK came (ACK 0 answers it). */
        long received;
        boolean optionAckSeen;
        boolean errorSeen;

        Port(Setup setup) {
            content = TestImages.pattern(setup.size());
            FirmwareImage image = TestImages.of(ID.file(), content);
            options = TransferOptions.negotiate(setup.options(), new OptionLimits(1468, 8), image.size());
            transfer = new ReadTransfer(image.size(), options, Rollover.TO_ZERO, POLICY.maxRetries());
            Transfer started = new Transfer(ID, image, transfer, POLICY, DEADLINE, summaries::add);
            handler.start(started);
            channel.runPendingTasks();
        }

        void receive(byte[] bytes, InetSocketAddress from) {
            checkAnswers(); // what went before, so that what follows answers this datagram
            // Unpooled (and leak-tracked): a released pooled buffer goes back to the pool, and its count with it.
            ByteBuf buffer = UnpooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
            assertThat(channel.writeInbound(new DatagramPacket(buffer, LOCAL, from))).as("the port passes nothing on").isFalse();
            assertThat(buffer.refCnt()).as("the datagram was released").isZero();
            // Once its transfer has ended, the client is a stranger to the port too.
            if (!from.equals(CLIENT) || !summaries.isEmpty()) {
                checkStrangerAnswer(bytes, from);
            }
        }

        /** The client acknowledges the last block it has in order (ACK 0 for an OACK), as a real one would. */
        void acknowledgeWhatArrived() {
            if (received == 0 && !optionAckSeen) {
                return;
            }
            receive(HostileDatagrams.encode(new Ack((int) (received & BlockNumbers.MAX))), CLIENT);
        }

        void advance(long millis) {
            ticker.advance(millis, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
        }

        /** What a stranger gets: ERROR 5 at most, and nothing in answer to an ERROR. */
        private void checkStrangerAnswer(byte[] sent, InetSocketAddress stranger) {
            Object out = channel.readOutbound();
            if (out == null) {
                return;
            }
            try {
                DatagramPacket datagram = (DatagramPacket) out;
                assertThat(datagram.recipient()).isEqualTo(stranger);
                assertThat(sent.length >= 2 && sent[0] == 0 && sent[1] == 5).as("an answer to an ERROR").isFalse();
                TftpPacket packet = decode(datagram.content());
                assertThat(packet).isEqualTo(new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID, "Unknown transfer ID"));
            } finally {
                ReferenceCountUtil.release(out);
            }
            Object more = channel.readOutbound();
            ReferenceCountUtil.release(more);
            assertThat(more).as("one answer at most to a stranger's datagram").isNull();
        }

        /** Everything sent so far went to the client, and is what a correct transfer sends. */
        void checkAnswers() {
            for (Object out; (out = channel.readOutbound()) != null; ) {
                try {
                    DatagramPacket datagram = (DatagramPacket) out;
                    assertThat(datagram.recipient()).as("only the client hears of its transfer").isEqualTo(CLIENT);
                    check(decode(datagram.content()));
                } finally {
                    ReferenceCountUtil.release(out);
                }
            }
        }

        private void check(TftpPacket packet) {
            try {
                assertThat(errorSeen).as("nothing after the ERROR that ended the transfer: %s", packet).isFalse();
                if (packet instanceof OptionAck oack) {
                    assertThat(oack).isEqualTo(options.optionAck());
                    optionAckSeen = true;
                } else if (packet instanceof Data data) {
                    int blockSize = options.blockSize();
                    long index = BlockNumbers.blockCount(content.length, blockSize);
                    assertThat(data.block()).as("a block of the file").isBetween(1, (int) index);
                    int offset = (data.block() - 1) * blockSize;
                    int length = Math.min(blockSize, content.length - offset);
                    byte[] payload = ByteBufUtil.getBytes(data.content());
                    if (!Arrays.equals(payload, 0, payload.length, content, offset, offset + length)) {
                        throw new AssertionError("DATA " + data.block() + " carries the wrong " + payload.length
                                + " bytes (expected " + length + " from offset " + offset + ")");
                    }
                    if (data.block() == received + 1) {
                        received++;
                    }
                } else if (packet instanceof ErrorPacket error) {
                    assertThat(error.code()).as("the transfer's own end: %s", error).isEqualTo(ErrorCode.NOT_DEFINED.code());
                    errorSeen = true;
                } else {
                    throw new AssertionError("a transfer never sends " + packet);
                }
            } finally {
                ReferenceCountUtil.release(packet);
            }
        }

        private static TftpPacket decode(ByteBuf content) {
            try {
                return TftpPacketCodec.decode(content);
            } catch (TftpDecodeException e) {
                throw new AssertionError("the port sent a malformed datagram: " + e.getMessage(), e);
            }
        }
    }
}

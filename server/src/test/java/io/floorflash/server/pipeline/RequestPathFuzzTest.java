package io.floorflash.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.github.benmanes.caffeine.cache.Ticker;
import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.ProvisioningSettings;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsLoader;
import io.floorflash.config.TransferPortMode;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.Netascii;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.OptionLimits;
import io.floorflash.protocol.TftpOptions;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.codec.LeakProbe;
import io.floorflash.protocol.codec.TftpDatagramDecoder;
import io.floorflash.protocol.codec.TftpDecodeException;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.protocol.codec.TftpPacketEncoder;
import io.floorflash.server.HostileDatagrams;
import io.floorflash.server.LogCapture;
import io.floorflash.server.Transport;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.firmware.TestImages;
import io.floorflash.server.provisioning.Provisioning;
import io.floorflash.server.transfer.Refusals;
import io.floorflash.server.transfer.SegmentOffload;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferPlanner;
import io.floorflash.server.transfer.TransferPort;
import io.floorflash.server.transfer.TransferPorts;
import io.floorflash.server.transfer.TransferProgress;
import io.floorflash.server.transfer.TransferRegistry;
import io.floorflash.server.transfer.TransferSummary;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;

/**
 * The listener's whole pipeline (transfer port stage, decoder, encoder, {@link RequestDispatcher}, launcher, store)
 * on an embedded channel in single port mode, fuzzed with jqwik: runs of hostile datagrams from a few clients, with
 * time passing between them, requests for files that exist among them. Whatever comes, no exception reaches a
 * handler's {@code exceptionCaught}, nothing is logged at ERROR, every datagram is released, every answer is a
 * well-formed ERROR, OACK or DATA (DATA carrying the file's own bytes) to a client that sent something, and once the
 * clients fall silent every transfer ends and frees its slot.
 */
class RequestPathFuzzTest {
    private static final InetSocketAddress LISTENER = new InetSocketAddress("10.0.0.1", 69);
    private static final List<InetSocketAddress> CLIENTS = List.of(new InetSocketAddress("10.0.0.7", 41000),
            new InetSocketAddress("10.0.0.7", 41001), new InetSocketAddress("10.0.0.8", 41000));
    /** Files on the server: every one holds {@link TestImages#pattern} bytes, so offsets alone tell what is right. */
    private static final Map<String, Integer> FILES = Map.of("snom320.bin", 3000, "empty.bin", 0, "block.bin", 512);
    private static final int LONGEST = 3000;
    private static final byte[] PATTERN = TestImages.pattern(LONGEST);
    /** The same in netascii: the conversion maps byte by byte, so a shorter file's is a prefix of this. */
    private static final byte[] NETASCII = netascii(PATTERN);

    private static Path root;
    private static Settings settings;
    private static FirmwareStore store;

    private LeakProbe leaks;
    private LogCapture logs;

    /** One event: a datagram from client {@code client}, or time passing when {@code bytes} is null. */
    record Event(int client, byte[] bytes, int millis) {
        @Override
        public String toString() {
            return bytes == null ? "wait " + millis + " ms" : "from " + client + ": " + ByteBufUtil.hexDump(bytes);
        }
    }

    @BeforeContainer
    static void serveFiles() throws IOException {
        root = Files.createTempDirectory("floorflash-fuzz");
        for (Map.Entry<String, Integer> file : FILES.entrySet()) {
            Files.write(root.resolve(file.getKey()), Arrays.copyOf(PATTERN, file.getValue()));
        }
        // The defaults, as a server runs with them, in single port mode: every answer goes through the pipeline.
        settings = SettingsLoader.load(Overrides.none()
                .with(Key.TRANSFER_PORTS, TransferPortMode.SINGLE).with(Key.FIRMWARE_ROOT, root));
        store = new FirmwareStore(settings.firmware(), Runnable::run, Ticker.systemTicker());
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        store.close();
        for (String file : FILES.keySet()) {
            Files.deleteIfExists(root.resolve(file));
        }
        Files.deleteIfExists(root);
    }

    @BeforeProperty
    void watch() {
        leaks = new LeakProbe();
        // DEBUG: each handler's exceptionCaught logs what reached it at DEBUG ("listener error", "transfer port").
        logs = new LogCapture(Level.DEBUG, RequestDispatcher.class, TransferPort.class);
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
    Arbitrary<List<Event>> events() {
        Arbitrary<Event> datagram = Combinators.combine(Arbitraries.integers().between(0, CLIENTS.size() - 1),
                HostileDatagrams.any(List.copyOf(FILES.keySet()))).as((client, bytes) -> new Event(client, bytes, 0));
        Arbitrary<Event> wait = Arbitraries.integers().between(1, 3000).map(ms -> new Event(0, null, ms));
        return Arbitraries.frequencyOf(Tuple.of(6, datagram), Tuple.of(1, wait)).list().ofMinSize(1).ofMaxSize(24);
    }

    @Property(tries = 400)
    void hostileDatagramsGetWellFormedAnswersOrNoneAndFreeEverySlot(@ForAll("events") List<Event> events) {
        Listener listener = new Listener();
        try {
            for (Event event : events) {
                if (event.bytes() == null) {
                    listener.advance(event.millis());
                } else {
                    listener.receive(event.bytes(), CLIENTS.get(event.client()));
                }
                listener.checkAnswers();
            }
            // The clients fall silent: every transfer gives up within its retries or at its deadline (a client that
            // asked for timeout=255 is waited for that long each time), in steps of 5 s, bounded here.
            long silence = settings.transfer().deadline().toMillis() + 60_000;
            for (long waited = 0; waited < silence && listener.registry.size() > 0; waited += 5000) {
                listener.advance(5000);
                listener.checkAnswers();
            }
            assertThat(listener.registry.size()).as("slots still held after the deadline").isZero();
            Statistics.label("transfers started").collect(Math.min(listener.started, 3));
            assertThat(listener.finished).as("every started transfer ended once").isEqualTo(listener.started);
            assertThat(logs.messages(e -> e.getLevel() == Level.ERROR || e.getFormattedMessage().startsWith("listener error")
                    || e.getFormattedMessage().startsWith("transfer port"))).as("exceptions in the pipeline").isEmpty();
            assertThat(listener.channel.finish()).as("nothing left in the channel").isFalse();
        } finally {
            logs.clear();
            listener.channel.finishAndReleaseAll();
        }
    }

    /** The listener pipeline of one try, on a mock clock. */
    private static final class Listener {
        final MockTicker ticker = io.netty.util.concurrent.Ticker.newMockTicker();
        final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();
        final TransferRegistry registry = new TransferRegistry(settings.transfer().maxActiveTransfers());
        final Set<InetSocketAddress> senders = new HashSet<>();
        /** Block sizes each client may have agreed to (512, and whatever an OACK to it said). */
        final Map<InetSocketAddress, Set<Integer>> blockSizes = new HashMap<>();
        int started;
        int finished;

        Listener() {
            TransferListener listener = new TransferListener() {
                @Override
                public void transferStarted(TransferProgress progress) {
                    started++;
                }

                @Override
                public void transferFinished(TransferSummary summary) {
                    finished++;
                }
            };
            TransferPorts ports = new TransferPorts(settings.transfer().ports(),
                    new TransferPorts.Sockets(Transport.NIO::datagramChannels, false, 0), List.of(channel.eventLoop()),
                    SegmentOffload.OFF, settings.transfer().unknownTransferRepliesPerSecond(), 1);
            TransferLauncher launcher = new TransferLauncher(new Provisioning(ProvisioningSettings.NONE, store), registry, new TransferPlanner(settings.transfer()), ports,
                    new Refusals(ports, listener), listener, settings.transfer().deadline());
            channel.pipeline()
                    .addLast(PipelineNames.TRANSFERS, ports.listenerStage())
                    .addLast(PipelineNames.DECODER, TftpDatagramDecoder.INSTANCE)
                    .addLast(PipelineNames.ENCODER, TftpPacketEncoder.INSTANCE)
                    .addLast(PipelineNames.DISPATCHER, new RequestDispatcher(launcher,
                            settings.transfer().unknownTransferRepliesPerSecond()));
            ports.listenerBound(channel);
        }

        void receive(byte[] bytes, InetSocketAddress from) {
            senders.add(from);
            // Unpooled (and leak-tracked): a released pooled buffer goes back to the pool, and its count with it.
            ByteBuf buffer = UnpooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
            assertThat(channel.writeInbound(new DatagramPacket(buffer, LISTENER, from))).as("nothing passed on").isFalse();
            assertThat(buffer.refCnt()).as("the datagram was released").isZero();
            channel.runPendingTasks();
        }

        void advance(long millis) {
            ticker.advance(millis, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
        }

        /** Reads every answer so far: each must be a well-formed packet a server may send, to a client that asked. */
        void checkAnswers() {
            for (Object out; (out = channel.readOutbound()) != null; ) {
                try {
                    assertThat(out).isInstanceOf(DatagramPacket.class);
                    DatagramPacket datagram = (DatagramPacket) out;
                    assertThat(senders).as("answered only to a sender").contains(datagram.recipient());
                    check(decode(datagram.content()), datagram.recipient());
                } finally {
                    ReferenceCountUtil.release(out);
                }
            }
        }

        private static TftpPacket decode(ByteBuf content) {
            try {
                return TftpPacketCodec.decode(content);
            } catch (TftpDecodeException e) {
                throw new AssertionError("the server sent a malformed datagram: " + e.getMessage() + " "
                        + ByteBufUtil.hexDump(content), e);
            }
        }

        private void check(TftpPacket packet, InetSocketAddress to) {
            try {
                Set<Integer> sizes = blockSizes.computeIfAbsent(to, c -> new HashSet<>(Set.of(TftpOptions.DEFAULT_BLOCK_SIZE)));
                if (packet instanceof ErrorPacket error) {
                    assertThat(ErrorCode.fromCode(error.code())).as("a defined error code: %s", error).isNotNull();
                    assertThat(error.message()).as("a reason").isNotEmpty();
                } else if (packet instanceof OptionAck oack) {
                    assertThat(oack.options().keySet()).as("known options only")
                            .isSubsetOf(TftpOptions.BLKSIZE, TftpOptions.TSIZE, TftpOptions.TIMEOUT, TftpOptions.WINDOWSIZE);
                    String blksize = oack.options().get(TftpOptions.BLKSIZE);
                    if (blksize != null) {
                        int size = Integer.parseInt(blksize);
                        assertThat(size).isBetween(OptionLimits.MIN_BLOCK_SIZE, settings.transfer().maxBlockSize());
                        sizes.add(size);
                    }
                } else if (packet instanceof Data data) {
                    assertThat(data.block()).as("blocks of a small file").isBetween(1, 400);
                    byte[] payload = ByteBufUtil.getBytes(data.content());
                    assertThat(sizes.stream().anyMatch(size -> isBlock(payload, data.block(), size)))
                            .as("DATA %d of %d bytes is the file's own block at one of the block sizes %s", data.block(),
                                    payload.length, sizes).isTrue();
                } else {
                    throw new AssertionError("a server never sends " + packet);
                }
            } finally {
                ReferenceCountUtil.release(packet);
            }
        }

        private static boolean isBlock(byte[] payload, int block, int blockSize) {
            return isBlockOf(PATTERN, payload, block, blockSize) || isBlockOf(NETASCII, payload, block, blockSize);
        }

        private static boolean isBlockOf(byte[] content, byte[] payload, int block, int blockSize) {
            int offset = (block - 1) * blockSize;
            return payload.length <= blockSize && offset + payload.length <= content.length
                    && Arrays.equals(payload, 0, payload.length, content, offset, offset + payload.length);
        }
    }

    private static byte[] netascii(byte[] bytes) {
        ByteBuf source = Unpooled.wrappedBuffer(bytes);
        ByteBuf target = Unpooled.buffer();
        try {
            Netascii.encode(source, target);
            return ByteBufUtil.getBytes(target);
        } finally {
            source.release();
            target.release();
        }
    }
}

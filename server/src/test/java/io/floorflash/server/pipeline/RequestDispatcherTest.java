package io.floorflash.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.ProvisioningSettings;
import io.floorflash.config.RetransmitSettings;
import io.floorflash.config.SettingsLoader;
import io.floorflash.config.TransferPortMode;
import io.floorflash.config.TransferSettings;
import io.floorflash.protocol.Ack;
import io.floorflash.protocol.Data;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.OptionAck;
import io.floorflash.protocol.ReadRequest;
import io.floorflash.protocol.TftpPacket;
import io.floorflash.protocol.TransferMode;
import io.floorflash.protocol.WriteRequest;
import io.floorflash.protocol.codec.TftpDatagramDecoder;
import io.floorflash.protocol.codec.TftpPacketCodec;
import io.floorflash.protocol.codec.TftpPacketEncoder;
import io.floorflash.server.TestSettings;
import io.floorflash.server.Transport;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.provisioning.Provisioning;
import io.floorflash.server.transfer.Refusals;
import io.floorflash.server.transfer.SegmentOffload;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferListener;
import io.floorflash.server.transfer.TransferPlanner;
import io.floorflash.server.transfer.TransferPorts;
import io.floorflash.server.transfer.TransferRegistry;
import io.floorflash.server.transfer.TransferSummary;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestDispatcherTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.7", 41000);
    private static final InetSocketAddress LISTENER = new InetSocketAddress("10.0.0.1", 69);
    private static final RetransmitSettings RETRANSMIT =
            TestSettings.fixedWaits(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.1, 6);

    /** A 1 MiB cache, its budget in reference.conf's ratio, and one load at a time. */
    private static final Overrides CACHE_1_MIB = Overrides.none()
            .with(Key.FIRMWARE_CACHE_MAX_BYTES, 1L << 20)
            .with(Key.FIRMWARE_MEMORY_BUDGET, (1L << 20) * 3 / 2)
            .with(Key.FIRMWARE_LOAD_THREADS, 1);

    @TempDir
    Path root;

    private final List<TransferSummary> summaries = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private TransferRegistry registry;
    private EmbeddedChannel channel;
    /** The rules the launcher decides by. */
    private ProvisioningSettings provisioning = ProvisioningSettings.NONE;
    private final MockTicker ticker = io.netty.util.concurrent.Ticker.newMockTicker();

    @AfterEach
    void close() {
        assertThat(channel.finish()).as("nothing left unread").isFalse();
        assertThat(summaries).as("no transfer was started").isEmpty();
    }

    /**
     * The listener pipeline on an embedded channel, in single port mode: its transfer port is the listener's own
     * socket, so every refusal goes out through the pipeline's first stage, and no socket is opened for one. No test
     * here gets as far as starting a transfer: the store refuses first, or the launcher does.
     */
    private void openListener(int maxActiveTransfers) {
        openListener(maxActiveTransfers, maxActiveTransfers);
    }

    private void openListener(int maxActiveTransfers, int perAddress) {
        channel = EmbeddedChannel.builder().ticker(ticker).build();
        registry = new TransferRegistry(maxActiveTransfers, perAddress);
        FirmwareStore store = new FirmwareStore(TestSettings.firmware(root, CACHE_1_MIB),
                Runnable::run, Ticker.systemTicker());
        // The registry above admits; these settings only plan (and hold at least one slot, as any valid ones do).
        TransferSettings settings = new TransferSettings(1468, 1448, 64, TransferSettings.RolloverSetting.ZERO,
                Math.max(1, maxActiveTransfers), Duration.ofMinutes(30), RETRANSMIT, true, TransferPortMode.SINGLE, 100, 1,
                Math.max(1, perAddress), Duration.ofSeconds(10));
        TransferListener listener = new TransferListener() {
                    @Override
                    public void transferFinished(TransferSummary summary) {
                        summaries.add(summary);
                    }

                    @Override
                    public void requestRefused(TransferId id, ErrorPacket error) {
                        refusals.add(id + " error=" + error.code());
                    }
                };
        TransferPorts ports = new TransferPorts(
                TransferPortMode.SINGLE, new TransferPorts.Sockets(Transport.NIO::datagramChannels,
                false, 0), List.of(channel.eventLoop()), SegmentOffload.OFF, 100, 1);
        TransferLauncher launcher = new TransferLauncher(new Provisioning(provisioning, store), registry,
                new TransferPlanner(settings), ports,
                new Refusals(ports, listener), listener, settings.deadline());
        channel.pipeline()
                .addLast(PipelineNames.TRANSFERS, ports.listenerStage())
                .addLast(PipelineNames.DECODER, TftpDatagramDecoder.INSTANCE)
                .addLast(PipelineNames.ENCODER, TftpPacketEncoder.INSTANCE)
                .addLast(PipelineNames.DISPATCHER, new RequestDispatcher(launcher, 100));
        ports.listenerBound(channel);
    }

    private void openListener() {
        openListener(10);
    }

    /** Delivers {@code bytes} from the client and checks the pipeline released the datagram's buffer. */
    private void receive(byte[] bytes) {
        ByteBuf buffer = channel.alloc().buffer(bytes.length).writeBytes(bytes);
        assertThat(channel.writeInbound(new DatagramPacket(buffer, LISTENER, CLIENT))).as("nothing passed on").isFalse();
        assertThat(buffer.refCnt()).as("the datagram was released").isZero();
    }

    private void receive(TftpPacket packet) {
        ByteBuf encoded = Unpooled.buffer();
        try {
            TftpPacketCodec.encode(packet, encoded);
            byte[] bytes = new byte[encoded.readableBytes()];
            encoded.readBytes(bytes);
            receive(bytes);
        } finally {
            encoded.release();
            ReferenceCountUtil.release(packet);
        }
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads the next datagram, which must be an ERROR to the client. In single port mode a refusal comes from the
     * listener's socket, through its transfer port stage; the integration tests prove the other modes' own port with
     * commons-net, which drops answers from the request port.
     */
    private ErrorPacket expectError() {
        channel.runPendingTasks();
        DatagramPacket datagram = channel.readOutbound();
        assertThat(datagram).as("an answer").isNotNull();
        try {
            assertThat(datagram.recipient()).isEqualTo(CLIENT);
            TftpPacket packet = TftpPacketCodec.decode(datagram.content());
            if (!(packet instanceof ErrorPacket)) {
                ReferenceCountUtil.release(packet);
                throw new AssertionError("expected an ERROR, got " + packet);
            }
            return (ErrorPacket) packet;
        } finally {
            datagram.release();
        }
    }

    private void expectNoAnswer() {
        Object next = channel.readOutbound();
        try {
            assertThat(next).as("no answer").isNull();
        } finally {
            ReferenceCountUtil.release(next);
        }
    }

    @Test
    void refusesAWriteRequestWithErrorTwo() {
        openListener();

        receive(new WriteRequest("snom320.bin", TransferMode.OCTET, Map.of("blksize", "1468")));

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.ACCESS_VIOLATION,
                "Access violation: uploads are not accepted; this server only serves firmware"));
        expectNoAnswer();
        assertThat(channel.isOpen()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0001 736e6f6d3332302e62696e00 6f63746574 | RRQ: no NUL after mode (expected: filename NUL mode NUL)",
            "0001 736e6f6d3332302e62696e | RRQ: no NUL after filename (expected: filename NUL mode NUL)",
            "0001 00 6f6374657400 | RRQ: empty filename (expected: filename NUL mode NUL)",
            "0001 6100 6d61696c00 | RRQ: unsupported mode 'mail' (expected: octet or netascii)",
            "0001 6100 6f6374657400 626c6b73697a6500 | RRQ: option 'blksize' has no value (expected: name NUL value NUL)",
            "0002 6100 | WRQ: no NUL after mode (expected: filename NUL mode NUL)",
            "0003 00 | DATA: 3 bytes (expected: at least 4)",
            "0004 | ACK: 2 bytes (expected: at least 4)",
            "0006 | OACK: no options (expected: at least one name NUL value NUL)",
    })
    void answersAMalformedPacketWithErrorFourAndTheDecodersReason(String datagram, String reason) {
        openListener();

        receive(hex(datagram));

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.ILLEGAL_OPERATION, "Illegal TFTP operation: " + reason));
        expectNoAnswer();
    }

    @Test
    void answersDataOnTheListenerWithErrorFive() {
        openListener();

        receive(new Data(1, Unpooled.wrappedBuffer(ascii("firmware"))));

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID,
                "Unknown transfer ID: DATA sent to the request port"));
        expectNoAnswer();
    }

    @Test
    void answersAckAndOptionAckOnTheListenerWithErrorFive() {
        openListener();

        receive(new Ack(1));
        receive(new OptionAck(Map.of("blksize", "512")));

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID,
                "Unknown transfer ID: ACK sent to the request port"));
        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID,
                "Unknown transfer ID: OACK sent to the request port"));
        expectNoAnswer();
    }

    @Test
    void aDenyRuleAnswersErrorTwoWithTheOperatorsTextForItsClientsOnly() {
        provisioning = rules("floorflash.rules = [ { clients = [\"10.0.0.0/24\"], glob = \"private/*\","
                + " deny = \"not served here\" }, { file = \"snom(\\\\d+)\\\\.bin\", serve = \"releases/b/snom$1.bin\" } ]");
        openListener();

        receive(hex("0001 707269766174652f6b6579732e74787400 6f6374657400")); // RRQ private/keys.txt octet

        DatagramPacket denied = nextDatagram();
        try {
            assertThat(ByteBufUtil.hexDump(denied.content())).isEqualTo("0005" + "0002"
                    + HexFormat.of().formatHex(ascii("not served here")) + "00");
        } finally {
            denied.release();
        }
        assertThat(refusals).containsExactly("client=10.0.0.7:41000 file=private/keys.txt error=2");

        receive(hex("0001 736e6f6d3332302e62696e00 6f6374657400")); // RRQ snom320.bin: served as releases/b/...

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.FILE_NOT_FOUND,
                "File not found: releases/b/snom320.bin"));
        expectNoAnswer();
    }

    private ProvisioningSettings rules(String hocon) {
        return SettingsLoader.parse(hocon, Overrides.none().with(Key.FIRMWARE_ROOT, root)).provisioning();
    }

    private DatagramPacket nextDatagram() {
        channel.runPendingTasks();
        DatagramPacket datagram = channel.readOutbound();
        assertThat(datagram).as("an answer").isNotNull();
        return datagram;
    }

    @Test
    void neverAnswersAnError() {
        openListener();

        receive(new ErrorPacket(ErrorCode.UNKNOWN_TRANSFER_ID, "Unknown transfer ID"));
        receive(hex("0005 00"));
        receive(hex("0005"));

        expectNoAnswer();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00", "07", "0000", "0000 6100 6f6374657400", "0007 6100", "ffff 0001", "4745 5420 2f20 4854 5450"})
    void doesNotAnswerADatagramWithoutATftpOpcode(String datagram) {
        openListener();

        receive(hex(datagram));

        expectNoAnswer();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void answersABurstOfMalformedDatagramsAHundredASecondAndKeepsServing() {
        openListener();
        byte[][] malformed = {hex("0001 6100"), hex("0004"), hex("0009 0000"), hex("00"), hex("0005 00")};

        for (int i = 0; i < 1000; i++) {
            receive(malformed[i % malformed.length]);
        }

        assertThat(drainAnswers()).as("ERROR 4 for 400 malformed RRQs and ACKs, a second's worth at once").isEqualTo(100);
        ticker.advance(500, TimeUnit.MILLISECONDS);
        for (int i = 0; i < 200; i++) {
            receive(hex("0004"));
        }
        assertThat(drainAnswers()).as("half a second later").isEqualTo(50);
        assertThat(channel.isOpen()).isTrue();
        receive(new WriteRequest("phone.cfg", TransferMode.OCTET, Map.of()));
        assertThat(expectError().code()).as("a request is answered whatever the budget").isEqualTo(ErrorCode.ACCESS_VIOLATION.code());
        expectNoAnswer();
    }

    @Test
    void answersDataOnTheListenerAHundredASecond() {
        openListener();

        for (int i = 0; i < 150; i++) {
            receive(new Ack(1));
        }

        assertThat(drainAnswers()).as("ERROR 5 for 150 ACKs at once").isEqualTo(100);
        ticker.advance(1, TimeUnit.SECONDS);
        receive(new Ack(1));
        assertThat(expectError().code()).isEqualTo(ErrorCode.UNKNOWN_TRANSFER_ID.code());
    }

    private int drainAnswers() {
        int answers = 0;
        for (DatagramPacket datagram; (datagram = channel.readOutbound()) != null; answers++) {
            datagram.release();
        }
        return answers;
    }

    @Test
    void refusesARequestForAMissingFileWithErrorOne() {
        openListener();

        receive(new ReadRequest("snom320.bin", TransferMode.OCTET));
        channel.runPendingTasks();

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "File not found: snom320.bin"));
        expectNoAnswer();
        assertThat(registry.size()).as("the reservation is released").isZero();
        assertThat(refusals).as("the listener is told").containsExactly("client=10.0.0.7:41000 file=snom320.bin error=1");
    }

    @Test
    void refusesAPathOutsideTheRootWithErrorTwo() {
        openListener();

        receive(new ReadRequest("../secret.bin", TransferMode.OCTET));
        channel.runPendingTasks();

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.ACCESS_VIOLATION,
                "Access violation: '../secret.bin' contains '..'; only files below the server root are served"));
        expectNoAnswer();
        assertThat(registry.size()).isZero();
    }

    @Test
    void refusesARequestWhenTooManyTransfersRun() {
        openListener(0);

        receive(new ReadRequest("snom320.bin", TransferMode.OCTET));

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED,
                "Server busy: too many transfers running; try again shortly"));
        expectNoAnswer();
        assertThat(registry.size()).isZero();
    }

    @Test
    void refusesARequestWhenItsAddressRunsAsManyTransfersAsItMay() {
        openListener(10, 1);
        TransferRegistry.Ticket running = registry.admit(new InetSocketAddress(CLIENT.getAddress(), CLIENT.getPort() + 1),
                "snom320.bin").ticket();

        receive(new ReadRequest("snom320.bin", TransferMode.OCTET));

        assertThat(expectError()).isEqualTo(new ErrorPacket(ErrorCode.NOT_DEFINED,
                "Server busy: too many transfers from your address; try again when one has finished"));
        expectNoAnswer();
        assertThat(refusals).containsExactly(new TransferId(CLIENT, "snom320.bin") + " error=0");
        assertThat(registry.size()).isOne();
        running.release();
    }

    @Test
    void ignoresARepeatedRequestWhileTheClientsTransferRuns() {
        openListener();
        TransferRegistry.Ticket running = registry.admit(CLIENT, "snom320.bin").ticket();

        receive(new ReadRequest("snom320.bin", TransferMode.OCTET));
        channel.runPendingTasks();

        expectNoAnswer();
        assertThat(registry.size()).isEqualTo(1);
        running.release();
    }
}

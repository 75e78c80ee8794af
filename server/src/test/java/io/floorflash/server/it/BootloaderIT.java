package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real bootloaders fetch from floorflash: U-Boot 2023.01 and iPXE, Debian's builds, in QEMU on the tap devices of a
 * network namespace the test creates, with the server (the shaded jar) inside it. Each port mode boots each bootloader
 * once and fetches the boundary sizes through its console: U-Boot at blksize 512 and 1468 and with windowsize 8,
 * checked by its own {@code crc32}, iPXE with the options it always sends, checked on the capture of its card. Both
 * report a missing file. Needs root, {@code /dev/net/tun}, {@code qemu-system-arm qemu-system-x86 u-boot-qemu ipxe};
 * fails, never skips, without them.
 */
class BootloaderIT {
    private static final Logger log = LoggerFactory.getLogger(BootloaderIT.class);
    private static final long[] SIZES = {0, 1, 511, 512, 513, 1468, 2 * 1024 * 1024};
    private static final String TWO_MIB = name(2 * 1024 * 1024);
    /** 65,538 blocks at 512 bytes: block numbers roll over from 65535 to 0 (the server's default rollover). */
    private static final String ROLLOVER = "rollover.bin";
    private static final long ROLLOVER_SIZE = 32L * 1024 * 1024 + 1000;
    private static final String MISSING = "snom999.bin";
    /** What U-Boot's 2023.01 default "tftptimeout" of 5000 ms turns into: the timeout option, in seconds. */
    private static final String UBOOT_TIMEOUT = "5";
    /** iPXE's TFTP_MAX_BLKSIZE, which it asks for whatever the link's MTU. */
    private static final String IPXE_BLKSIZE = "1432";

    /** Milliseconds from request to last ACK of the 2 MiB image, by client setting and port mode (logged at the end). */
    private static final Map<String, Double> TWO_MIB_MILLIS = new ConcurrentSkipListMap<>();

    @TempDir
    static Path root;

    @BeforeAll
    static void writeFixtures() {
        for (long size : SIZES) {
            SeededFiles.write(root, name(size), size, size + 15);
        }
        SeededFiles.write(root, ROLLOVER, ROLLOVER_SIZE, 65536);
    }

    @AfterAll
    static void logTheTwoMebibyteTimes() {
        TWO_MIB_MILLIS.forEach((setting, millis) -> log.info("2 MiB image, {}: {} ms from request to last ACK", setting,
                String.format(Locale.ROOT, "%.0f", millis)));
    }

    private static String name(long size) {
        return "size-" + size + ".bin";
    }

    /** U-Boot's settings (tftpblocksize, tftpwindowsize) crossed with the sizes. */
    static Stream<Arguments> uBootSettingsAndSizes() {
        int[][] settings = {{512, 1}, {1468, 1}, {1468, 8}};
        return Stream.of(settings).flatMap(setting -> Arrays.stream(SIZES)
                .mapToObj(size -> Arguments.of(setting[0], setting[1], size)));
    }

    static Stream<Long> nonEmptySizes() {
        return Arrays.stream(SIZES).filter(size -> size > 0).boxed();
    }

    private static byte[] fixture(String file) {
        try {
            return Files.readAllBytes(root.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /**
     * One port mode: the server in a namespace of its own, U-Boot and iPXE booted once, every test a fetch or two. The
     * subclasses say which mode and which ports the answers must come from.
     */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class PortMode {
        private NetworkNamespace namespace;
        private NamespacedServer server;
        private UBoot uBoot;
        private Ipxe ipxe;

        /** The value of {@code floorflash.transfer.ports}. */
        abstract String ports();

        /** Fails unless every answer of a transfer came from the port this mode promises. */
        abstract void assertAnsweredFromTheModesPort(List<Integer> serverPorts);

        /** JUnit runs {@link #shutDown} even when this fails part way. {@code work} keeps the captures and logs of a failure. */
        @BeforeAll
        void bootBothBootloaders(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work) {
            namespace = NetworkNamespace.create(getClass().getSimpleName().toLowerCase(Locale.ROOT));
            server = NamespacedServer.start(namespace, root, ports(), work);
            // Both guests boot at once; U-Boot's prompt comes in about 0.6 s, iPXE's in about 1.5 s.
            uBoot = UBoot.start(namespace, work);
            ipxe = Ipxe.start(namespace, work);
            uBoot.awaitPrompt();
            ipxe.awaitPrompt();
        }

        /** Stops the guests and the server (each through its own process handle), then deletes the namespace. */
        @AfterAll
        void shutDown() {
            List<Throwable> failures = new ArrayList<>();
            for (AutoCloseable resource : new AutoCloseable[] {ipxe, uBoot, server, namespace}) {
                try {
                    if (resource != null) {
                        resource.close();
                    }
                } catch (Exception | Error e) {
                    failures.add(e);
                }
            }
            if (!failures.isEmpty()) {
                AssertionError failure = new AssertionError("cleaning up " + ports() + " failed");
                failures.forEach(failure::addSuppressed);
                throw failure;
            }
        }

        @ParameterizedTest(name = "U-Boot fetches {2} bytes at tftpblocksize {0}, tftpwindowsize {1}")
        @MethodSource("io.floorflash.server.it.BootloaderIT#uBootSettingsAndSizes")
        void uBootFetchesAndChecksumsTheExactBytes(int blockSize, int windowSize, long size) {
            String file = name(size);
            byte[] expected = fixture(file);

            UBoot.Fetch fetch = uBoot.fetch(file, blockSize, windowSize);

            assertThat(fetch.status()).as("U-Boot's status for %s:%n%s", file, fetch.console()).isZero();
            assertThat(fetch.crc32()).as("U-Boot's crc32 of %s:%n%s", file, fetch.console()).contains(crc32(expected));
            if (size > 0) {
                assertThat(fetch.bytes()).as("U-Boot's byte count").hasValue(size);
            }
            Map<String, String> options = new LinkedHashMap<>(Map.of("timeout", UBOOT_TIMEOUT, "blksize", Integer.toString(blockSize)));
            if (windowSize > 1) {
                options.put("windowsize", Integer.toString(windowSize));
            }
            assertThat(fetch.exchange().requested()).as("what U-Boot asks").isEqualTo(options);
            assertThat(fetch.exchange().acknowledged()).as("what the server accepts").contains(options);
            assertThat(fetch.exchange().content()).as("the DATA on the wire:%n%s", fetch.exchange()).hasValue(expected);
            assertAnsweredFromTheModesPort(fetch.exchange().serverPorts());
            if (file.equals(TWO_MIB)) {
                TWO_MIB_MILLIS.put("U-Boot blksize " + blockSize + " windowsize " + windowSize + ", " + ports(),
                        fetch.exchange().millisToEnd());
            }
        }

        @ParameterizedTest(name = "iPXE fetches {0} bytes")
        @MethodSource("io.floorflash.server.it.BootloaderIT#nonEmptySizes")
        void ipxeFetchesTheExactBytes(long size) {
            String file = name(size);

            Ipxe.Fetch fetch = ipxe.fetch(file);

            assertThat(fetch.ok()).as("iPXE's verdict on %s:%n%s", file, fetch.console()).isTrue();
            assertThat(fetch.exchange().requested()).as("what iPXE asks").isEqualTo(Map.of("blksize", IPXE_BLKSIZE, "tsize", "0"));
            assertThat(fetch.exchange().acknowledged()).as("what the server accepts")
                    .contains(Map.of("blksize", IPXE_BLKSIZE, "tsize", Long.toString(size)));
            assertThat(fetch.exchange().content()).as("the DATA on the wire:%n%s", fetch.exchange()).hasValue(fixture(file));
            assertAnsweredFromTheModesPort(fetch.exchange().serverPorts());
            if (file.equals(TWO_MIB)) {
                TWO_MIB_MILLIS.put("iPXE blksize " + IPXE_BLKSIZE + ", " + ports(), fetch.exchange().millisToEnd());
            }
        }

        /**
         * iPXE acknowledges the empty only block of a 0-byte file with ACK 0 (it counts the blocks it expects from tsize,
         * none for 0 bytes, and acknowledges the first one missing) and is done. The server resends that block once,
         * in case the ACK 0 meant that DATA 1 was lost, then calls the transfer completed instead of resending until
         * it gives up.
         */
        @Test
        void ipxeFetchesAnEmptyFileAndTheServerEndsItCompleted() {
            String file = name(0);

            Ipxe.Fetch fetch = ipxe.fetch(file);

            assertThat(fetch.ok()).as("iPXE's verdict:%n%s", fetch.console()).isTrue();
            assertThat(fetch.exchange().acknowledged()).contains(Map.of("blksize", IPXE_BLKSIZE, "tsize", "0"));
            assertThat(fetch.exchange().content()).hasValue(new byte[0]);
            String client = Ipxe.ADDRESS + ":" + fetch.exchange().client().getPort();
            String line = server.awaitTransferLine(client, file, Duration.ofSeconds(10));
            assertThat(line).as("the server's end of it").contains("outcome=completed ").endsWith("retransmits=1");
            // The server logs the end a timer round after its resend; QEMU may write the resend to the capture later.
            TftpExchange exchange = await("the resent DATA 1 in the capture").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20)).until(() -> ipxe.lastExchange(file), e -> !afterAckZero(e).isEmpty());
            assertThat(afterAckZero(exchange)).as("after iPXE's ACK 0:%n%s", exchange).hasSize(1)
                    .allMatch(packet -> packet.isData(1) && packet.body().length == 0, "the empty DATA 1 again");
            assertAnsweredFromTheModesPort(exchange.serverPorts());
        }

        /** What followed the ACK 0 that answered DATA 1. */
        private static List<TftpExchange.Packet> afterAckZero(TftpExchange exchange) {
            List<TftpExchange.Packet> packets = exchange.packets();
            return packets.subList(indexOfAckZeroAfterDataOne(exchange) + 1, packets.size());
        }

        private static int indexOfAckZeroAfterDataOne(TftpExchange exchange) {
            List<TftpExchange.Packet> packets = exchange.packets();
            boolean dataOneSent = false;
            for (int at = 0; at < packets.size(); at++) {
                if (packets.get(at).isData(1)) {
                    dataOneSent = true;
                } else if (dataOneSent && packets.get(at).isAck(0)) {
                    return at;
                }
            }
            throw new AssertionError("no ACK 0 after DATA 1:\n" + exchange);
        }

        @Test
        void uBootReportsTheServersFileNotFound() {
            UBoot.Fetch fetch = uBoot.fetch(MISSING, 1468, 1);

            assertThat(fetch.status()).as("U-Boot's status").isEqualTo(1);
            assertThat(fetch.console()).contains("TFTP error: 'File not found: " + MISSING + "' (1)");
            assertThat(fetch.exchange().error()).contains("1: File not found: " + MISSING);
            assertAnsweredFromTheModesPort(fetch.exchange().serverPorts());
        }

        @Test
        void ipxeReportsTheServersFileNotFound() {
            Ipxe.Fetch fetch = ipxe.fetch(MISSING);

            assertThat(fetch.ok()).isFalse();
            // iPXE turns TFTP error 1 into ENOENT; its message has a link to the error's page.
            assertThat(fetch.console()).contains("No such file or directory");
            assertThat(fetch.exchange().error()).contains("1: File not found: " + MISSING);
            assertAnsweredFromTheModesPort(fetch.exchange().serverPorts());
        }

        /**
         * Rolls over in the shared mode only: rollover is block arithmetic in the transfer, the same whichever socket
         * sends, and the image is 33 MB. Windows of 8 take 4 s here against 18 s in lock-step, and a window straddling
         * 65535 is the harder case for both sides.
         */
        void uBootRollsOverPastBlock65535() {
            byte[] expected = fixture(ROLLOVER);

            UBoot.Fetch fetch = uBoot.fetch(ROLLOVER, 512, 8);

            assertThat(fetch.status()).as("U-Boot's status:%n%s", fetch.console()).isZero();
            assertThat(fetch.bytes()).hasValue(ROLLOVER_SIZE);
            assertThat(fetch.crc32()).as("U-Boot's crc32").contains(crc32(expected));
            Optional<byte[]> content = fetch.exchange().content();
            assertThat(content).as("the DATA on the wire, past block 65535").isPresent();
            assertThat(content.get()).isEqualTo(expected);
        }
    }

    @Nested
    class Shared extends PortMode {
        @Override
        String ports() {
            return "shared";
        }

        @Override
        void assertAnsweredFromTheModesPort(List<Integer> serverPorts) {
            assertThat(serverPorts).as("a port the kernel chose, not the listener's").hasSize(1).doesNotContain(NamespacedServer.PORT);
        }

        @Test
        void uBootRollsOverAtBlksize512WithWindows() {
            uBootRollsOverPastBlock65535();
        }
    }

    @Nested
    class Single extends PortMode {
        @Override
        String ports() {
            return "single";
        }

        @Override
        void assertAnsweredFromTheModesPort(List<Integer> serverPorts) {
            assertThat(serverPorts).as("the listener's own port").containsExactly(NamespacedServer.PORT);
        }
    }

    @Nested
    class Range extends PortMode {
        /** Fixed ports are safe here: the namespace is the test's own, nothing else binds in it. */
        private static final int FIRST = 50000;
        private static final int LAST = 50007;

        @Override
        String ports() {
            return FIRST + "-" + LAST;
        }

        @Override
        void assertAnsweredFromTheModesPort(List<Integer> serverPorts) {
            assertThat(serverPorts).as("a port of the range").hasSize(1).allMatch(port -> port >= FIRST && port <= LAST);
        }
    }
}

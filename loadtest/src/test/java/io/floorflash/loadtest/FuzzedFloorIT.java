package io.floorflash.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.protocol.codec.LeakProbe;
import io.floorflash.server.FloorflashServer;
import io.floorflash.server.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live fuzz, bounded in count and time: a million random datagrams (see {@link DatagramFuzzer}) go to the real
 * server's listener and transfer ports, from four loopback addresses of their own, while 100 simulated phones (each
 * from an address of its own) download a 256 KiB image over and over in RFC 1350 lock-step. Every phone must get
 * every byte, every answer to the fuzz must be a well-formed TFTP packet, Netty's leak detector (paranoid) must find
 * nothing, and the server must serve fresh phones afterwards. Measures the fuzz rate and the phones' slowdown
 * against the same floor without the fuzz just before.
 */
class FuzzedFloorIT {
    private static final String FILE = "snom320.bin";
    private static final int SIZE = 256 * 1024;
    private static final int PHONES = 100;
    private static final int BASELINE_TRANSFERS = 300;
    private static final long DATAGRAMS = 1_000_000;
    /** About 30 s for the million on this kind of machine: 2 cores shared by server, phones and fuzzer. */
    private static final int DATAGRAMS_PER_SECOND = 33_000;
    private static final long MAX_FUZZ_NANOS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path root;

    @Test
    void aMillionRandomDatagramsLeaveEveryPhoneByteExactAndTheServerServing() throws Exception {
        byte[] firmware = new byte[SIZE];
        new Random(0xF022L).nextBytes(firmware);
        Files.write(root.resolve(FILE), firmware);
        try (LeakProbe leaks = new LeakProbe()) {
            // The phones share 127.1.0.x and the fuzz 127.0.0.2-5: no address comes near the per-address cap.
            FloorflashServer server = TestServer.start(root, Overrides.none().with(Key.HTTP_ENABLED, false)).server();
            try {
                // A first floor warms the JIT of both sides, so the baseline compares like with like.
                assertEveryPhoneGotEveryByte(run("warm-up", scenario(server, firmware, PHONES, PHONES)), PHONES);
                LoadReport baseline = run("baseline: 100 phones, no fuzz",
                        scenario(server, firmware, PHONES, BASELINE_TRANSFERS));
                assertEveryPhoneGotEveryByte(baseline, BASELINE_TRANSFERS);
                List<InetSocketAddress> ports = server.transferPorts();
                assertThat(ports).as("transfer ports opened by the baseline's phones").isNotEmpty();

                // As many transfers as the floor finishes in the time the fuzz should take, at the baseline's pace.
                double fuzzSeconds = (double) DATAGRAMS / DATAGRAMS_PER_SECOND;
                int transfers = (int) Math.max(BASELINE_TRANSFERS,
                        Math.min(20_000, baseline.transfers() / baseline.seconds() * fuzzSeconds));
                LoadReport fuzzed;
                try (DatagramFuzzer fuzzer = new DatagramFuzzer(server.localAddress(), ports, FILE,
                        List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"),
                                InetAddress.getByName("127.0.0.4"), InetAddress.getByName("127.0.0.5")), 0xF022L)) {
                    fuzzer.start(DATAGRAMS, DATAGRAMS_PER_SECOND, MAX_FUZZ_NANOS);
                    fuzzed = run("100 phones under the fuzz", scenario(server, firmware, PHONES, transfers));
                    assertThat(fuzzer.awaitSent(MAX_FUZZ_NANOS + TimeUnit.SECONDS.toNanos(10))).as("the fuzz ends").isTrue();

                    System.out.printf("fuzz: %d datagrams in %.1f s (%.0f/s, %d send failures) to the listener and %d"
                                    + " transfer ports; %d answers %s%n", fuzzer.sent(), fuzzer.seconds(),
                            fuzzer.sent() / fuzzer.seconds(), fuzzer.sendFailures(), ports.size(), fuzzer.answers(),
                            fuzzer.answersByKind());
                    System.out.printf("phones: %d transfers under the fuzz in %.1f s, completion p50 %.0f ms p99 %.0f ms"
                                    + " (without: %.0f / %.0f ms), goodput %.1f MB/s (without: %.1f): %.2fx the time per"
                                    + " transfer%n", fuzzed.transfers(), fuzzed.seconds(), fuzzed.completionMillis(50),
                            fuzzed.completionMillis(99), baseline.completionMillis(50), baseline.completionMillis(99),
                            fuzzed.goodputMBps(), baseline.goodputMBps(), baseline.goodputMBps() / fuzzed.goodputMBps());
                    assertThat(fuzzer.malformedAnswers()).as("answers that are not well-formed TFTP").isEmpty();
                    // The full million takes ~30 s here; a slower machine stops at the time bound, with a quarter at least.
                    assertThat(fuzzer.sent()).as("datagrams sent within the time bound").isGreaterThanOrEqualTo(DATAGRAMS / 4);
                }
                assertEveryPhoneGotEveryByte(fuzzed, transfers);

                LoadReport fresh = run("fresh phones after the fuzz", scenario(server, firmware, 10, 10));
                assertEveryPhoneGotEveryByte(fresh, 10);
            } finally {
                server.close();
            }
            leaks.assertNoLeaks();
        }
    }

    /** {@code transfers} in all, {@code phones} at a time, each phone from an address of its own, RFC 1350 lock-step. */
    private static LoadScenario scenario(FloorflashServer server, byte[] firmware, int phones, int transfers)
            throws Exception {
        ClientProfile snom = ClientProfile.SNOM_BOOTLOADER;
        return new LoadScenario(server.localAddress(), FILE, ExpectedContent.ofBytes(firmware), phones, transfers, 0,
                snom.options(), snom.timeout(), snom.retries(), 0, 0, 42, Duration.ofSeconds(180), 1,
                InetAddress.getByName("127.1.0.1"));
    }

    private static LoadReport run(String title, LoadScenario scenario) throws InterruptedException {
        System.out.println("== " + title);
        LoadReport report = new LoadRun(scenario, System.out).run();
        System.out.print(report.toText());
        return report;
    }

    private static void assertEveryPhoneGotEveryByte(LoadReport report, int transfers) {
        assertThat(report.allOk()).as(report.toText()).isTrue();
        assertThat(report.ok()).isEqualTo(transfers);
        assertThat(report.mismatched()).isZero();
        assertThat(report.bytes()).isEqualTo((long) transfers * SIZE);
    }
}

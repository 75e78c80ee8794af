package io.floorflash.server.floor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.floorflash.config.AddressRange;
import io.floorflash.config.Clients;
import io.floorflash.config.FloorSettings;
import io.floorflash.config.GroupSettings;
import io.floorflash.config.RosterEntry;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferProgress;
import io.floorflash.server.transfer.TransferSummary;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FloorViewTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private long now = 1_000 * SECOND;

    @Test
    void aPhoneLoadsThenIsDone() {
        FloorView floor = floor(100, List.of());
        FakeProgress transfer = start(floor, "10.0.5.17", 41000, "snom320.bin", 1000);
        transfer.bytes = 400;
        transfer.retransmits = 2;
        now += 2 * SECOND;

        PhoneView loading = only(floor);
        assertThat(loading.state()).isEqualTo(PhoneState.LOADING);
        assertThat(loading.file()).isEqualTo("snom320.bin");
        assertThat(loading.bytes()).isEqualTo(400);
        assertThat(loading.size()).isEqualTo(1000);
        assertThat(loading.retransmits()).isEqualTo(2);
        assertThat(loading.bytesPerSecond()).isEqualTo(200);
        assertThat(loading.elapsedMillis()).isEqualTo(2000);

        floor.transferFinished(summary(transfer, TransferOutcome.COMPLETED, 1000, 4 * SECOND, ""));

        PhoneView done = only(floor);
        assertThat(done.state()).isEqualTo(PhoneState.DONE);
        assertThat(done.bytes()).isEqualTo(1000);
        assertThat(done.bytesPerSecond()).isEqualTo(250);
        assertThat(done.reason()).isEmpty();
        assertThat(floor.snapshot().counters()).isEqualTo(new FloorSnapshot.Counters(1, 0, 0, 1, 0, 0, 0));
    }

    @Test
    void aFailedTransferSaysWhy() {
        FloorView floor = floor(100, List.of());
        FakeProgress timedOut = start(floor, "10.0.5.1", 1, "a.bin", 1000);
        FakeProgress deadline = start(floor, "10.0.5.2", 1, "a.bin", 1000);
        FakeProgress clientError = start(floor, "10.0.5.3", 1, "a.bin", 1000);

        floor.transferFinished(summary(timedOut, TransferOutcome.TIMED_OUT, 0, SECOND, ""));
        floor.transferFinished(summary(deadline, TransferOutcome.DEADLINE, 0, SECOND, "Transfer deadline of 1800 s exceeded"));
        floor.transferFinished(summary(clientError, TransferOutcome.CLIENT_ERROR, 0, SECOND, "client error 0: user abort"));

        assertThat(floor.snapshot().phones()).extracting(PhoneView::state, PhoneView::reason).containsExactly(
                tuple(PhoneState.FAILED, "timed out"),
                tuple(PhoneState.FAILED, "deadline: Transfer deadline of 1800 s exceeded"),
                tuple(PhoneState.FAILED, "client error 0: user abort"));
        assertThat(floor.snapshot().counters().failed()).isEqualTo(3);
    }

    @Test
    void aRefusalFailsThePhoneWithTheErrorText() {
        FloorView floor = floor(100, List.of());

        floor.requestRefused(id("10.0.5.17", 41000, "snom999.bin"), new ErrorPacket(1, "File not found"));

        PhoneView phone = only(floor);
        assertThat(phone.state()).isEqualTo(PhoneState.FAILED);
        assertThat(phone.file()).isEqualTo("snom999.bin");
        assertThat(phone.reason()).isEqualTo("File not found");
        assertThat(phone.size()).isZero();
    }

    @Test
    void namesAndClientErrorTextsShowTheirControlCharactersAsEscapes() {
        FloorView floor = floor(100, List.of());
        FakeProgress transfer = start(floor, "10.0.5.17", 41000, "snom\u001b[2J.bin", 1000);
        floor.transferFinished(summary(transfer, TransferOutcome.CLIENT_ERROR, 0, 1, "client error 0: \r\nfake line"));

        PhoneView phone = only(floor);
        assertThat(phone.file()).isEqualTo("snom\\x1b[2J.bin");
        assertThat(phone.reason()).isEqualTo("client error 0: \\x0d\\x0afake line");
    }

    @Test
    void theNewestRequestOfAnAddressDecidesItsState() {
        FloorView floor = floor(100, List.of());
        floor.requestRefused(id("10.0.5.17", 41000, "wrong.bin"), new ErrorPacket(1, "File not found"));
        FakeProgress first = start(floor, "10.0.5.17", 41001, "snom320.bin", 1000);
        FakeProgress retry = start(floor, "10.0.5.17", 41002, "snom320.bin", 1000);
        assertThat(only(floor).state()).isEqualTo(PhoneState.LOADING);

        floor.transferFinished(summary(first, TransferOutcome.TIMED_OUT, 10, SECOND, ""));
        assertThat(only(floor).state()).as("an older attempt ending changes nothing").isEqualTo(PhoneState.LOADING);
        assertThat(floor.snapshot().counters().transfers()).isEqualTo(1);

        floor.transferFinished(summary(retry, TransferOutcome.COMPLETED, 1000, SECOND, ""));
        assertThat(only(floor).state()).isEqualTo(PhoneState.DONE);

        start(floor, "10.0.5.17", 41003, "snom320-config.xml", 10);
        assertThat(only(floor).state()).as("a done phone asking again loads again").isEqualTo(PhoneState.LOADING);
        assertThat(only(floor).file()).isEqualTo("snom320-config.xml");
    }

    @Test
    void rosterAddressesWaitUntilTheyAskAndNetworksNameThePhonesInside() throws Exception {
        FloorView floor = floor(100, List.of(
                new RosterEntry(InetAddress.getByName("10.0.5.0"), 24, "Floor 5"),
                new RosterEntry(InetAddress.getByName("10.0.5.17"), 32, "reception"),
                new RosterEntry(InetAddress.getByName("10.0.5.18"), 32, ""),
                new RosterEntry(InetAddress.getByName("10.0.9.1"), 32, "basement")));

        FloorSnapshot before = floor.snapshot();
        assertThat(before.phones()).extracting(p -> p.address().getHostAddress(), PhoneView::name, PhoneView::state)
                .containsExactly(
                        tuple("10.0.5.17", "reception", PhoneState.WAITING),
                        tuple("10.0.5.18", "Floor 5", PhoneState.WAITING),
                        tuple("10.0.9.1", "basement", PhoneState.WAITING));
        assertThat(before.counters().waiting()).isEqualTo(3);

        FakeProgress reception = start(floor, "10.0.5.17", 1, "snom320.bin", 10);
        start(floor, "10.0.5.99", 1, "snom320.bin", 10);
        start(floor, "192.168.1.5", 1, "snom320.bin", 10);
        floor.transferFinished(summary(reception, TransferOutcome.COMPLETED, 10, SECOND, ""));

        FloorSnapshot after = floor.snapshot();
        assertThat(after.phones()).extracting(p -> p.address().getHostAddress(), PhoneView::name, PhoneView::state,
                PhoneView::expected).containsExactly(
                tuple("10.0.5.17", "reception", PhoneState.DONE, true),
                tuple("10.0.5.18", "Floor 5", PhoneState.WAITING, true),
                tuple("10.0.5.99", "Floor 5", PhoneState.LOADING, true),
                tuple("10.0.9.1", "basement", PhoneState.WAITING, true),
                tuple("192.168.1.5", "", PhoneState.LOADING, false));
        assertThat(after.counters()).isEqualTo(new FloorSnapshot.Counters(5, 2, 2, 1, 0, 1, 2));
    }

    @Test
    void forgetsThePhonesThatFinishedLongestAgoButNeverLoadingOrRosterOnes() throws Exception {
        FloorView floor = floor(5, List.of(new RosterEntry(InetAddress.getByName("10.0.0.1"), 32, "boss")));
        FakeProgress boss = start(floor, "10.0.0.1", 1, "a.bin", 1);
        floor.transferFinished(summary(boss, TransferOutcome.COMPLETED, 1, SECOND, ""));
        FakeProgress stillLoading = start(floor, "10.0.0.2", 1, "a.bin", 1);
        for (int i = 10; i < 20; i++) {
            floor.requestRefused(id("10.0.0." + i, 1, "x.bin"), new ErrorPacket(1, "File not found"));
        }

        List<String> kept = addresses(floor.snapshot());
        assertThat(kept).hasSize(5)
                .containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.17", "10.0.0.18", "10.0.0.19");

        floor.transferFinished(summary(stillLoading, TransferOutcome.COMPLETED, 1, SECOND, ""));
        floor.requestRefused(id("10.0.0.30", 1, "x.bin"), new ErrorPacket(1, "File not found"));
        assertThat(addresses(floor.snapshot())).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.18", "10.0.0.19", "10.0.0.30");
    }

    @Test
    void aPhoneRetryingForeverStaysOneEntryAndTheBookkeepingStaysBounded() {
        FloorView floor = floor(3, List.of());
        for (int i = 0; i < 10_000; i++) {
            floor.requestRefused(id("10.0.0." + (i % 4), 1000 + i % 50000, "x.bin"), new ErrorPacket(1, "File not found"));
        }

        FloorSnapshot snapshot = floor.snapshot();
        assertThat(snapshot.phones()).hasSize(3);
        assertThat(addresses(snapshot)).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
    }

    @Test
    void samplesCountEveryAcknowledgedByteOnceAcrossRunningAndEndedTransfers() {
        FloorView floor = floor(100, List.of());
        FakeProgress a = start(floor, "10.0.0.1", 1, "a.bin", 10_000);
        FakeProgress b = start(floor, "10.0.0.2", 1, "a.bin", 10_000);
        a.bytes = 1000;
        b.bytes = 500;
        now += SECOND;
        floor.sample();

        a.bytes = 3000;
        floor.transferFinished(summary(b, TransferOutcome.COMPLETED, 2500, SECOND, ""));
        now += SECOND;
        floor.sample();

        floor.transferFinished(summary(a, TransferOutcome.TIMED_OUT, 3200, SECOND, ""));
        now += 2 * SECOND;
        floor.sample();
        now += SECOND;
        floor.sample();

        assertThat(floor.snapshot().throughput()).containsExactly(1500L, 4000L, 100L, 0L);
    }

    @Test
    void theThroughputRingKeepsTheNewestSamples() {
        FloorView floor = new FloorView(new FloorSettings(10, Duration.ofSeconds(3), List.of()), () -> now);
        FakeProgress a = start(floor, "10.0.0.1", 1, "a.bin", 10_000);
        for (int i = 1; i <= 5; i++) {
            a.bytes += i;
            now += SECOND;
            floor.sample();
        }

        assertThat(floor.snapshot().throughput()).containsExactly(3L, 4L, 5L);
    }

    @Test
    void snapshotsTakenWhileEventLoopsWriteAreConsistentPerPhone() throws Exception {
        FloorView floor = new FloorView(new FloorSettings(500, Duration.ofSeconds(60), List.of()));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(3);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                writers.add(threads.submit(() -> {
                    started.countDown();
                    for (int i = 0; i < 20_000; i++) {
                        String address = "10." + writer + "." + (i % 250 / 50) + "." + (i % 50);
                        FakeProgress p = new FakeProgress(id(address, 1000 + i % 60000, "f" + i % 7), 100);
                        floor.transferStarted(p);
                        p.bytes = 100;
                        if (i % 3 == 0) {
                            floor.requestRefused(id(address, 1, "x"), new ErrorPacket(1, "File not found"));
                        }
                        floor.transferFinished(new TransferSummary(p.id, i % 5 == 0 ? TransferOutcome.TIMED_OUT
                                : TransferOutcome.COMPLETED, 100, 100, 1000, 512, 1, 0, "", "", p.id.file()));
                    }
                    return null;
                }));
            }
            Future<Integer> reader = threads.submit(() -> {
                started.await();
                int snapshots = 0;
                while (writing.get()) {
                    floor.sample();
                    FloorSnapshot s = floor.snapshot();
                    FloorSnapshot.Counters c = s.counters();
                    assertThat(c.waiting() + c.loading() + c.done() + c.failed()).isEqualTo(c.phones()).isEqualTo(s.phones().size());
                    assertThat(s.phones()).allSatisfy(p -> assertThat(p.bytes()).isBetween(0L, 100L));
                    snapshots++;
                }
                return snapshots;
            });
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            writing.set(false);
            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
        } finally {
            writing.set(false);
            threads.shutdownNow();
        }
        FloorSnapshot end = floor.snapshot();
        assertThat(end.counters().loading()).isZero();
        assertThat(end.counters().transfers()).isZero();
        assertThat(end.phones()).hasSizeLessThanOrEqualTo(500).hasSizeGreaterThan(400);
    }

    @Test
    void countsEachRolloutGroupAgainstItsRelease() {
        FloorView floor = new FloorView(new FloorSettings(100, Duration.ofMinutes(10),
                List.of(new RosterEntry(address("10.0.5.9"), 32, "desk"))),
                List.of(group("canary", "10.0.5.0/24", "releases/b"), group("rest", "10.0.0.0/8", "releases/a")),
                () -> now);
        FakeProgress onRelease = start(floor, "10.0.5.1", 1000, "x.bin", 10);
        floor.transferFinished(served(onRelease, "releases/b/x.bin"));
        FakeProgress behind = start(floor, "10.0.5.2", 1000, "x.bin", 10);
        floor.transferFinished(served(behind, "releases/a/x.bin"));
        start(floor, "10.0.6.1", 1000, "x.bin", 10);
        floor.requestRefused(id("10.0.6.2", 1000, "x.bin"), new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "File not found"));
        start(floor, "192.168.1.1", 1000, "x.bin", 10);

        assertThat(floor.snapshot().groups()).containsExactly(
                new FloorSnapshot.GroupView("canary", "releases/b", 3, 1, 1, 0, 0, 1),
                new FloorSnapshot.GroupView("rest", "releases/a", 2, 0, 0, 1, 1, 0));

        floor.reconfigure(List.of(new RosterEntry(address("10.0.6.9"), 32, "new desk")),
                List.of(group("canary", "10.0.5.0/24", "releases/a")));

        FloorSnapshot after = floor.snapshot();
        assertThat(after.groups()).containsExactly(new FloorSnapshot.GroupView("canary", "releases/a", 2, 1, 1, 0, 0, 0));
        assertThat(after.phones()).extracting(p -> p.address().getHostAddress())
                .as("the phone that never came and left the roster is forgotten; the new one waits")
                .doesNotContain("10.0.5.9").contains("10.0.6.9");
        assertThat(after.phones()).filteredOn(p -> p.address().getHostAddress().equals("10.0.6.9"))
                .singleElement().satisfies(p -> {
                    assertThat(p.name()).isEqualTo("new desk");
                    assertThat(p.state()).isEqualTo(PhoneState.WAITING);
                });
        assertThat(after.phones()).filteredOn(p -> p.address().getHostAddress().equals("10.0.5.1"))
                .singleElement().satisfies(p -> {
                    assertThat(p.served()).isEqualTo("releases/b/x.bin");
                    assertThat(p.expected()).as("not on the new roster").isFalse();
                });
    }

    private static GroupSettings group(String name, String network, String release) {
        return new GroupSettings(name, new Clients(List.of(network), List.of(AddressRange.parse(network).orElseThrow())),
                release);
    }

    private static TransferSummary served(FakeProgress p, String served) {
        return new TransferSummary(p.id, TransferOutcome.COMPLETED, p.size, p.size, 1000, 512, 1, 0, "", "", served);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private FloorView floor(int maxPhones, List<RosterEntry> roster) {
        return new FloorView(new FloorSettings(maxPhones, Duration.ofMinutes(10), roster), () -> now);
    }

    private FakeProgress start(FloorView floor, String address, int port, String file, long size) {
        FakeProgress progress = new FakeProgress(id(address, port, file), size);
        progress.startedAt = now;
        floor.transferStarted(progress);
        return progress;
    }

    private static TransferSummary summary(FakeProgress p, TransferOutcome outcome, long bytes, long nanos, String detail) {
        return new TransferSummary(p.id, outcome, bytes, p.size, nanos, 512, 1, p.retransmits, detail, "", p.id.file());
    }

    private static TransferId id(String address, int port, String file) {
        try {
            return new TransferId(new InetSocketAddress(InetAddress.getByName(address), port), file);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static PhoneView only(FloorView floor) {
        List<PhoneView> phones = floor.snapshot().phones();
        assertThat(phones).hasSize(1);
        return phones.get(0);
    }

    private static List<String> addresses(FloorSnapshot snapshot) {
        List<String> addresses = new ArrayList<>();
        snapshot.phones().forEach(p -> addresses.add(p.address().getHostAddress()));
        return addresses;
    }

    /** A transfer's progress as the floor reads it; the test moves the counters. */
    private static final class FakeProgress implements TransferProgress {
        final TransferId id;
        final long size;
        volatile long bytes;
        volatile long retransmits;
        volatile long startedAt;

        FakeProgress(TransferId id, long size) {
            this.id = id;
            this.size = size;
        }

        @Override
        public TransferId id() {
            return id;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public int blockSize() {
            return 512;
        }

        @Override
        public int windowSize() {
            return 1;
        }

        @Override
        public long startedAtNanos() {
            return startedAt;
        }

        @Override
        public long bytesAcknowledged() {
            return bytes;
        }

        @Override
        public long retransmits() {
            return retransmits;
        }
    }
}

package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.server.testing.TestServer;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code FloorflashServer.stop(drainTime)} in this JVM, with a hand-driven client that acknowledges only when the
 * test says: readiness drops at once, new requests are refused, a running transfer may finish within the drain time
 * and is ended with an ERROR after it. {@link ServiceStopIT} does the same to the real jar with SIGTERM.
 */
class GracefulStopIT {
    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final String SHUTTING_DOWN = "Server shutting down; try again shortly";
    /** Ten 512-byte blocks and an empty eleventh; nothing is resent on its own for a minute. */
    private static final int SIZE = 10 * 512;
    private static final Overrides SLOW_TIMERS = Overrides.none()
            .with(Key.RETRANSMIT_INITIAL_TIMEOUT, Duration.ofSeconds(60))
            .with(Key.RETRANSMIT_MAX_TIMEOUT, Duration.ofSeconds(60))
            .with(Key.RETRANSMIT_ADAPTIVE, false);

    @TempDir
    Path root;

    @Test
    void aTransferRunningAtTheStopFinishesWithinTheDrainWhileNewRequestsAreRefused() throws Exception {
        String sha = SeededFiles.sha256(SeededFiles.write(root, "slow.bin", SIZE, 1));
        try (TestServer server = TestServer.start(root, SLOW_TIMERS); RawPeer phone = new RawPeer(); RawPeer late = new RawPeer()) {
            phone.send(server.port(), RawPeer.request(RawPeer.RRQ, "slow.bin", "octet"));
            RawPeer.Reply first = phone.expectReply(REPLY);
            assertThat(first.opcode()).as("%s", first).isEqualTo(RawPeer.DATA);
            assertThat(server.server().accepting()).isTrue();

            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> server.server().stop(Duration.ofSeconds(30)));

            await("readiness false").atMost(REPLY).until(() -> !server.server().accepting());
            // The HTTP side stays up through the drain and says so.
            String http = "http://127.0.0.1:" + server.server().httpAddress().orElseThrow().getPort();
            assertThat(status(http + "/readyz")).isEqualTo(503);
            assertThat(status(http + "/healthz")).isEqualTo(200);
            late.send(server.port(), RawPeer.request(RawPeer.RRQ, "slow.bin", "octet"));
            RawPeer.Reply refusal = late.expectReply(REPLY);
            assertThat(refusal.opcode()).as("%s", refusal).isEqualTo(RawPeer.ERROR);
            assertThat(refusal.number()).isZero();
            assertThat(refusal.message()).isEqualTo(SHUTTING_DOWN);
            assertThat(stop).as("still draining").isNotDone();

            for (int block = 1; block <= 11; block++) {
                phone.send(first.sourcePort(), RawPeer.ack(block));
                if (block < 11) {
                    RawPeer.Reply data = phone.expectReply(REPLY);
                    assertThat(data.opcode()).as("%s", data).isEqualTo(RawPeer.DATA);
                    assertThat(data.number()).isEqualTo(block + 1);
                }
            }

            stop.get(REPLY.toSeconds(), TimeUnit.SECONDS);
            TransferSummary summary = server.awaitSummaryOf("slow.bin");
            assertThat(summary.outcome()).isEqualTo(TransferOutcome.COMPLETED);
            assertThat(summary.bytes()).isEqualTo(SIZE);
            assertThat(summary.sha256()).isEqualTo(sha);
            assertThat(server.summaries()).hasSize(1);
        }
    }

    @Test
    void aTransferStillRunningAfterTheDrainTimeGetsAnErrorAndIsCancelled() throws Exception {
        SeededFiles.write(root, "stuck.bin", SIZE, 2);
        try (TestServer server = TestServer.start(root, SLOW_TIMERS); RawPeer phone = new RawPeer()) {
            phone.send(server.port(), RawPeer.request(RawPeer.RRQ, "stuck.bin", "octet"));
            RawPeer.Reply first = phone.expectReply(REPLY);
            phone.send(first.sourcePort(), RawPeer.ack(1));
            assertThat(phone.expectReply(REPLY).number()).isEqualTo(2);

            long stopped = System.nanoTime();
            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> server.server().stop(Duration.ofMillis(700)));

            RawPeer.Reply error = phone.expectReply(REPLY);
            long waitedMillis = (System.nanoTime() - stopped) / 1_000_000;
            assertThat(error.opcode()).as("%s", error).isEqualTo(RawPeer.ERROR);
            assertThat(error.sourcePort()).as("from the transfer's own port").isEqualTo(first.sourcePort());
            assertThat(error.message()).isEqualTo(SHUTTING_DOWN);
            assertThat(waitedMillis).as("not before the drain time").isGreaterThanOrEqualTo(700);
            stop.get(REPLY.toSeconds(), TimeUnit.SECONDS);
            TransferSummary summary = server.awaitSummaryOf("stuck.bin");
            assertThat(summary.outcome()).isEqualTo(TransferOutcome.CANCELLED);
            assertThat(summary.detail()).isEqualTo(SHUTTING_DOWN);
            assertThat(summary.bytes()).isEqualTo(512);
            assertThat(phone.receive(Duration.ofMillis(200))).as("the ERROR is sent once").isEmpty();
        }
    }

    private static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(REPLY).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

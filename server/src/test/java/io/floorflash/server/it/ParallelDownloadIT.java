package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.server.testing.TestServer;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A floor of phones at once: 50 downloads by all five clients in parallel, each with the exact bytes. */
class ParallelDownloadIT {
    private static final int DOWNLOADS = 50;
    private static final long BIG = 2 * 1024 * 1024;
    private static final long SMALL = 700_001;

    @Test
    void fiftyClientsAtOnceAllGetTheExactBytes(@TempDir Path root, @TempDir Path downloads) throws Exception {
        Path big = SeededFiles.write(root, "snom320.bin", BIG, 320);
        Path small = SeededFiles.write(root, "snomPA1.bin", SMALL, 1);
        ExecutorService pool = Executors.newFixedThreadPool(DOWNLOADS);
        try (TestServer server = TestServer.start(root)) {
            List<Callable<Void>> fetches = new ArrayList<>();
            Client[] clients = Client.values();
            for (int i = 0; i < DOWNLOADS; i++) {
                Client client = clients[i % clients.length];
                Path source = i % 2 == 0 ? big : small;
                Path out = downloads.resolve(i + "-" + client + "-" + source.getFileName());
                fetches.add(() -> {
                    client.fetch(server.port(), source.getFileName().toString(), out).assertDelivered(source, out);
                    return null;
                });
            }

            List<Future<Void>> results = pool.invokeAll(fetches, 150, TimeUnit.SECONDS);

            List<String> failures = new ArrayList<>();
            for (Future<Void> result : results) {
                if (result.isCancelled()) {
                    failures.add("still running after 150 s");
                    continue;
                }
                try {
                    result.get();
                } catch (ExecutionException e) {
                    failures.add(String.valueOf(e.getCause().getMessage()));
                }
            }
            assertThat(failures).as("failed downloads").isEmpty();
            List<TransferSummary> summaries = server.awaitSummaries(s -> true, DOWNLOADS);
            assertThat(summaries).hasSize(DOWNLOADS).allSatisfy(s -> assertThat(s.outcome()).isEqualTo(TransferOutcome.COMPLETED));
            assertThat(summaries.stream().map(s -> s.id().client()).collect(Collectors.toSet())).hasSize(DOWNLOADS);
            assertThat(server.server().activeTransfers()).isZero();
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("download threads ended").isTrue();
        }
    }
}

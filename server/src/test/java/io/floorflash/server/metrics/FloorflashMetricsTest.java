package io.floorflash.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.protocol.ErrorPacket;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.TestSettings;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.transfer.RefusalReason;
import io.floorflash.server.transfer.SegmentOffload;
import io.floorflash.server.transfer.TransferDirection;
import io.floorflash.server.transfer.TransferId;
import io.floorflash.server.transfer.TransferOutcome;
import io.floorflash.server.transfer.TransferProgress;
import io.floorflash.server.transfer.TransferSummary;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FloorflashMetricsTest {
    private final FloorflashMetrics metrics = new FloorflashMetrics("edge-1");

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void countsFinishedTransfersByOutcomeWithTheirBytesRetransmitsAndDurations() {
        for (int i = 0; i < 3; i++) {
            finish(summary(i, "snom320.bin", TransferOutcome.COMPLETED, 1000, 2, 300));
        }
        finish(summary(7, "snom320.bin", TransferOutcome.TIMED_OUT, 512, 6, 45_000));
        finish(summary(8, "snom320.bin", TransferOutcome.CLIENT_ERROR, 0, 0, 5));

        Exposition e = scrape();
        assertThat(e.value("floorflash_transfers_completed_total")).isEqualTo(3.0);
        assertThat(e.value("floorflash_transfers_failed_total{outcome=\"timed-out\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_transfers_failed_total{outcome=\"client-error\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_transfers_failed_total{outcome=\"deadline\"}")).isZero();
        assertThat(e.value("floorflash_transfer_sent_bytes_total")).isEqualTo(3 * 1000 + 512);
        assertThat(e.value("floorflash_transfer_retransmits_total")).isEqualTo(3 * 2 + 6);
        assertThat(e.value("floorflash_transfer_duration_seconds_count{outcome=\"completed\"}")).isEqualTo(3.0);
        assertThat(e.value("floorflash_transfer_duration_seconds_sum{outcome=\"completed\"}")).isEqualTo(0.9);
        assertThat(e.value("floorflash_transfer_duration_seconds_bucket{outcome=\"completed\",le=\"0.25\"}")).isZero();
        assertThat(e.value("floorflash_transfer_duration_seconds_bucket{outcome=\"completed\",le=\"0.5\"}")).isEqualTo(3.0);
        assertThat(e.value("floorflash_transfer_duration_seconds_bucket{outcome=\"timed-out\",le=\"30.0\"}")).isZero();
        assertThat(e.value("floorflash_transfer_duration_seconds_bucket{outcome=\"timed-out\",le=\"60.0\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_transfer_duration_seconds_bucket{outcome=\"timed-out\",le=\"+Inf\"}")).isEqualTo(1.0);
    }

    @Test
    void labelsEverySeriesWithTheNodesNameTheJvmsIncluded() {
        finish(summary(1, "snom320.bin", TransferOutcome.COMPLETED, 1000, 0, 300));

        String text = new String(metrics.scrape(), StandardCharsets.UTF_8);

        assertThat(Exposition.parse(text).node()).isEqualTo("edge-1");
        assertThat(text).contains("floorflash_transfers_completed_total{node=\"edge-1\"} 1.0",
                "floorflash_transfers_failed_total{node=\"edge-1\",outcome=\"timed-out\"} 0.0",
                "jvm_memory_used_bytes{area=\"heap\",");
    }

    @Test
    void countsUploadsByOutcomeAndTheirBytesApartFromReads() {
        finish(upload(1, TransferOutcome.COMPLETED, 2048));
        finish(upload(2, TransferOutcome.COMPLETED, 10));
        finish(upload(3, TransferOutcome.QUOTA_EXCEEDED, 512));

        Exposition e = scrape();
        assertThat(e.value("floorflash_uploads_total{outcome=\"completed\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_uploads_total{outcome=\"quota-exceeded\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_uploads_total{outcome=\"timed-out\"}")).isZero();
        assertThat(e.value("floorflash_upload_received_bytes_total")).isEqualTo(2048 + 10 + 512);
        assertThat(e.value("floorflash_transfers_completed_total")).isZero();
        assertThat(e.value("floorflash_transfer_sent_bytes_total")).isZero();
    }

    @Test
    void countsStartedTransfersByBlockSizeAndWindowAndTracksTheRunningOnes() {
        metrics.transferStarted(progress(1, 512, 1));
        metrics.transferStarted(progress(2, 1468, 1));
        metrics.transferStarted(progress(3, 1468, 16));
        metrics.transferStarted(progress(4, 8192, 4));
        metrics.transferStarted(progress(5, 1448, 1));

        Exposition e = scrape();
        assertThat(e.value("floorflash_transfers_active")).isEqualTo(5.0);
        assertThat(e.value("floorflash_transfers_started_total{blksize=\"512\",windowsize=\"1\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_transfers_started_total{blksize=\"1468\",windowsize=\"1\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_transfers_started_total{blksize=\"1468\",windowsize=\"many\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_transfers_started_total{blksize=\"other\",windowsize=\"many\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_transfers_started_total{blksize=\"1448\",windowsize=\"1\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_transfers_started_total{blksize=\"512\",windowsize=\"many\"}")).isZero();

        finish(summary(1, "f", TransferOutcome.COMPLETED, 10, 0, 1));
        finish(summary(3, "f", TransferOutcome.CANCELLED, 10, 0, 1));
        assertThat(scrape().value("floorflash_transfers_active")).isEqualTo(3.0);
    }

    @Test
    void countsRefusalsByTftpErrorCodeAndReasonNeverByText() {
        metrics.requestRefused(id(1, "missing.bin"), new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "File not found: missing.bin"),
                RefusalReason.NOT_FOUND);
        metrics.requestRefused(id(2, "../etc/passwd"), new ErrorPacket(ErrorCode.ACCESS_VIOLATION, "Access violation: '../etc/passwd'"),
                RefusalReason.ACCESS_DENIED);
        metrics.requestRefused(id(3, "x"), new ErrorPacket(ErrorCode.ACCESS_VIOLATION, "Access violation: x"),
                RefusalReason.WRITE_REQUEST);
        metrics.requestRefused(id(4, "y"), new ErrorPacket(42, "a code no RFC defines"), RefusalReason.LOAD_FAILED);
        metrics.requestRefused(id(5, "z"), new ErrorPacket(65535, "the largest code a packet can carry"),
                RefusalReason.LOAD_FAILED);
        metrics.requestRefused(id(6, "z"), new ErrorPacket(0, "Server busy: too many transfers from your address"),
                RefusalReason.ADDRESS_BUSY);

        Exposition e = scrape();
        assertThat(e.value("floorflash_requests_refused_total{code=\"1\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_requests_refused_total{code=\"2\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_requests_refused_total{code=\"other\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_requests_refused_total{code=\"0\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_requests_refused_by_reason_total{reason=\"not-found\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_requests_refused_by_reason_total{reason=\"write-request\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_requests_refused_by_reason_total{reason=\"load-failed\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_requests_refused_by_reason_total{reason=\"address-busy\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_requests_refused_by_reason_total{reason=\"busy\"}")).isZero();
        assertThat(text()).doesNotContain("missing.bin").doesNotContain("passwd").doesNotContain("Access violation");
    }

    @Test
    void keepsTheSameSeriesWhateverThousandsOfFilesAndClientsComeAndGo() {
        int before = scrape().size();
        for (int i = 0; i < 1000; i++) {
            String file = "phone-" + i + ".bin";
            metrics.transferStarted(progress(i, file, 512 + i, 1 + i % 3));
            finish(summary(i, file, TransferOutcome.values()[i % TransferOutcome.values().length], i, i % 5, i));
            metrics.requestRefused(id(10_000 + i, file), new ErrorPacket(i % 12, "refused " + file));
        }
        Exposition after = scrape();
        // The JVM's own series (memory pools, buffer pools) are fixed too, so the total does not move.
        assertThat(after.size()).isEqualTo(before);
        assertThat(text()).doesNotContain("phone-").doesNotContain("10.0.0.");
        assertThat(after.value("floorflash_transfers_active")).isZero();
    }

    @Test
    void readsTheFirmwareCacheWhenScraped(@TempDir Path root) throws Exception {
        Files.write(root.resolve("a.bin"), new byte[513]);
        Files.write(root.resolve("b.bin"), new byte[2000]);
        FirmwareStore store = new FirmwareStore(TestSettings.firmware(root, Overrides.none()
                        .with(Key.FIRMWARE_CACHE_MAX_BYTES, 1L << 20)
                        .with(Key.FIRMWARE_MEMORY_BUDGET, (1L << 20) * 3 / 2)
                        .with(Key.FIRMWARE_LOAD_THREADS, 1)),
                Runnable::run, () -> 0L);
        metrics.bindStore(store);
        store.open("a.bin", TransferMode.OCTET).get(5, TimeUnit.SECONDS);
        store.open("a.bin", TransferMode.OCTET).get(5, TimeUnit.SECONDS);
        store.open("a.bin", TransferMode.OCTET).get(5, TimeUnit.SECONDS);
        store.open("b.bin", TransferMode.OCTET).get(5, TimeUnit.SECONDS);

        Exposition e = scrape();
        assertThat(e.value("floorflash_cache_images")).isEqualTo(2.0);
        assertThat(e.value("floorflash_cache_size_bytes")).isEqualTo(513 + 2000);
        assertThat(e.value("floorflash_cache_requests_total{result=\"hit\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_cache_requests_total{result=\"miss\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_cache_hit_ratio")).isEqualTo(0.5);
        assertThat(e.value("floorflash_cache_loads_total{result=\"success\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_cache_evictions_total")).isZero();
        assertThat(e.value("floorflash_image_memory_bytes")).isEqualTo(513 + 2000);
        assertThat(e.value("floorflash_image_memory_budget_bytes")).isEqualTo(3 << 19);
        assertThat(e.value("floorflash_image_memory_refusals_total")).isZero();
        assertThat(e.value("floorflash_loads_stuck")).isZero();
    }

    @Test
    void readsTheAuditLogsLostLinesWhenScraped() {
        metrics.bindAuditLoss(new FloorflashMetrics.AuditLoss() {
            @Override
            public long dropped() {
                return 2;
            }

            @Override
            public long unwritten() {
                return 258;
            }
        });
        System.gc(); // the adapter is held by the metrics alone: it must survive a collection
        Exposition e = scrape();
        assertThat(e.value("floorflash_audit_lines_lost_total{reason=\"queue-full\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_audit_lines_lost_total{reason=\"write-failed\"}")).isEqualTo(258.0);
    }

    @Test
    void readsTheDownloadsWhenScraped() {
        metrics.bindDownloads(new FloorflashMetrics.DownloadStats() {
            @Override
            public int activeDownloads() {
                return 2;
            }

            @Override
            public long bytesSent() {
                return 123_456;
            }
        });
        Exposition e = scrape();
        assertThat(e.value("floorflash_http_downloads_active")).isEqualTo(2.0);
        assertThat(e.value("floorflash_http_sent_bytes_total")).isEqualTo(123_456.0);
    }

    @Test
    void readsEachHttpSidesGuardsWhenScraped() {
        metrics.bindHttpGuards("operator", guards(3, 1, 2, 4, 5), true);
        metrics.bindHttpGuards("firmware", guards(700, 9, 6, 0, 0), false);

        Exposition e = scrape();
        assertThat(e.value("floorflash_http_connections_open{side=\"operator\"}")).isEqualTo(3.0);
        assertThat(e.value("floorflash_http_connections_refused_total{side=\"operator\"}")).isEqualTo(1.0);
        assertThat(e.value("floorflash_http_header_timeouts_total{side=\"operator\"}")).isEqualTo(2.0);
        assertThat(e.value("floorflash_http_requests_denied_total{reason=\"host\",side=\"operator\"}")).isEqualTo(4.0);
        assertThat(e.value("floorflash_http_requests_denied_total{reason=\"token\",side=\"operator\"}")).isEqualTo(5.0);
        assertThat(e.value("floorflash_http_connections_open{side=\"firmware\"}")).isEqualTo(700.0);
        assertThat(e.value("floorflash_http_connections_refused_total{side=\"firmware\"}")).isEqualTo(9.0);
        assertThat(e.value("floorflash_http_header_timeouts_total{side=\"firmware\"}")).isEqualTo(6.0);
        assertThat(text()).as("the firmware side checks no Host and no token")
                .doesNotContain("floorflash_http_requests_denied_total{reason=\"host\",side=\"firmware\"}");
    }

    private static FloorflashMetrics.HttpGuardStats guards(int open, long refused, long timeouts, long host, long token) {
        return new FloorflashMetrics.HttpGuardStats() {
            @Override
            public int connectionsOpen() {
                return open;
            }

            @Override
            public long connectionsRefused() {
                return refused;
            }

            @Override
            public long headerTimeouts() {
                return timeouts;
            }

            @Override
            public long deniedByHost() {
                return host;
            }

            @Override
            public long deniedByToken() {
                return token;
            }
        };
    }

    @Test
    void readsTheSegmentationOffloadWhenScraped() {
        SegmentOffload offload = SegmentOffload.of(true);
        metrics.bindSegmentOffload(offload);
        offload.sent();
        offload.sent();

        Exposition on = scrape();
        assertThat(on.value("floorflash_udp_gso_enabled")).isEqualTo(1.0);
        assertThat(on.value("floorflash_udp_gso_sends_total")).isEqualTo(2.0);
        offload.sendFailed(new UnsupportedOperationException("no UDP_SEGMENT"));
        assertThat(scrape().value("floorflash_udp_gso_enabled")).as("refused by the kernel").isEqualTo(0.0);
    }

    @Test
    void exposesTheJvmDirectBuffersAndNettysAllocator() {
        Exposition e = scrape();
        assertThat(e.value("jvm_buffer_memory_used_bytes{id=\"direct\"}")).isGreaterThanOrEqualTo(0.0);
        assertThat(e.value("floorflash_netty_allocator_used_bytes{memory=\"direct\"}")).isGreaterThanOrEqualTo(0.0);
        assertThat(e.value("process_uptime_seconds")).isGreaterThan(0.0);
        assertThat(e.samples()).containsKey("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}");
    }

    @Test
    void namesTheContentTypeOfPrometheusTextFormat() throws Exception {
        assertThat(FloorflashMetrics.CONTENT_TYPE).isEqualTo(PrometheusTextFormatWriter.CONTENT_TYPE);
        assertThat(new String(metrics.scrapeAsync().get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                .contains("# TYPE floorflash_transfers_completed_total counter");
    }

    @Test
    void refusesToScrapeOffTheLoopOnceClosed() {
        metrics.close();
        assertThat(metrics.scrapeAsync()).isCompletedExceptionally();
    }

    private void finish(TransferSummary summary) {
        metrics.transferFinished(summary);
    }

    private Exposition scrape() {
        return Exposition.parse(text());
    }

    private String text() {
        return new String(metrics.scrape(), StandardCharsets.UTF_8);
    }

    private static TransferId id(int client, String file) {
        return new TransferId(new InetSocketAddress("10.0.0." + (1 + client % 250), 40_000 + client % 20_000), file);
    }

    private static TransferSummary summary(int client, String file, TransferOutcome outcome, long bytes, long retransmits,
                                           long millis) {
        return new TransferSummary(id(client, file), outcome, bytes, bytes, TimeUnit.MILLISECONDS.toNanos(millis), 512, 1,
                retransmits, outcome == TransferOutcome.COMPLETED ? "" : "detail about " + file, "", file);
    }

    private static TransferSummary upload(int client, TransferOutcome outcome, long bytes) {
        return new TransferSummary(id(client, "log.txt"), outcome, bytes, bytes, 0, 512, 1, 0, "", "",
                TransferDirection.WRITE);
    }

    private static TransferProgress progress(int client, int blockSize, int windowSize) {
        return progress(client, "f", blockSize, windowSize);
    }

    private static TransferProgress progress(int client, String file, int blockSize, int windowSize) {
        TransferId id = id(client, file);
        return new TransferProgress() {
            @Override
            public TransferId id() {
                return id;
            }

            @Override
            public long size() {
                return 1000;
            }

            @Override
            public int blockSize() {
                return blockSize;
            }

            @Override
            public int windowSize() {
                return windowSize;
            }

            @Override
            public long startedAtNanos() {
                return 0;
            }

            @Override
            public long bytesAcknowledged() {
                return 0;
            }

            @Override
            public long retransmits() {
                return 0;
            }
        };
    }
}

package io.floorflash.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookMetricsTest {
    private final FloorflashMetrics metrics = new FloorflashMetrics("edge-1");

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void readsTheWebhooksCountsWhenScraped() {
        metrics.bindWebhook(new FloorflashMetrics.WebhookStats() {
            @Override
            public long delivered() {
                return 40;
            }

            @Override
            public long failed() {
                return 3;
            }

            @Override
            public long dropped() {
                return 7;
            }

            @Override
            public long retries() {
                return 12;
            }

            @Override
            public int queued() {
                return 5;
            }
        });
        System.gc(); // the adapter is held by the metrics alone: it must survive a collection

        Exposition e = Exposition.parse(new String(metrics.scrape(), StandardCharsets.UTF_8));

        assertThat(e.value("floorflash_webhook_deliveries_total{result=\"delivered\"}")).isEqualTo(40.0);
        assertThat(e.value("floorflash_webhook_deliveries_total{result=\"failed\"}")).isEqualTo(3.0);
        assertThat(e.value("floorflash_webhook_deliveries_total{result=\"dropped\"}")).isEqualTo(7.0);
        assertThat(e.value("floorflash_webhook_retries_total")).isEqualTo(12.0);
        assertThat(e.value("floorflash_webhook_queued")).isEqualTo(5.0);
    }
}

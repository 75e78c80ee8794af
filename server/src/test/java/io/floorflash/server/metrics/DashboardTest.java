package io.floorflash.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fleet dashboard's shape, and the tokenizer that finds the metrics it reads ({@code FleetMetricsIT} scrapes). */
class DashboardTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "floorflash_transfers_active | floorflash_transfers_active",
        "sum by (node) (rate(floorflash_transfers_completed_total{node=~\"$node\"}[$__rate_interval])) | floorflash_transfers_completed_total",
        "sum(rate(a_total[5m])) without (instance, job) / on (node) group_left (site) b | a_total,b",
        "histogram_quantile(0.95, sum by (node, le) (rate(d_seconds_bucket{outcome=\"x{y}\"}[1m]))) | d_seconds_bucket",
        "max_over_time(x[1h:5m] offset 1d) > bool 3 and y unless z{a=\"b\"} | x,y,z",
        "rate(m{node=~\"${node}\"}[[[interval]]]) * 1e3 | m",
        "count_values(\"v\", build_info) or vector(0) | build_info",
        "sum without(le) (q) | q",
    })
    void findsMetricNamesButNotFunctionsLabelsNumbersOrVariables(String expr, String names) {
        assertThat(PromQlNames.of(expr)).containsExactly(names.split(","));
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> PromQlNames.of("rate(x{a=\"b}[5m])")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromQlNames.of("sum(x{a=\"b\"")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyPanelQueriesFloorflashSeriesOfTheChosenNodes() throws IOException {
        Dashboard dashboard = Dashboard.read();

        assertThat(dashboard.expressions()).hasSizeGreaterThanOrEqualTo(12).allSatisfy(expr -> {
            assertThat(expr).contains("node=~\"$node\"");
            assertThat(PromQlNames.of(expr)).isNotEmpty().allMatch(name -> name.startsWith("floorflash_"));
        });
        assertThat(Dashboard.labelValues(dashboard.variable("node"))).containsExactly("floorflash_transfers_active", "node");
        assertThat(dashboard.variable("node").path("multi").asBoolean()).isTrue();
        assertThat(dashboard.variable("datasource").path("query").asText()).isEqualTo("prometheus");
        assertThat(dashboard.json().path("uid").asText()).isEqualTo("floorflash-fleet");
    }

    @Test
    void hasThePanelsAFleetIsWatchedBy() throws IOException {
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : Dashboard.read().panels()) {
            titles.add(panel.path("title").asText());
        }

        assertThat(titles).contains("Transfers completed per node", "Failures by outcome", "Goodput", "Origin fetches",
                "Origin errors", "Cache hit ratio", "Refusals by reason", "Active transfers", "Uploads by outcome",
                "Webhook deliveries");
    }

    @Test
    void panelsHaveUniqueIdsAndEveryTargetAReference() throws IOException {
        List<JsonNode> panels = Dashboard.read().panels();

        assertThat(panels).extracting(p -> p.path("id").asInt()).doesNotHaveDuplicates().doesNotContain(0);
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("refId").asText()).as(panel.path("title").asText()).isNotEmpty();
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            }
        }
    }

    @Test
    void thePendingOriginMetricsAreOnesTheDashboardQueries() throws IOException {
        assertThat(Dashboard.read().metricNames()).contains("floorflash_origin_fetches_total",
                "floorflash_origin_errors_total", "floorflash_origin_cache_age_seconds");
    }
}

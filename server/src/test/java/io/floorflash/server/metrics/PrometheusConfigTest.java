package io.floorflash.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.server.http.MetricsRoute;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Prometheus example in {@code packaging/prometheus/}: it parses, scrapes {@code /metrics} with the operator
 * side's bearer token from a file (never inline), and its file_sd example has the shape Prometheus reads. Structure
 * only: no promtool here.
 */
class PrometheusConfigTest {
    private static final Path DIR = Path.of("..", "packaging", "prometheus");

    @Test
    void everyJobScrapesMetricsWithTheTokenFromAFile() throws IOException {
        Map<String, Object> config = map(load(DIR.resolve("prometheus.yml")));
        List<Object> jobs = list(config.get("scrape_configs"));

        assertThat(jobs).hasSizeGreaterThanOrEqualTo(2);
        boolean staticJob = false;
        boolean fileJob = false;
        for (Object item : jobs) {
            Map<String, Object> job = map(item);
            assertThat(job.get("metrics_path")).isEqualTo(MetricsRoute.PATH);
            Map<String, Object> auth = map(job.get("authorization"));
            assertThat(auth.get("type")).isEqualTo("Bearer");
            assertThat((String) auth.get("credentials_file")).startsWith("/etc/prometheus/");
            assertThat(auth).doesNotContainKey("credentials");
            if (job.containsKey("static_configs")) {
                staticJob = true;
                for (Object group : list(job.get("static_configs"))) {
                    assertThat(list(map(group).get("targets"))).isNotEmpty()
                            .allSatisfy(target -> assertThat((String) target).matches("[A-Za-z0-9.-]+:\\d+"));
                }
            }
            if (job.containsKey("file_sd_configs")) {
                fileJob = true;
                assertThat(list(map(list(job.get("file_sd_configs")).get(0)).get("files"))).isNotEmpty();
            }
        }
        assertThat(staticJob).as("a job with static targets").isTrue();
        assertThat(fileJob).as("a job with file_sd").isTrue();
    }

    @Test
    void theFileSdExampleIsAListOfTargetGroups() throws IOException {
        List<Object> groups = list(load(DIR.resolve("file_sd/floorflash-nodes.yml")));

        assertThat(groups).isNotEmpty().allSatisfy(group -> {
            assertThat(map(group)).containsOnlyKeys("targets", "labels");
            assertThat(list(map(group).get("targets"))).isNotEmpty();
        });
    }

    static Object load(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file)) {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }
}

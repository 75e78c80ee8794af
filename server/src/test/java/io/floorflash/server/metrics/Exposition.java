package io.floorflash.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus text exposition (format 0.0.4): each sample line {@code name{labels} value} by its series,
 * {@code name{labels}} exactly as printed. A line that is neither a comment nor a well-formed sample fails the test.
 */
public final class Exposition {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");

    private final Map<String, Double> samples;

    private Exposition(Map<String, Double> samples) {
        this.samples = samples;
    }

    public static Exposition parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("exposition line '%s'", line).isTrue();
            assertThat(samples.put(m.group(1), Double.parseDouble(m.group(2)))).as("series %s twice", m.group(1)).isNull();
        }
        return new Exposition(samples);
    }

    /** The value of {@code series} ({@code name} or {@code name{label="value",...}}); fails when absent. */
    public double value(String series) {
        assertThat(samples).as("series").containsKey(series);
        return samples.get(series);
    }

    /** How many series there are. */
    public int size() {
        return samples.size();
    }

    public Map<String, Double> samples() {
        return samples;
    }
}

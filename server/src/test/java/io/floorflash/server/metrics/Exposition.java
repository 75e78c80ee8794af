package io.floorflash.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus text exposition (format 0.0.4): each sample line {@code name{labels} value} by its series,
 * {@code name{labels}} exactly as printed but without the {@code node} label. Every series must carry that label (the
 * node's name, a common tag), with one value for the whole exposition, which {@link #node()} returns; leaving it out of
 * the keys keeps the tests' series names those of one node. A line that is neither a comment nor a well-formed sample
 * fails the test.
 */
public final class Exposition {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final Map<String, Double> samples;
    private final String node;

    private Exposition(Map<String, Double> samples, String node) {
        this.samples = samples;
        this.node = node;
    }

    public static Exposition parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        Set<String> nodes = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("exposition line '%s'", line).isTrue();
            StringBuilder labels = new StringBuilder();
            String node = null;
            Matcher label = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            int end = 0;
            while (label.lookingAt()) {
                if (label.group(1).equals(FloorflashMetrics.NODE_TAG)) {
                    node = label.group(2);
                } else {
                    labels.append(labels.length() == 0 ? "" : ",").append(label.group(1)).append("=\"")
                            .append(label.group(2)).append('"');
                }
                end = label.end();
                label.region(end, label.regionEnd());
            }
            assertThat(end).as("labels of '%s'", line).isEqualTo(m.group(2) == null ? 0 : m.group(2).length());
            assertThat(node).as("the node label of '%s'", line).isNotNull();
            nodes.add(node);
            String series = labels.length() == 0 ? m.group(1) : m.group(1) + "{" + labels + "}";
            assertThat(samples.put(series, Double.parseDouble(m.group(3)))).as("series %s twice", series).isNull();
        }
        assertThat(nodes).as("node names in one exposition").hasSizeLessThanOrEqualTo(1);
        return new Exposition(samples, nodes.isEmpty() ? "" : nodes.iterator().next());
    }

    /** The value of {@code series} ({@code name} or {@code name{label="value",...}}, no node); fails when absent. */
    public double value(String series) {
        assertThat(samples).as("series").containsKey(series);
        return samples.get(series);
    }

    /** The node every series is labelled with. */
    public String node() {
        return node;
    }

    /** How many series there are. */
    public int size() {
        return samples.size();
    }

    /** Every sample by its series (without the node label). */
    public Map<String, Double> samples() {
        return samples;
    }
}

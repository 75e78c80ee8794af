package io.floorflash.server.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The fleet dashboard shipped in {@code packaging/grafana/}: its queries and the metric names they read. */
public final class Dashboard {
    /** The shipped file, from the server module's directory (where Maven runs its tests). */
    public static final Path FILE = Path.of("..", "packaging", "grafana", "floorflash-fleet.json");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

    private final JsonNode root;

    private Dashboard(JsonNode root) {
        this.root = root;
    }

    public static Dashboard read() throws IOException {
        return new Dashboard(new ObjectMapper().readTree(FILE.toFile()));
    }

    public JsonNode json() {
        return root;
    }

    /** Every panel's {@code targets[].expr}, rows' nested panels included. */
    public List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        return exprs;
    }

    /** Every panel, those inside rows included. */
    public List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    /** The template variable named {@code name}. */
    public JsonNode variable(String name) {
        for (JsonNode variable : root.path("templating").path("list")) {
            if (variable.path("name").asText().equals(name)) {
                return variable;
            }
        }
        throw new AssertionError("no template variable " + name);
    }

    /** {@code label_values(metric, label)} of a template variable's query, as {metric, label}; fails otherwise. */
    public static List<String> labelValues(JsonNode variable) {
        Matcher m = LABEL_VALUES.matcher(variable.path("query").path("query").asText(variable.path("query").asText()));
        if (!m.matches()) {
            throw new AssertionError("not a label_values(metric, label) query: " + variable.path("query"));
        }
        return List.of(m.group(1), m.group(2));
    }

    /** Every metric name the panels and the template variables read. */
    public Set<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        for (String expr : expressions()) {
            names.addAll(PromQlNames.of(expr));
        }
        for (JsonNode variable : root.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                names.add(labelValues(variable).get(0));
            }
        }
        return names;
    }
}

package io.floorflash.config;

import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One of {@code floorflash.rules}: which clients and names it is for, and what it does with them. The first rule that
 * matches a request decides it.
 *
 * @param index   position in the list, from 0
 * @param text    the rule as written (HOCON, on one line), for explanations
 * @param clients whose requests it takes
 * @param name    which names it takes
 * @param action  what it does
 */
public record RuleSettings(int index, String text, Clients clients, NameMatch name, Action action) {
    static final Set<String> KEYS = Set.of("clients", "name", "glob", "file", "ignore-case", "serve", "deny", "render");
    static final Set<String> RENDER_KEYS = Set.of("template", "inventory", "mac", "fallback", "escape");

    public RuleSettings {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(action, "action");
    }

    /** What a matching rule does. */
    public sealed interface Action permits Serve, Deny, Render {
    }

    /** Serves the file at {@code path} (captures substituted) below the firmware root. */
    public record Serve(PathTemplate path) implements Action {
    }

    /** Refuses with ERROR 2 and the operator's {@code text}. */
    public record Deny(String text) implements Action {
    }

    /**
     * Serves a file made for the device from {@code template} and its row of {@code inventory}, the device's MAC taken
     * from the capture {@code mac}; a device not in the inventory gets {@code fallback} (a file below the root, with
     * captures) or, when there is none, ERROR 1.
     */
    public record Render(Path template, Path inventory, String mac, PathTemplate fallback, Escape escape)
            implements Action {
    }

    /** How inventory values are escaped into a template. */
    public enum Escape { NONE, XML, HTML }

    /** Reads one entry of {@code floorflash.rules}. */
    static RuleSettings read(ConfigReader in, int index, List<RosterEntry> roster) {
        in.onlyKeys(KEYS);
        Clients clients = Clients.read(in, "clients", roster);
        boolean ignoreCase = in.has("ignore-case") && in.bool("ignore-case");
        NameMatch name = NameMatch.ANY;
        List<String> kinds = new ArrayList<>();
        for (String kind : List.of("name", "glob", "file")) {
            if (in.has(kind)) {
                kinds.add(kind);
            }
        }
        if (kinds.size() > 1) {
            in.problem("has " + String.join(" and ", kinds) + " (expected: at most one of name, glob, file)");
        } else if (kinds.size() == 1) {
            String kind = kinds.get(0);
            String written = in.string(kind);
            name = in.read(kind, k -> switch (k) {
                case "name" -> NameMatch.exact(written.replaceFirst("^/+", ""), ignoreCase);
                case "glob" -> NameMatch.glob(written.replaceFirst("^/+", ""), ignoreCase);
                default -> NameMatch.regex(written, ignoreCase);
            }, NameMatch.ANY);
        }
        List<String> actions = new ArrayList<>();
        for (String kind : List.of("serve", "deny", "render")) {
            if (in.has(kind)) {
                actions.add(kind);
            }
        }
        NameMatch names = name;
        Action action = null;
        if (actions.size() != 1) {
            in.problem(actions.isEmpty() ? "no action (expected: one of serve, deny, render)"
                    : "has " + String.join(" and ", actions) + " (expected: one of serve, deny, render)");
        } else if (actions.get(0).equals("serve")) {
            action = in.read("serve", k -> new Serve(template(in.string(k), names)), null);
        } else if (actions.get(0).equals("deny")) {
            String text = in.string("deny").strip();
            if (text.isEmpty() || text.length() > 200 || text.chars().anyMatch(Character::isISOControl)) {
                in.problem("deny", "'" + text.replaceAll("\\p{Cntrl}", "?") + "' (expected: the text sent in the ERROR,"
                        + " 1-200 characters, no control characters)");
            }
            action = new Deny(text);
        } else {
            action = render(in.at("render"), name);
        }
        String text = in.config().root().render(ConfigRenderOptions.concise());
        Action chosen = action;
        return in.build(() -> new RuleSettings(index, text, clients, names, chosen));
    }

    private static Render render(ConfigReader in, NameMatch name) {
        in.onlyKeys(RENDER_KEYS);
        Path template = in.file("template");
        Path inventory = in.file("inventory");
        String mac = in.has("mac") ? in.string("mac").strip() : "1";
        if (!name.captures(mac) || mac.equals("0")) {
            in.problem("mac", "'" + mac + "' (expected: the capture of the rule's name that holds the MAC, such as 1 or"
                    + " a named group; this rule's name has " + name.groups() + " numbered capture"
                    + (name.groups() == 1 ? "" : "s") + (name.named().isEmpty() ? "" : " and " + name.named()) + ")");
        }
        PathTemplate fallback = in.has("fallback") && !in.string("fallback").isBlank()
                ? in.read("fallback", k -> template(in.string(k), name), null) : null;
        Escape escape = in.has("escape") ? in.enumValue("escape", Escape.class) : Escape.NONE;
        return new Render(template, inventory, mac, fallback, escape);
    }

    /** {@code written} parsed, its references checked against the name's captures and the built-in ones. */
    private static PathTemplate template(String written, NameMatch name) {
        PathTemplate template = PathTemplate.parse(written.strip());
        for (String reference : template.references()) {
            if (!name.captures(reference) && !PathTemplate.BUILT_IN.contains(reference)) {
                throw new IllegalArgumentException("'" + written + "' refers to '" + reference + "' (expected: a capture"
                        + " of the rule's " + name + ", which has " + name.groups() + " numbered"
                        + (name.named().isEmpty() ? "" : " and " + name.named() + " named")
                        + ", or one of " + String.join(", ", new TreeSet<>(PathTemplate.BUILT_IN)) + ")");
            }
        }
        if (written.isBlank()) {
            throw new IllegalArgumentException("'' (expected: a path below the firmware root)");
        }
        return template;
    }

    /** Where the rule is written: {@code floorflash.rules[2]}, counted from 0. */
    public String label() {
        return "floorflash.rules[" + index + "]";
    }

    @Override
    public String toString() {
        return label() + " " + text;
    }
}

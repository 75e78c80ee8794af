package io.floorflash.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which phone gets which file: {@code floorflash.rules} (first match wins) and {@code floorflash.groups} (staged
 * rollouts). Both empty: every name is served as asked, from the root. Reloadable (SIGHUP).
 */
public record ProvisioningSettings(List<RuleSettings> rules, List<GroupSettings> groups) {
    /** No rules, no groups: names served as asked. */
    public static final ProvisioningSettings NONE = new ProvisioningSettings(List.of(), List.of());
    /** More rules than this is a mistake (a generated list gone wrong), and each request walks them all. */
    static final int MAX_RULES = 10_000;

    public ProvisioningSettings {
        rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
        groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
    }

    /** The group {@code client} belongs to: the first that lists it; null when none does. */
    public GroupSettings groupOf(java.net.InetAddress client) {
        for (GroupSettings group : groups) {
            if (group.clients().matches(client)) {
                return group;
            }
        }
        return null;
    }

    /** Reads {@code floorflash.rules} and {@code floorflash.groups}; names in them refer to {@code roster}. */
    static ProvisioningSettings read(ConfigReader floorflash, List<RosterEntry> roster, Path root) {
        List<ConfigReader> ruleItems = floorflash.items("rules");
        List<RuleSettings> rules = new ArrayList<>();
        if (ruleItems.size() > MAX_RULES) {
            floorflash.problem("rules", ruleItems.size() + " rules (expected: at most " + MAX_RULES + ")");
        } else {
            for (int i = 0; i < ruleItems.size(); i++) {
                rules.add(RuleSettings.read(ruleItems.get(i), i, roster));
            }
        }
        List<GroupSettings> groups = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        List<ConfigReader> groupItems = floorflash.items("groups");
        for (int i = 0; i < groupItems.size(); i++) {
            GroupSettings group = GroupSettings.read(groupItems.get(i), roster, root);
            if (group != null) {
                Integer before = names.putIfAbsent(group.name(), i);
                if (before != null) {
                    groupItems.get(i).problem("name", "'" + group.name() + "' is used twice (also floorflash.groups["
                            + before + "])");
                }
            }
            groups.add(group);
        }
        return floorflash.build(() -> new ProvisioningSettings(rules, groups));
    }
}

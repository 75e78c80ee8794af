package io.floorflash.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One of {@code floorflash.groups}: phones rolled out together (a canary floor, then the rest), and the release (a
 * folder below the firmware root) they are on. A client belongs to the first group that lists it. Names it asks for
 * are served from its group's release folder unless a rule decides otherwise; rules can use {@code ${release}}.
 *
 * @param name    shown on the floor page
 * @param clients who belongs to it
 * @param release folder below the firmware root, {@code /} between folders; empty: the root itself
 */
public record GroupSettings(String name, Clients clients, String release) {
    static final Set<String> KEYS = Set.of("name", "clients", "release");
    private static final int MAX_NAME_LENGTH = 64;

    public GroupSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(release, "release");
    }

    /** Reads one entry of {@code floorflash.groups}; {@code root} is the firmware root its release must lie below. */
    static GroupSettings read(ConfigReader in, List<RosterEntry> roster, Path root) {
        in.onlyKeys(KEYS);
        String name = in.string("name").strip();
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            in.problem("name", "'" + name.replaceAll("\\p{Cntrl}", "?") + "' (expected: 1-" + MAX_NAME_LENGTH
                    + " characters, no control characters)");
        }
        if (!in.has("clients")) {
            in.problem("clients", "missing (expected: the group's addresses, networks or roster names)");
        }
        Clients clients = Clients.read(in, "clients", roster);
        String release = in.has("release") ? in.string("release").strip().replace('\\', '/') : "";
        release = release.replaceAll("^/+|/+$", "");
        if (!release.isEmpty()) {
            boolean climbs = false;
            for (String part : release.split("/+")) {
                climbs |= part.equals("..") || part.equals(".");
            }
            if (climbs) {
                in.problem("release", "'" + release + "' (expected: a folder below the firmware root, without . or ..)");
            } else if (root != null && !Files.isDirectory(root.resolve(release))) {
                in.problem("release", "'" + release + "' (expected: a folder below the firmware root " + root
                        + "; it is not there)");
            }
        }
        String folder = release;
        return in.build(() -> new GroupSettings(name, clients, folder));
    }

    @Override
    public String toString() {
        return "group '" + name + "'" + (release.isEmpty() ? "" : " (release " + release + ")");
    }
}

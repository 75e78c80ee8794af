package io.floorflash.server.provisioning.render;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The devices a rule renders files for, from a CSV file (RFC 4180) with a header row: a {@code mac} column (any
 * case) and one column per variable the templates use, such as {@code mac,name,extension,password}. Each device's
 * variables are its row; its MAC is normalised ({@link MacAddress}), so the file may write it in any of the usual
 * forms. Immutable once parsed.
 */
public final class Inventory {
    /** The column every inventory has. */
    public static final String MAC_COLUMN = "mac";
    /** A column name is a template variable: letters, digits, {@code _} and {@code -}, no dots (Mustache's paths). */
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    private final List<String> columns;
    private final Map<MacAddress, Map<String, String>> devices;

    private Inventory(List<String> columns, Map<MacAddress, Map<String, String>> devices) {
        this.columns = List.copyOf(columns);
        this.devices = Map.copyOf(devices);
    }

    /**
     * Parses {@code csv}.
     *
     * @param source what to call the file in problems (its path)
     * @throws RenderException listing every problem found, each with its line: malformed quoting, a missing or
     *                         repeated column, a row with the wrong number of fields, a malformed or repeated MAC
     */
    public static Inventory parse(String csv, String source) {
        CsvRecords.Parsed parsed = CsvRecords.parse(csv);
        List<String> problems = new ArrayList<>(parsed.problems());
        if (parsed.rows().isEmpty()) {
            problems.add("no header row (expected: a first line such as mac,name,extension)");
            throw new RenderException("inventory " + source, problems);
        }
        CsvRecords.Row header = parsed.rows().get(0);
        List<String> columns = new ArrayList<>();
        int macIndex = -1;
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String name = header.fields().get(i).strip();
            if (name.equalsIgnoreCase(MAC_COLUMN)) {
                name = MAC_COLUMN;
            }
            columns.add(name);
            if (!COLUMN.matcher(name).matches()) {
                problems.add("line " + header.line() + ": column " + (i + 1) + " '" + name + "' (expected: a name of"
                        + " letters, digits, _ and -, starting with a letter or _)");
            } else if (TemplateVariables.isReserved(name)) {
                problems.add("line " + header.line() + ": column '" + name + "' is reserved for the MAC's forms"
                        + " (expected: another name)");
            } else if (seen.putIfAbsent(name.toLowerCase(Locale.ROOT), i) != null) {
                problems.add("line " + header.line() + ": column '" + name + "' appears twice (expected: each column"
                        + " once)");
            } else if (name.equals(MAC_COLUMN)) {
                macIndex = i;
            }
        }
        if (macIndex < 0) {
            problems.add("line " + header.line() + ": no mac column (expected: a header such as mac,name,extension)");
            throw new RenderException("inventory " + source, problems);
        }
        Map<MacAddress, Map<String, String>> devices = new LinkedHashMap<>();
        Map<MacAddress, Integer> lineOf = new HashMap<>();
        for (CsvRecords.Row row : parsed.rows().subList(1, parsed.rows().size())) {
            if (row.fields().size() != columns.size()) {
                problems.add("line " + row.line() + ": " + row.fields().size() + " field" + (row.fields().size() == 1 ? ""
                        : "s") + " (expected: " + columns.size() + ", as the header has)");
                continue;
            }
            String raw = row.fields().get(macIndex);
            Optional<MacAddress> mac = MacAddress.parse(raw);
            if (mac.isEmpty()) {
                problems.add("line " + row.line() + ": mac '" + raw.strip() + "' (expected: " + MacAddress.EXPECTED + ")");
                continue;
            }
            Integer before = lineOf.putIfAbsent(mac.get(), row.line());
            if (before != null) {
                problems.add("line " + row.line() + ": mac " + mac.get() + " is on line " + before + " too (expected:"
                        + " each device once)");
                continue;
            }
            Map<String, String> variables = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                variables.put(columns.get(i), row.fields().get(i));
            }
            devices.put(mac.get(), Collections.unmodifiableMap(variables));
        }
        if (!problems.isEmpty()) {
            throw new RenderException("inventory " + source, problems);
        }
        return new Inventory(columns, devices);
    }

    /** The variables of the device with {@code mac} (every column, {@code mac} as the file wrote it), or empty. */
    public Optional<Map<String, String>> device(MacAddress mac) {
        return Optional.ofNullable(devices.get(mac));
    }

    /** The header's column names, in order. */
    public List<String> columns() {
        return columns;
    }

    /** The devices listed. */
    public Set<MacAddress> macs() {
        return devices.keySet();
    }

    public int size() {
        return devices.size();
    }
}

package io.floorflash.config;

import java.util.List;

/** Every problem found in a configuration, reported at once: one line each, "key: value (expected: ...)". */
public final class SettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public SettingsException(List<String> problems) {
        super("invalid configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

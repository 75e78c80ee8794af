package io.floorflash.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * A rule's path with references: {@code releases/10.1.2/snom$1.bin}. {@code $1} (or {@code ${1}}) is a numbered
 * capture of the rule's name pattern, {@code ${model}} a named one, {@code ${release}} the client's group's release
 * folder, {@code ${client}} the client's address and {@code ${file}} the whole requested name. {@code ${1:lower}} and
 * {@code ${1:upper}} fold the case (tftp-hpa's remap folds case the same way); {@code $$} is a dollar sign.
 */
public final class PathTemplate {
    /** The references every rule may use besides its captures. */
    public static final Set<String> BUILT_IN = Set.of("release", "client", "file");

    private final String written;
    /** Literal text and references, in order. */
    private final List<Part> parts;

    private record Part(String literal, String reference, Fold fold) {
    }

    private enum Fold { NONE, LOWER, UPPER }

    private PathTemplate(String written, List<Part> parts) {
        this.written = written;
        this.parts = parts;
    }

    /**
     * Parses {@code written}.
     *
     * @throws IllegalArgumentException "'...' (expected: ...)" when a reference is malformed
     */
    public static PathTemplate parse(String written) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < written.length()) {
            char c = written.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 >= written.length()) {
                throw malformed(written, "ends with a lone '$'");
            }
            char next = written.charAt(i + 1);
            String reference;
            Fold fold = Fold.NONE;
            if (next == '$') {
                literal.append('$');
                i += 2;
                continue;
            } else if (Character.isDigit(next)) {
                reference = String.valueOf(next);
                i += 2;
            } else if (next == '{') {
                int close = written.indexOf('}', i + 2);
                if (close < 0) {
                    throw malformed(written, "has '${' without '}'");
                }
                String inside = written.substring(i + 2, close);
                int colon = inside.indexOf(':');
                if (colon >= 0) {
                    String how = inside.substring(colon + 1);
                    if (how.equals("lower")) {
                        fold = Fold.LOWER;
                    } else if (how.equals("upper")) {
                        fold = Fold.UPPER;
                    } else {
                        throw malformed(written, "folds case with ':" + how + "' (':lower' or ':upper')");
                    }
                    inside = inside.substring(0, colon);
                }
                if (!inside.matches("\\d+|[A-Za-z][A-Za-z0-9]*")) {
                    throw malformed(written, "refers to '" + inside + "'");
                }
                reference = inside;
                i = close + 1;
            } else {
                throw malformed(written, "has '$' before '" + next + "'");
            }
            if (literal.length() > 0) {
                parts.add(new Part(literal.toString(), null, Fold.NONE));
                literal.setLength(0);
            }
            parts.add(new Part(null, reference, fold));
        }
        if (literal.length() > 0) {
            parts.add(new Part(literal.toString(), null, Fold.NONE));
        }
        return new PathTemplate(written, List.copyOf(parts));
    }

    private static IllegalArgumentException malformed(String written, String what) {
        return new IllegalArgumentException("'" + written + "' " + what + " (expected: text with $1, ${1}, ${name},"
                + " ${release}, ${client} or ${file}, optionally ${1:lower} or ${1:upper}; $$ for a dollar sign)");
    }

    /** Every reference, in order of first use: "1", "model", "release". */
    public Set<String> references() {
        Set<String> references = new LinkedHashSet<>();
        for (Part part : parts) {
            if (part.reference() != null) {
                references.add(part.reference());
            }
        }
        return references;
    }

    /** The text with each reference replaced by {@code values}' answer (a capture that matched nothing is ""). */
    public String expand(Function<String, String> values) {
        StringBuilder out = new StringBuilder(written.length() + 32);
        for (Part part : parts) {
            if (part.literal() != null) {
                out.append(part.literal());
                continue;
            }
            String value = values.apply(part.reference());
            value = value == null ? "" : value;
            switch (part.fold()) {
                case LOWER:
                    value = value.toLowerCase(Locale.ROOT);
                    break;
                case UPPER:
                    value = value.toUpperCase(Locale.ROOT);
                    break;
                default:
                    break;
            }
            out.append(value);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return written;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PathTemplate that && that.written.equals(written);
    }

    @Override
    public int hashCode() {
        return written.hashCode();
    }
}

package io.floorflash.config;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which requested names a rule is for, matched against the whole name after the path rules normalised it (no leading
 * slash, {@code /} between folders): an exact name, a glob ({@code *} any characters but {@code /}, {@code **} any
 * characters, {@code ?} one character but {@code /}; each wildcard is a capture, {@code $1} the first) or a Java
 * regular expression with its own captures.
 *
 * @param kind    how {@code written} is read
 * @param written the name, glob or expression as the operator wrote it
 * @param pattern what it compiles to
 * @param groups  numbered captures
 * @param named   names of the named captures
 */
public record NameMatch(Kind kind, String written, Pattern pattern, int groups, Set<String> named) {
    /** Every name. */
    public static final NameMatch ANY = new NameMatch(Kind.ANY, "", Pattern.compile(".*", Pattern.DOTALL), 0, Set.of());
    private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    /** How the rule names its files. */
    public enum Kind { ANY, NAME, GLOB, FILE }

    public NameMatch {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(written, "written");
        Objects.requireNonNull(pattern, "pattern");
        named = Set.copyOf(named);
    }

    /** The captures of {@code name} when it matches, or empty. */
    public Optional<Matcher> match(String name) {
        Matcher matcher = pattern.matcher(name);
        return matcher.matches() ? Optional.of(matcher) : Optional.empty();
    }

    static NameMatch exact(String name, boolean ignoreCase) {
        return new NameMatch(Kind.NAME, name, Pattern.compile(Pattern.quote(name), flags(ignoreCase)), 0, Set.of());
    }

    /** @throws IllegalArgumentException when {@code glob} is empty */
    static NameMatch glob(String glob, boolean ignoreCase) {
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("'' (expected: a glob such as snom*.bin or releases/**)");
        }
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        int groups = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            String wildcard = null;
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                wildcard = "(.*)";
                i++;
            } else if (c == '*') {
                wildcard = "([^/]*)";
            } else if (c == '?') {
                wildcard = "([^/])";
            } else {
                literal.append(c);
            }
            if (wildcard != null) {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(wildcard);
                groups++;
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return new NameMatch(Kind.GLOB, glob, Pattern.compile(regex.toString(), flags(ignoreCase) | Pattern.DOTALL),
                groups, Set.of());
    }

    /** @throws IllegalArgumentException when {@code regex} does not compile, with where and why */
    static NameMatch regex(String regex, boolean ignoreCase) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex, flags(ignoreCase));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("'" + regex + "' (expected: a Java regular expression; "
                    + e.getDescription() + " near index " + e.getIndex() + ")");
        }
        Set<String> named = new LinkedHashSet<>();
        Matcher names = NAMED_GROUP.matcher(regex);
        while (names.find()) {
            named.add(names.group(1));
        }
        return new NameMatch(Kind.FILE, regex, pattern, pattern.matcher("").groupCount(), named);
    }

    private static int flags(boolean ignoreCase) {
        return ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0;
    }

    /** Whether {@code reference} ("1", "model") names one of the captures. */
    public boolean captures(String reference) {
        if (reference.chars().allMatch(Character::isDigit)) {
            int number = Integer.parseInt(reference);
            return number >= 0 && number <= groups;
        }
        return named.contains(reference);
    }

    @Override
    public String toString() {
        return kind == Kind.ANY ? "every name" : kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + written + "'";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NameMatch that && that.kind == kind && that.written.equals(written)
                && that.pattern.flags() == pattern.flags();
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, written, pattern.flags());
    }
}

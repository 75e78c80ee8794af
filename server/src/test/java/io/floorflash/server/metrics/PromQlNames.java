package io.floorflash.server.metrics;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The metric names a PromQL expression reads, by a small tokenizer rather than a PromQL parser: an identifier is a
 * metric name unless it is a function or an aggregation (followed by {@code (}, or by {@code by}/{@code without}), a
 * keyword or operator word, a label name (inside {@code {...}} matchers or a {@code by (...)}, {@code without (...)},
 * {@code on (...)}, {@code ignoring (...)}, {@code group_left (...)}, {@code group_right (...)} list), or part of a
 * string, a number, a duration in {@code [...]} or after {@code offset}, or a Grafana variable ({@code $node},
 * {@code ${node}}, {@code [[node]]}). That covers the dashboard's expressions; a construct it does not know fails
 * loudly in {@link DashboardTest} rather than passing unnoticed.
 */
public final class PromQlNames {
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> WORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");

    private PromQlNames() {
    }

    /** The metric names {@code expr} reads, in order of appearance. */
    public static Set<String> of(String expr) {
        Set<String> names = new LinkedHashSet<>();
        int i = 0;
        int n = expr.length();
        while (i < n) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(expr, i);
            } else if (c == '{') {
                i = after(expr, i, '{', '}');
            } else if (c == '[' && i + 1 < n && expr.charAt(i + 1) == '[') {
                i = expr.indexOf("]]", i) + 2; // a Grafana variable in the old [[name]] form
            } else if (c == '[') {
                i = after(expr, i, '[', ']');
            } else if (c == '$') {
                i = afterVariable(expr, i + 1);
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
                i = afterWord(expr, i); // a number, or a duration such as 5m
            } else if (isIdentifierStart(c)) {
                int end = afterWord(expr, i);
                String word = expr.substring(i, end);
                int next = skipSpaces(expr, end);
                if (LABEL_LISTS.contains(word)) {
                    i = next < n && expr.charAt(next) == '(' ? after(expr, next, '(', ')') : next;
                } else if (WORDS.contains(word.toLowerCase(Locale.ROOT))) {
                    i = end;
                } else if (next < n && expr.charAt(next) == '(') {
                    i = end; // a function or an aggregation: its arguments are read next
                } else if (LABEL_LISTS.contains(wordAt(expr, next))) {
                    i = end; // an aggregation written "sum by (...) (...)"
                } else {
                    names.add(word);
                    i = end;
                }
            } else {
                i++;
            }
        }
        return names;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }

    private static int afterWord(String s, int i) {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == ':'
                || s.charAt(j) == '.')) {
            j++;
        }
        return j;
    }

    private static String wordAt(String s, int i) {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
        }
        return s.substring(i, j);
    }

    private static int skipSpaces(String s, int i) {
        int j = i;
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
            j++;
        }
        return j;
    }

    private static int afterVariable(String s, int i) {
        if (i < s.length() && s.charAt(i) == '{') {
            return s.indexOf('}', i) + 1;
        }
        return afterWord(s, i);
    }

    /** The index after the bracket closing the one at {@code open}, strings inside skipped. */
    private static int after(String s, int open, char opening, char closing) {
        int depth = 0;
        int i = open;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(s, i);
                continue;
            }
            if (c == opening) {
                depth++;
            } else if (c == closing && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unbalanced " + opening + " at " + open + " in: " + s);
    }

    private static int afterString(String s, int open) {
        char quote = s.charAt(open);
        int i = open + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated string at " + open + " in: " + s);
    }
}

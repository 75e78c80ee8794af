package io.floorflash.config;

import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

/** Suggests the known key nearest to a misspelt one: {@code prots} is probably {@code ports}. */
final class KeyNames {
    /** Farthest a suggestion may be, in edits, and at most a third of the key's length. */
    private static final int MAX_DISTANCE = 3;

    private KeyNames() {
    }

    /** " (did you mean 'ports'?)" for the nearest of {@code known}, else " (expected one of: ...)", or "". */
    static String suggestion(String key, Collection<String> known) {
        return nearest(key, known).map(best -> " (did you mean '" + best + "'?)")
                .orElse(known.isEmpty() ? "" : " (expected one of: " + String.join(", ", new TreeSet<>(known)) + ")");
    }

    /** The one of {@code known} nearest to {@code key}, when it is near enough to be a slip. */
    static Optional<String> nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(key, candidate);
            if (distance < bestDistance || (distance == bestDistance && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best == null || bestDistance > Math.min(MAX_DISTANCE, Math.max(1, key.length() / 3))) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    /** Edit distance: insertions, deletions, substitutions and swaps of neighbours each count one. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

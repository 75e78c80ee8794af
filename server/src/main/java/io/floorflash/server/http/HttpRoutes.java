package io.floorflash.server.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which {@link HttpRoute} answers which path: exact paths ({@code /api/transfers}) first, then the longest matching
 * prefix ({@code /firmware/}). Built once by the server assembly; adding a route is one line there:
 * <pre>{@code
 * HttpRoutes.builder()
 *         .exact("/healthz", ...)
 *         .prefix("/firmware/", new FirmwareRoute(store))
 *         .build();
 * }</pre>
 */
public final class HttpRoutes {
    private final Map<String, HttpRoute> exact;
    private final List<Map.Entry<String, HttpRoute>> prefixes;

    private HttpRoutes(Map<String, HttpRoute> exact, List<Map.Entry<String, HttpRoute>> prefixes) {
        this.exact = Map.copyOf(exact);
        this.prefixes = List.copyOf(prefixes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The route for the decoded {@code path}, or null when none matches (404). */
    public HttpRoute find(String path) {
        HttpRoute route = exact.get(path);
        if (route != null) {
            return route;
        }
        for (Map.Entry<String, HttpRoute> prefix : prefixes) {
            if (path.startsWith(prefix.getKey())) {
                return prefix.getValue();
            }
        }
        return null;
    }

    /** Collects routes; a path or prefix given twice is a bug and fails at once. */
    public static final class Builder {
        private final Map<String, HttpRoute> exact = new LinkedHashMap<>();
        private final Map<String, HttpRoute> prefixes = new LinkedHashMap<>();

        private Builder() {
        }

        /** {@code route} answers exactly {@code path} (which starts with {@code /}). */
        public Builder exact(String path, HttpRoute route) {
            check(path, route);
            if (exact.putIfAbsent(path, route) != null) {
                throw new IllegalArgumentException("path " + path + " has a route already");
            }
            return this;
        }

        /** {@code route} answers every path starting with {@code prefix} (which starts and ends with {@code /}). */
        public Builder prefix(String prefix, HttpRoute route) {
            check(prefix, route);
            if (!prefix.endsWith("/")) {
                throw new IllegalArgumentException("prefix " + prefix + " (expected: ending with /)");
            }
            if (prefixes.putIfAbsent(prefix, route) != null) {
                throw new IllegalArgumentException("prefix " + prefix + " has a route already");
            }
            return this;
        }

        public HttpRoutes build() {
            List<Map.Entry<String, HttpRoute>> byLength = new ArrayList<>();
            prefixes.forEach((prefix, route) -> byLength.add(Map.entry(prefix, route)));
            byLength.sort(Comparator.comparingInt((Map.Entry<String, HttpRoute> e) -> e.getKey().length()).reversed());
            return new HttpRoutes(exact, byLength);
        }

        private static void check(String path, HttpRoute route) {
            if (route == null) {
                throw new IllegalArgumentException("no route for " + path);
            }
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path " + path + " (expected: starting with /)");
            }
        }
    }
}

package io.floorflash.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The webhook: each finished transfer's audit line is POSTed as JSON to {@code url}, from a bounded queue, off the
 * event loops.
 *
 * @param url             where to POST, http or https with a host; empty turns the webhook off
 * @param queueSize       lines waiting to be sent at most; one more is dropped and counted
 * @param timeout         how long one attempt (connecting, sending, the answer) may take
 * @param maxRetries      attempts after the first on a connection failure, a timeout, a 5xx, 408 or 429
 * @param backoff         the wait before the first retry; doubled for each further one, with jitter
 * @param maxBackoff      the longest wait between two attempts, a server's Retry-After included
 * @param headersFile     a file of {@code Name: value} lines added to every request ({@code Authorization}), or empty
 * @param shutdownTimeout how long queued lines still get to be delivered when the server stops
 */
public record WebhookSettings(Optional<URI> url, int queueSize, Duration timeout, int maxRetries, Duration backoff,
                              Duration maxBackoff, Optional<Path> headersFile, Duration shutdownTimeout) {
    /** The keys of {@code floorflash.hooks.webhook}. */
    static final Set<String> KEYS = Set.of("url", "queue-size", "timeout", "max-retries", "backoff", "max-backoff",
            "headers-file", "shutdown-timeout");
    private static final String EXPECTED_URL = "(expected: an http:// or https:// URL with a host and no user:password@,"
            + " such as https://rollout.example.com/hooks/floorflash, or \"\" for no webhook)";

    public WebhookSettings {
        if (url == null || headersFile == null) {
            throw new IllegalArgumentException("url and headers-file: null (expected: a value or empty)");
        }
        url.ifPresent(WebhookSettings::checkUrl);
        if (queueSize < 1) {
            throw new IllegalArgumentException("queue-size: " + queueSize + " (expected: at least 1)");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: more than zero)");
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("max-retries: " + maxRetries + " (expected: zero or more)");
        }
        if (backoff == null || maxBackoff == null || backoff.isNegative() || maxBackoff.compareTo(backoff) < 0) {
            throw new IllegalArgumentException("max-backoff: " + maxBackoff + " (expected: at least backoff, " + backoff
                    + ")");
        }
        if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdown-timeout: " + shutdownTimeout + " (expected: zero or more)");
        }
    }

    /** Whether there is a URL to post to. */
    public boolean enabled() {
        return url.isPresent();
    }

    /** These settings with another URL ("" turns the webhook off): for tests and tools. */
    public WebhookSettings withUrl(String raw) {
        return new WebhookSettings(parseUrl(raw), queueSize, timeout, maxRetries, backoff, maxBackoff, headersFile,
                shutdownTimeout);
    }

    /**
     * The URL as logs may show it: scheme, host, port and path, without the query, which may carry a token (the
     * record refuses user:password@ already).
     */
    public String displayUrl() {
        return url.map(u -> u.getScheme() + "://" + u.getRawAuthority() + (u.getRawPath() == null ? "" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?...")).orElse("(none)");
    }

    /** {@code raw} as a webhook URL, empty for "". */
    public static Optional<URI> parseUrl(String raw) {
        String trimmed = raw.strip();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + trimmed + "' " + EXPECTED_URL);
        }
        if (!isAcceptable(uri)) {
            throw new IllegalArgumentException("'" + trimmed + "' " + EXPECTED_URL);
        }
        return Optional.of(uri);
    }

    private static void checkUrl(URI uri) {
        if (!isAcceptable(uri)) {
            throw new IllegalArgumentException("url: '" + uri + "' " + EXPECTED_URL);
        }
    }

    private static boolean isAcceptable(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && !uri.getHost().isEmpty()
                && uri.getRawUserInfo() == null && uri.getRawFragment() == null;
    }

    /** Reads {@code floorflash.hooks.webhook}. */
    static WebhookSettings read(ConfigReader in) {
        in.onlyKeys(KEYS);
        Optional<URI> url = in.read("url", k -> parseUrl(in.config().getString(k)), Optional.empty());
        int queueSize = in.intIn("queue-size", 1, 1_000_000);
        Duration timeout = in.durationIn("timeout", Duration.ofMillis(10), Duration.ofMinutes(10));
        int maxRetries = in.intIn("max-retries", 0, 100);
        Duration backoff = in.durationIn("backoff", Duration.ZERO, Duration.ofHours(1));
        Duration maxBackoff = in.durationIn("max-backoff", Duration.ZERO, Duration.ofHours(1));
        if (backoff != null && maxBackoff != null && maxBackoff.compareTo(backoff) < 0) {
            in.problem("max-backoff", maxBackoff + " (expected: at least backoff, " + backoff + ")");
        }
        Optional<Path> headersFile = in.optionalPath("headers-file");
        Duration shutdownTimeout = in.durationIn("shutdown-timeout", Duration.ZERO, Duration.ofMinutes(10));
        return in.build(() -> new WebhookSettings(url, queueSize, timeout, maxRetries, backoff, maxBackoff, headersFile,
                shutdownTimeout));
    }
}

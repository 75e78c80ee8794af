package io.floorflash.server.provisioning;

import io.floorflash.server.secrets.PrivateFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The extra headers every webhook request carries ({@code Authorization: Bearer ...}), read from the file {@code
 * floorflash.hooks.webhook.headers-file} names: one {@code Name: value} a line, blank lines and {@code #} comments
 * skipped. Values are secrets: no message and no {@link #toString} ever shows one, only names and line numbers.
 */
public final class WebhookHeaders {
    /** No headers. */
    public static final WebhookHeaders NONE = new WebhookHeaders(List.of());
    private static final String KEY = "floorflash.hooks.webhook.headers-file: ";
    private static final int MAX_FILE_BYTES = 64 * 1024;
    /** RFC 9110's token. */
    private static final Pattern NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Visible ASCII, spaces and tabs: no line breaks, nothing a header cannot carry as is. */
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e\\t]*");
    /** Set by floorflash or the HTTP client itself, or restricted by the JDK's client. */
    private static final Set<String> REFUSED = Set.of("content-type", "content-length", "host", "connection", "expect",
            "upgrade", "transfer-encoding", "te", "trailer", "keep-alive", "proxy-connection");

    private final List<Map.Entry<String, String>> headers;

    private WebhookHeaders(List<Map.Entry<String, String>> headers) {
        this.headers = List.copyOf(headers);
    }

    /** The headers in {@code file}, or none when empty. */
    public static WebhookHeaders read(Optional<Path> file) {
        return file.isPresent() ? read(file.get()) : NONE;
    }

    /**
     * Reads {@code file}: a regular file, neither readable nor writable by other users, of {@code Name: value} lines.
     *
     * @throws IllegalStateException naming the key, the file and each bad line's number, never a value
     */
    public static WebhookHeaders read(Path file) {
        String where = KEY + file + ": ";
        List<String> lines = new String(PrivateFile.read(file, where, MAX_FILE_BYTES, "expected: a few Name: value lines",
                ""), StandardCharsets.UTF_8).lines().toList();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).strip();
            String value = colon < 0 ? "" : line.substring(colon + 1).strip();
            if (colon < 0 || !NAME.matcher(name).matches()) {
                problems.add("line " + (i + 1) + ": not a header (expected: Name: value)");
            } else if (REFUSED.contains(name.toLowerCase(Locale.ROOT))) {
                problems.add("line " + (i + 1) + ": " + name + " is set by floorflash or the HTTP client (expected: "
                        + "another header, such as Authorization)");
            } else if (!VALUE.matcher(value).matches()) {
                problems.add("line " + (i + 1) + ": the value of " + name + " has characters a header cannot carry"
                        + " (expected: printable ASCII)");
            } else {
                headers.add(Map.entry(name, value));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(where + String.join("; ", problems));
        }
        return new WebhookHeaders(headers);
    }

    /** The headers, in the file's order. */
    public List<Map.Entry<String, String>> entries() {
        return headers;
    }

    /** The header names only: values are secrets. */
    @Override
    public String toString() {
        return headers.stream().map(Map.Entry::getKey).toList().toString();
    }
}

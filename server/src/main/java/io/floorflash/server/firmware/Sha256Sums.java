package io.floorflash.server.firmware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code SHA256SUMS} file, as {@code sha256sum} writes it: one {@code <64 hex digits><space><space or *><name>}
 * per line, names relative to the file's own folder; a line starting with a backslash has its name escaped
 * ({@code \\n} for a newline, {@code \\\\} for a backslash). It lists the files beside it: an entry naming a file in
 * another folder ({@code sub/x.bin}, {@code ../x.bin}) is not used, and {@code ./x.bin} is {@code x.bin}. Lines
 * that are not entries (comments, blank lines, other digests) are skipped and counted.
 */
final class Sha256Sums {
    /** The name of the file, in any folder below the firmware root. */
    static final String FILE_NAME = "SHA256SUMS";
    /** Larger manifests are refused: a folder of firmware does not list a million files. */
    static final long MAX_BYTES = 4 * 1024 * 1024;
    private static final Pattern LINE = Pattern.compile("(\\\\?)([0-9a-fA-F]{64}) [ *](.+)");

    private final Map<String, String> digests;
    private final int skipped;

    private Sha256Sums(Map<String, String> digests, int skipped) {
        this.digests = digests;
        this.skipped = skipped;
    }

    /** Reads {@code file}. Blocking. */
    static Sha256Sums read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + " is larger than " + MAX_BYTES + " bytes");
        }
        return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    }

    static Sha256Sums parse(String text) {
        Map<String, String> digests = new HashMap<>();
        int skipped = 0;
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher entry = LINE.matcher(line);
            String name = entry.matches() ? name(entry.group(3), !entry.group(1).isEmpty()) : null;
            if (name == null) {
                skipped++;
                continue;
            }
            digests.put(name, entry.group(2).toLowerCase(Locale.ROOT));
        }
        return new Sha256Sums(Map.copyOf(digests), skipped);
    }

    /** The name an entry lists, or null when it names no file beside the manifest. */
    private static String name(String raw, boolean escaped) {
        String name = escaped ? unescape(raw) : raw;
        if (name == null) {
            return null;
        }
        while (name.startsWith("./")) {
            name = name.substring(2);
        }
        return name.isEmpty() || name.contains("/") || name.equals("..") || name.equals(".") ? null : name;
    }

    private static String unescape(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == raw.length()) {
                return null;
            }
            switch (raw.charAt(i)) {
                case 'n':
                    out.append('\n');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                case '\\':
                    out.append('\\');
                    break;
                default:
                    return null;
            }
        }
        return out.toString();
    }

    /** The SHA-256 listed for {@code fileName} (a name in the manifest's folder), lower-case hex. */
    Optional<String> digestOf(String fileName) {
        return Optional.ofNullable(digests.get(fileName));
    }

    /** The names listed, sorted. */
    List<String> names() {
        return digests.keySet().stream().sorted().toList();
    }

    int entries() {
        return digests.size();
    }

    /** Lines that were not entries for a file beside the manifest. */
    int skipped() {
        return skipped;
    }
}

package io.floorflash.server.provisioning.render;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import io.floorflash.protocol.SafeText;
import io.floorflash.server.firmware.FileVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Generated settings files: one device's file from a Mustache template and an inventory ({@link Inventory}), for a
 * rule's {@code render} action. The rule supplies the MAC (from the requested name, by its captures), the captures
 * themselves and its {@link Escape}; the answer is the file's bytes and SHA-256, or {@link UnknownDevice} so that
 * the rule's fallback applies.
 *
 * <pre>{@code
 * SettingsRenderer renderer = new SettingsRenderer(64 << 20);
 * RenderResult result = renderer.render(Path.of("/srv/provisioning/snomD345.htm"),
 *         Path.of("/srv/provisioning/phones.csv"), "000413A11FA7", Map.of("model", "D345"), Escape.XML);
 * if (result instanceof RenderedFile file) { ... file.content(), file.sha256() ... }
 * else if (result instanceof UnknownDevice unknown) { ... the rule's fallback ... }
 * }</pre>
 *
 * <p><b>Blocking:</b> it reads and stats files. Call it only from the firmware store's load executor threads, never
 * on an event loop. It is thread-safe.
 *
 * <p><b>Caching, per file version:</b> a parsed inventory and a compiled template are kept per path (and escape) with
 * the {@link FileVersion} they were read at (real path, size, modification time, inode); each call stats the files
 * and reads one again only when its version changed, so an inventory copied over or edited in place is used from the
 * next request on. A file that failed to parse keeps failing with the same problems until it changes, without being
 * read again. Rendered files are kept per (template version, inventory version, escape, MAC, captures) in a Caffeine
 * cache bounded in bytes, so a floor of phones asking again (phones fetch their settings at every boot) costs a stat
 * of two files each. Templates and inventories are few (the rules name them), so their maps are not bounded.
 *
 * <p>Templates are logic-less Mustache (mustache.java): {@code {{name}}} writes a value escaped by the rule's {@link
 * Escape} ({@code none} by default), {@code {{{name}}}} writes it as it is, {@code {{#name}}...{{/name}}} and {@code
 * {{^name}}...{{/name}}} keep a part only when a value is non-empty or empty. Partials ({@code {{> name}}}) are
 * refused: each template is one file, so its version is the file's. A variable no column, capture or MAC form
 * provides writes nothing, as Mustache does. The variables are listed in {@link TemplateVariables}.
 */
public final class SettingsRenderer {
    /** A template is a settings file, a few KiB; anything larger is a mistake. */
    static final long MAX_TEMPLATE_BYTES = 1 << 20;
    /** Room for hundreds of thousands of devices. */
    static final long MAX_INVENTORY_BYTES = 64L << 20;

    private final ConcurrentHashMap<TemplateKey, Loaded<Mustache>> templates = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Path, Loaded<Inventory>> inventories = new ConcurrentHashMap<>();
    private final Cache<RenderKey, RenderedFile> rendered;

    private record TemplateKey(Path path, Escape escape) {
    }

    private record RenderKey(FileVersion template, Escape escape, FileVersion inventory, MacAddress mac,
                             Map<String, String> captures) {
    }

    /** One version of a file, parsed, or the problems that stopped it. */
    private record Loaded<T>(FileVersion version, T value, RenderException failure) {
        T get() {
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }

    /** @param maxCachedBytes most bytes of rendered files kept */
    public SettingsRenderer(long maxCachedBytes) {
        this.rendered = Caffeine.newBuilder()
                .maximumWeight(maxCachedBytes)
                .weigher((RenderKey key, RenderedFile file) -> file.size())
                // Eviction work stays on the calling load thread, not the common pool.
                .executor(Runnable::run)
                .build();
    }

    /** {@link #render(Path, Path, String, Map, Escape)} without escaping. */
    public RenderResult render(Path template, Path inventoryCsv, String macFromName, Map<String, String> captures) {
        return render(template, inventoryCsv, macFromName, captures, Escape.NONE);
    }

    /**
     * Renders the file of the device whose MAC is {@code macFromName}.
     *
     * @param template     the Mustache template
     * @param inventoryCsv the inventory, a CSV file with a {@code mac} column
     * @param macFromName  the MAC as the rule captured it from the requested name, in any usual form
     * @param captures     the rule's captures, by name or number, as template variables
     * @param escape       how {@code {{name}}} escapes values
     * @return the file, or {@link UnknownDevice} when {@code macFromName} is no MAC or not in the inventory
     * @throws RenderException when the template or the inventory is missing, unreadable or malformed: every problem,
     *                         with line numbers
     */
    public RenderResult render(Path template, Path inventoryCsv, String macFromName, Map<String, String> captures,
                               Escape escape) {
        Optional<MacAddress> mac = MacAddress.parse(macFromName);
        if (mac.isEmpty()) {
            return new UnknownDevice("'" + SafeText.escape(macFromName) + "' is not a MAC address");
        }
        Loaded<Inventory> inventory = load(inventories, inventoryCsv, inventoryCsv, MAX_INVENTORY_BYTES,
                text -> Inventory.parse(text, inventoryCsv.toString()), "inventory ");
        Optional<Map<String, String>> device = inventory.get().device(mac.get());
        if (device.isEmpty()) {
            return new UnknownDevice("no device " + mac.get() + " in " + inventoryCsv);
        }
        Loaded<Mustache> compiled = load(templates, new TemplateKey(template, escape), template, MAX_TEMPLATE_BYTES,
                text -> compile(template, text, escape), "template ");
        Mustache mustache = compiled.get();
        Map<String, String> capturesCopy = Map.copyOf(captures);
        RenderKey key = new RenderKey(compiled.version(), escape, inventory.version(), mac.get(), capturesCopy);
        return rendered.get(key, k -> new RenderedFile(
                execute(template, mustache, TemplateVariables.of(mac.get(), device.get(), capturesCopy)),
                compiled.version(), inventory.version()));
    }

    /** Rendered files cached now (tests, metrics). */
    long cachedFiles() {
        rendered.cleanUp();
        return rendered.estimatedSize();
    }

    /** {@code path}'s current version parsed, from {@code cache} when its version is unchanged. */
    private static <K, T> Loaded<T> load(ConcurrentHashMap<K, Loaded<T>> cache, K key, Path path, long maxBytes,
                                         Function<String, T> parse, String what) {
        FileVersion version = stat(path, what);
        Loaded<T> current = cache.get(key);
        if (current != null && current.version().equals(version)) {
            return current;
        }
        Loaded<T> loaded;
        try {
            if (version.size() > maxBytes) {
                throw new RenderException(what + path, List.of(version.size() + " bytes (expected: at most " + maxBytes
                        + ")"));
            }
            loaded = new Loaded<>(version, parse.apply(read(version.realPath(), what)), null);
        } catch (RenderException e) {
            loaded = new Loaded<>(version, null, e);
        }
        // Concurrent loads of one version parse twice at worst; a newer version is never replaced by an older one
        // for long, as the next call stats again.
        cache.put(key, loaded);
        return loaded;
    }

    private static FileVersion stat(Path path, String what) {
        try {
            Path real = path.toRealPath();
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new RenderException(what + path, List.of("not a regular file"));
            }
            return FileVersion.of(real, attributes);
        } catch (NoSuchFileException e) {
            throw new RenderException(what + path, List.of("no such file"), e);
        } catch (IOException e) {
            throw new RenderException(what + path, List.of("cannot be read: " + e), e);
        }
    }

    private static String read(Path path, String what) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path));
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new RenderException(what + path, List.of("not UTF-8 text (expected: a UTF-8 file; save it as UTF-8)"), e);
        } catch (IOException e) {
            throw new RenderException(what + path, List.of("cannot be read: " + e), e);
        }
    }

    private static Mustache compile(Path template, String text, Escape escape) {
        try {
            return new Factory(escape).compile(new StringReader(text), template.getFileName().toString());
        } catch (MustacheException e) {
            throw new RenderException("template " + template, List.of(String.valueOf(e.getMessage())), e);
        }
    }

    private static byte[] execute(Path template, Mustache mustache, Map<String, Object> scope) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            mustache.execute(writer, scope);
        } catch (MustacheException e) {
            throw new RenderException("template " + template, List.of(String.valueOf(e.getMessage())), e);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /** A factory per compile (its own caches would outlive a file's version), escaping as the rule says. */
    private static final class Factory extends DefaultMustacheFactory {
        private final Escape escape;

        Factory(Escape escape) {
            this.escape = escape;
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                escape.write(value, writer);
            } catch (IOException e) {
                throw new MustacheException("failed to write a value", e);
            }
        }

        @Override
        public Mustache compilePartial(String name) {
            throw new MustacheException("partials are not supported: {{> " + name + "}} (expected: one file per"
                    + " template)");
        }
    }
}

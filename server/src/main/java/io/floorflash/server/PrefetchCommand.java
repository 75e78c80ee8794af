package io.floorflash.server;

import io.floorflash.config.Overrides;
import io.floorflash.config.Settings;
import io.floorflash.config.SettingsException;
import io.floorflash.config.SettingsLoader;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareName;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.firmware.origin.OriginCache;
import io.floorflash.server.firmware.origin.OriginCacheErrors;
import io.floorflash.server.firmware.origin.OriginException;
import io.floorflash.server.firmware.origin.PullThrough;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code floorflash prefetch --config FILE [--release DIR] [NAME...]}: fills the origin cache folder before a floor
 * reboots, with the same fetch, checks and folder the server uses (run it while the server is stopped, or on another
 * cache folder: two processes must not write one folder). Without names it fetches every file the {@code SHA256SUMS}
 * at the origin's root (or in {@code --release DIR}) lists. A progress bar on a terminal, a summary line; exit 0 when
 * every image is in the cache, 1 when any failed, 2 for a broken configuration or no origin.
 */
@Command(name = "prefetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fetch images from the origin into floorflash.firmware.cache-dir before a floor reboots."
                + " Without NAMEs, every file the SHA256SUMS at the origin's root (or in --release DIR) lists."
                + " Exit 0 when all are cached, 1 when any failed, 2 for a broken configuration.")
final class PrefetchCommand implements Callable<Integer> {
    private static final int BAR_WIDTH = 30;
    private static final long POLL_MILLIS = 200;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", required = true, description = "HOCON configuration file.")
    Path config;

    @Option(names = "--release", paramLabel = "DIR",
            description = "A folder at the origin whose SHA256SUMS names the images, when no NAME is given.")
    String release;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Names below the origin's URL.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Settings settings;
        try {
            settings = SettingsLoader.load(config, Overrides.none());
        } catch (SettingsException e) {
            err.println("floorflash prefetch: " + config + ": " + e.getMessage());
            return 2;
        }
        if (!settings.origin().enabled()) {
            err.println("floorflash prefetch: " + config + ": floorflash.firmware.origin.url is not set");
            return 2;
        }
        try (PullThrough pull = PullThrough.open(settings.origin(), settings.s3Origin(), FirmwareStore.manifestReader())) {
            List<String> wanted = wanted(pull, settings, err);
            if (wanted == null) {
                return 1;
            }
            return fetchAll(pull.cache(), wanted, out, err);
        } catch (IOException e) {
            err.println("floorflash prefetch: floorflash.firmware.cache-dir " + settings.origin().cacheDir() + ": " + e);
            return 2;
        }
    }

    /** The names to fetch, normalised; null (after saying why) when they cannot be known. */
    private List<String> wanted(PullThrough pull, Settings settings, PrintWriter err) throws IOException {
        List<String> raw = new ArrayList<>(names);
        if (raw.isEmpty()) {
            String folder = release == null ? "" : FirmwareName.of(release).relative();
            Optional<String> manifest;
            try {
                manifest = pull.manifest(folder, settings.origin().cacheDir());
            } catch (OriginException e) {
                err.println("floorflash prefetch: origin unreachable: " + e.getMessage());
                return null;
            }
            if (manifest.isEmpty()) {
                err.println("floorflash prefetch: no NAME given and no " + OriginCache.MANIFEST + " at "
                        + pull.cache().describe() + (folder.isEmpty() ? "" : folder + "/"));
                return null;
            }
            for (String listed : FirmwareStore.manifestNames(manifest.get())) {
                raw.add(folder.isEmpty() ? listed : folder + "/" + listed);
            }
        }
        List<String> wanted = new ArrayList<>();
        for (String name : raw) {
            try {
                wanted.add(FirmwareName.of(name).relative());
            } catch (FirmwareException e) {
                err.println("floorflash prefetch: " + e.getMessage());
                return null;
            }
        }
        return wanted;
    }

    private int fetchAll(OriginCache cache, List<String> wanted, PrintWriter out, PrintWriter err)
            throws InterruptedException {
        boolean tty = System.console() != null;
        int done = 0;
        int failed = 0;
        long bytes = 0;
        long started = System.nanoTime();
        for (String name : wanted) {
            CompletableFuture<OriginCache.Copy> copy = cache.refresh(name, false);
            // Bounded: the fetch itself ends within the stall timeout of its last byte; this only paints the bar.
            while (true) {
                try {
                    OriginCache.Copy fetched = copy.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    bytes += fetched.length();
                    done++;
                    break;
                } catch (TimeoutException e) {
                    if (tty) {
                        bar(out, done + failed, wanted.size(), name, cache);
                    }
                } catch (ExecutionException e) {
                    failed++;
                    if (tty) {
                        out.print("\r\033[K");
                    }
                    err.println("failed: " + name + ": " + OriginCacheErrors.text(e.getCause()));
                    break;
                }
            }
            if (tty) {
                bar(out, done + failed, wanted.size(), name, cache);
            }
        }
        if (tty) {
            out.println();
        }
        out.printf("prefetched %d of %d images (%d bytes) from %s in %d ms%s%n", done, wanted.size(), bytes,
                cache.describe(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                failed == 0 ? "" : "; " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private static void bar(PrintWriter out, int finished, int total, String name, OriginCache cache) {
        int filled = total == 0 ? BAR_WIDTH : finished * BAR_WIDTH / total;
        long bytes = cache.fetching().stream().filter(f -> f.name().equals(name)).mapToLong(OriginCache.Fetching::bytes)
                .findFirst().orElse(0);
        out.print("\r\033[K[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + finished + "/" + total
                + " " + name + " " + bytes + " bytes");
        out.flush();
    }
}

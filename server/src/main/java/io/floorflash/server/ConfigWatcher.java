package io.floorflash.server;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the configuration file's folder and runs a reload when the file changed: written in place, replaced by a
 * rename, or re-pointed through a link (Kubernetes ConfigMaps swap a {@code ..data} link). After an event it waits
 * until the folder has been quiet for {@code settle}, then compares the file's real path, size and modification time
 * with the last seen; only a change reloads. One daemon thread; {@link #close()} stops it.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path file;
    private final Duration settle;
    private final Runnable reload;
    private final WatchService watcher;
    private final Thread thread;
    private Object lastSeen;

    private ConfigWatcher(Path file, Duration settle, Runnable reload, WatchService watcher) {
        this.file = file;
        this.settle = settle;
        this.reload = reload;
        this.watcher = watcher;
        this.lastSeen = version();
        this.thread = new Thread(this::run, "floorflash-config-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching {@code file}; {@code reload} runs on the watcher's thread (hand anything long off). */
    static ConfigWatcher start(Path file, Duration settle, Runnable reload) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path folder = Objects.requireNonNull(absolute.getParent(), "a file has a folder");
        WatchService watcher = folder.getFileSystem().newWatchService();
        try {
            folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            watcher.close();
            throw e;
        }
        ConfigWatcher started = new ConfigWatcher(absolute, settle, reload, watcher);
        started.thread.start();
        log.info("watching {} for changes (floorflash.reload.watch-config)", absolute);
        return started;
    }

    private void run() {
        try {
            while (true) {
                drain(watcher.take());
                // Quiet for settle: an editor's or a deploy tool's writes in steps count as one change.
                WatchKey more;
                while ((more = watcher.poll(settle.toNanos(), TimeUnit.NANOSECONDS)) != null) {
                    drain(more);
                }
                Object now = version();
                if (now != null && !now.equals(lastSeen)) {
                    lastSeen = now;
                    log.info("{} changed: reloading", file);
                    reload.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    /** The file's real path, size and modification time, or null while it is missing (mid-rename). */
    private Object version() {
        try {
            Path real = file.toRealPath();
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
            return List.of(real, attributes.size(), attributes.lastModifiedTime(), attributes.fileKey() == null
                    ? "" : attributes.fileKey());
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            log.debug("closing the configuration watcher", e);
        }
        thread.interrupt();
    }
}

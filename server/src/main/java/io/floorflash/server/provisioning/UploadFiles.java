package io.floorflash.server.provisioning;

import io.floorflash.config.UploadSettings;
import io.floorflash.protocol.ErrorCode;
import io.floorflash.server.firmware.FirmwareName;
import io.floorflash.server.transfer.RefusalReason;
import io.floorflash.server.transfer.UploadSink;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where uploads go on disk: {@code <root>/<client address>/<name>}, each written to a temporary file beside its
 * destination by a small bounded pool of writer threads, never on an event loop. Preparing an upload creates the
 * folders on the way, refuses a folder on the way that is a symbolic link (so nothing below the client's folder can
 * lead out of it, whatever links appear later), refuses an existing name unless overwriting is allowed, and opens
 * the temporary file.
 */
public final class UploadFiles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UploadFiles.class);
    /** Tasks waiting for a writer at most: a few per running upload, far above what a floor asks for. */
    private static final int QUEUE_LIMIT = 100_000;
    /** The longest part of a destination's name kept in its temporary name (a file name has at most 255 bytes). */
    private static final int TEMP_NAME_PART = 64;
    /** What every temporary upload file's name contains. */
    public static final String TEMP_MARK = ".floorflash-upload-";

    private final UploadSettings settings;
    private final Path root;
    private final ThreadPoolExecutor writers;

    private UploadFiles(UploadSettings settings, Path root, ThreadPoolExecutor writers) {
        this.settings = settings;
        this.root = root;
        this.writers = writers;
    }

    /**
     * Creates the upload root when missing and checks, with links resolved, that it and {@code firmwareRoot} do not
     * nest.
     *
     * @throws IOException when the root cannot be made or the two nest (the message says which)
     */
    public static UploadFiles open(UploadSettings settings, Path firmwareRoot) throws IOException {
        Files.createDirectories(settings.root());
        Path root = settings.root().toRealPath();
        Path firmware = firmwareRoot.toRealPath();
        if (UploadSettings.nested(root, firmware)) {
            throw new IOException("upload root " + settings.root() + " (" + root + ") and firmware root " + firmwareRoot
                    + " (" + firmware + ") nest: keep uploads outside the firmware root (floorflash.uploads.root)");
        }
        int swept = sweep(root);
        if (swept > 0) {
            log.info("deleted {} temporary upload file{} left below {} by an earlier run that did not stop cleanly",
                    swept, swept == 1 ? "" : "s", root);
        }
        ThreadPoolExecutor writers = new ThreadPoolExecutor(settings.writeThreads(), settings.writeThreads(), 0,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE_LIMIT), new DefaultThreadFactory("floorflash-upload", true));
        return new UploadFiles(settings, root, writers);
    }

    /**
     * Deletes the temporary files of uploads that never finished: at start no upload runs, so every file whose name
     * carries {@link #TEMP_MARK} was left by a run killed mid-upload (a drain deletes its own). Links are not followed.
     * Blocking; returns how many went.
     */
    static int sweep(Path root) throws IOException {
        int[] deleted = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile() && file.getFileName().toString().contains(TEMP_MARK)) {
                    Files.deleteIfExists(file);
                    deleted[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                log.warn("cannot look at {} for temporary upload files: {}", file, e.toString());
                return FileVisitResult.CONTINUE;
            }
        });
        return deleted[0];
    }

    /** The client's folder name: its address, with an IPv6 address's {@code :} and {@code %} made {@code -} and {@code _}. */
    public static String folderOf(InetAddress client) {
        String address = client.getHostAddress();
        return client instanceof Inet6Address ? address.replace(':', '-').replace('%', '_') : address;
    }

    /**
     * Prepares the upload of {@code name} from {@code client}, on a writer thread: the temporary file, open. Fails
     * with an {@link UploadRefusal} (a link on the way, an existing file) or an {@link IOException}.
     */
    public CompletableFuture<UploadSink> prepare(InetAddress client, FirmwareName name) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return create(client, name);
            } catch (IOException e) {
                log.warn("cannot prepare the upload of {} from {}: {}", name, client.getHostAddress(), String.valueOf(e));
                throw new UploadRefusal(ErrorCode.NOT_DEFINED, "Cannot store the upload; try again later",
                        RefusalReason.UPLOAD_FAILED);
            }
        }, writers);
    }

    private UploadSink create(InetAddress client, FirmwareName name) throws IOException {
        String[] parts = name.relative().split("/");
        Path folder = folder(root, folderOf(client));
        for (int i = 0; i < parts.length - 1; i++) {
            folder = folder(folder, parts[i]);
        }
        Path destination = folder.resolve(parts[parts.length - 1]);
        if (Files.isSymbolicLink(destination) || Files.isDirectory(destination, LinkOption.NOFOLLOW_LINKS)) {
            throw refused(name, "is a folder or a symbolic link here");
        }
        if (!settings.overwrite() && Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
            throw new UploadRefusal(ErrorCode.FILE_EXISTS, "File already exists", RefusalReason.FILE_EXISTS);
        }
        String part = parts[parts.length - 1];
        String prefix = "." + (part.length() > TEMP_NAME_PART ? part.substring(0, TEMP_NAME_PART) : part) + TEMP_MARK;
        Path temp = Files.createTempFile(folder, prefix, "");
        try {
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return new UploadFile(temp, destination, settings.overwrite(), channel, writers);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** {@code parent/name}, created when missing; a symbolic link or a file there is refused. */
    private static Path folder(Path parent, String name) throws IOException {
        Path folder = parent.resolve(name);
        if (Files.isSymbolicLink(folder)) {
            throw new UploadRefusal(ErrorCode.ACCESS_VIOLATION, "Access violation: a folder on the way is a symbolic link",
                    RefusalReason.ACCESS_DENIED);
        }
        try {
            Files.createDirectory(folder);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                throw new UploadRefusal(ErrorCode.ACCESS_VIOLATION, "Access violation: '" + name + "' is a file, not a folder",
                        RefusalReason.ACCESS_DENIED);
            }
        }
        return folder;
    }

    private static UploadRefusal refused(FirmwareName name, String why) {
        return new UploadRefusal(ErrorCode.ACCESS_VIOLATION, "Access violation: '" + name + "' " + why,
                RefusalReason.ACCESS_DENIED);
    }

    /** The upload root, links resolved. */
    public Path root() {
        return root;
    }

    /**
     * Stops the writers once the tasks queued now (discards of cancelled uploads among them) are done, waiting up to
     * {@code seconds}.
     */
    public void close(long seconds) {
        writers.shutdown();
        try {
            if (!writers.awaitTermination(seconds, TimeUnit.SECONDS)) {
                log.warn("upload writers still busy after {} s; stopping them", seconds);
                writers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writers.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(5);
    }
}

package io.floorflash.server.provisioning;

import io.floorflash.server.transfer.UploadSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upload's temporary file ({@code .NAME.floorflash-upload-N} beside its destination, readable by its owner
 * only), written on the upload writers' threads. Its tasks run one at a time and in order (a queue of its own
 * drained on the shared pool), so a discard always follows the write before it.
 */
final class UploadFile implements UploadSink {
    private static final Logger log = LoggerFactory.getLogger(UploadFile.class);

    private final Path temp;
    private final Path destination;
    private final boolean overwrite;
    private final FileChannel channel;
    private final MessageDigest sha256;
    private final Executor writers;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Touched by this file's tasks only, one at a time. */
    private boolean closed;

    UploadFile(Path temp, Path destination, boolean overwrite, FileChannel channel, Executor writers) {
        this.temp = temp;
        this.destination = destination;
        this.overwrite = overwrite;
        this.channel = channel;
        this.writers = writers;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    Path temp() {
        return temp;
    }

    @Override
    public void write(ByteBuffer[] chunks, Consumer<IOException> done) {
        run(() -> {
            try {
                if (closed) {
                    throw new IOException("upload file already closed");
                }
                long remaining = 0;
                for (ByteBuffer chunk : chunks) {
                    sha256.update(chunk.duplicate());
                    remaining += chunk.remaining();
                }
                while (remaining > 0) {
                    remaining -= channel.write(chunks);
                }
                done.accept(null);
            } catch (IOException e) {
                done.accept(e);
            }
        }, failure -> done.accept(failure));
    }

    @Override
    public void commit(BiConsumer<String, IOException> done) {
        run(() -> {
            try {
                if (closed) {
                    throw new IOException("upload file already closed");
                }
                closed = true;
                channel.force(true);
                channel.close();
                putInPlace();
                syncFolder(destination.getParent());
                done.accept(HexFormat.of().formatHex(sha256.digest()), null);
            } catch (IOException e) {
                deleteTemp();
                done.accept(null, e);
            }
        }, failure -> done.accept(null, failure));
    }

    /** ATOMIC_MOVE replaces a file of the name; a hard link fails if the name exists, so no upload replaces another. */
    private void putInPlace() throws IOException {
        if (overwrite) {
            Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        try {
            Files.createLink(destination, temp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | IOException e) {
            // A file system without hard links: check, then rename (a race with another upload of the name remains).
            if (Files.exists(destination, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(destination.toString());
            }
            Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.delete(temp);
    }

    private static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a folder; the rename itself is done.
            log.debug("cannot sync folder {}: {}", folder, String.valueOf(e));
        }
    }

    @Override
    public void discard() {
        run(() -> {
            if (!closed) {
                closed = true;
                try {
                    channel.close();
                } catch (IOException e) {
                    log.debug("closing {}: {}", temp, String.valueOf(e));
                }
            }
            deleteTemp();
        }, failure -> log.warn("upload writers stopped: temporary file {} left behind", temp));
    }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            log.warn("cannot delete temporary upload file {}: {}", temp, String.valueOf(e));
        }
    }

    /** Queues {@code task} behind this file's others; {@code rejected} runs when the writers refuse it. */
    private void run(Runnable task, Consumer<IOException> rejected) {
        tasks.add(task);
        schedule(rejected);
    }

    private void schedule(Consumer<IOException> rejected) {
        if (tasks.isEmpty() || !draining.compareAndSet(false, true)) {
            return;
        }
        try {
            writers.execute(this::drain);
        } catch (RejectedExecutionException e) {
            draining.set(false);
            tasks.clear();
            rejected.accept(new IOException("upload writers are stopped or overloaded", e));
        }
    }

    private void drain() {
        try {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                task.run();
            }
        } finally {
            draining.set(false);
        }
        schedule(failure -> log.warn("upload writers stopped: {}", temp));
    }
}

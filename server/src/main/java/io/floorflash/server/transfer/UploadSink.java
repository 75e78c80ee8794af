package io.floorflash.server.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Where an {@link Upload}'s bytes go: a temporary file beside the destination, written off the event loop. Calls are
 * carried out in the order they are made; each {@code done} is called once, on the writer's thread, never on the
 * caller's. The chunks handed over are heap buffers the sink may keep until {@code done}: the GC owns them.
 */
public interface UploadSink {
    /** Appends {@code chunks} after everything written before; {@code done} gets null or the failure. */
    void write(ByteBuffer[] chunks, Consumer<IOException> done);

    /**
     * Makes the file durable (fsync) and puts it in place under its name (an atomic rename, or a link that fails
     * when the name exists and overwriting is off); {@code done} gets the SHA-256 of the bytes written (lower-case
     * hex) and null, or null and the failure ({@link java.nio.file.FileAlreadyExistsException} when another upload
     * took the name first). The temporary file is gone either way.
     */
    void commit(BiConsumer<String, IOException> done);

    /** Closes and deletes the temporary file, after any write already asked for. A second call does nothing. */
    void discard();
}

package io.floorflash.server.firmware.origin;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A remote catalog of firmware (an HTTP server, an S3 bucket) that a node pulls images from on a miss. Names are the
 * normalised names below the firmware root ({@code releases/10.1.2/snom320.bin}). Every method blocks: call it from
 * the origin's own threads, never an event loop. Implementations are thread-safe.
 */
public interface Origin extends AutoCloseable {
    /**
     * What the origin says about one object.
     *
     * @param length the object's length in bytes (always known: a fetch whose body differs is refused)
     * @param etag   the origin's validator ({@code ETag}, without weakening), or empty
     * @param sha256 the SHA-256 the origin states for it ({@code x-amz-checksum-sha256}, or a header of the HTTP
     *               server's), lower-case hex, or empty
     */
    record Metadata(long length, Optional<String> etag, Optional<String> sha256) {
    }

    /** The answer to a fetch. */
    sealed interface Fetched permits Body, NotModified, Missing {
    }

    /** The whole body is in the target file; its metadata as sent with it. */
    record Body(Metadata metadata) implements Fetched {
    }

    /** The object still has the validator the fetch was made with (HTTP 304, or S3's matching ETag). */
    record NotModified(Metadata metadata) implements Fetched {
    }

    /** The origin has no such object (HTTP 404, S3 NoSuchKey). */
    record Missing() implements Fetched {
    }

    /**
     * The object's metadata without its body (HTTP HEAD, S3 HeadObject); empty when it does not exist.
     *
     * @throws OriginException when the origin cannot answer (unreachable, timed out, 5xx, refused credentials)
     */
    Optional<Metadata> head(String name) throws OriginException;

    /**
     * Streams {@code name} into {@code target} (created or truncated; the caller owns it and deletes it on failure),
     * conditionally on {@code ifNoneMatch} when given. A body shorter or longer than its stated length is an
     * {@link OriginException}, never a {@link Body}.
     *
     * @throws OriginException when the origin cannot answer or the transfer breaks off
     */
    Fetched fetch(String name, Optional<String> ifNoneMatch, Path target) throws OriginException;

    /** Where it is, for logs: {@code https://repo.example.com/firmware/} or {@code s3://bucket/prefix/}. */
    String describe();

    /** Frees its connections and threads. */
    @Override
    void close();
}

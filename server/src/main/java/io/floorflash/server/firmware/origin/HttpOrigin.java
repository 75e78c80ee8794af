package io.floorflash.server.firmware.origin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An origin served over HTTP(S) by any web server (nginx, Artifactory, an S3 bucket's website endpoint), through the
 * JDK's {@link HttpClient}: {@code HEAD} for metadata, {@code GET} with {@code If-None-Match} for the body, which is
 * streamed to the target file as it arrives.
 *
 * <p>The length is always checked: a {@code 200} without {@code Content-Length} (a chunked or compressed answer) is
 * refused, since a body cut short could not be told from a whole one; a body that ends before its length (the
 * connection closed early) or runs past it is an {@link OriginException}. A SHA-256 the server states is passed on,
 * from {@code x-amz-checksum-sha256} (base64, S3 and MinIO), {@code Repr-Digest: sha-256=:…:} (RFC 9530) or
 * {@code Digest: SHA-256=…} (RFC 3230); the caller verifies it.
 *
 * <p>A body that stops arriving for {@code stallTimeout} is abandoned: the JDK's request timeout only covers the
 * headers, so a watchdog compares the bytes received between two looks.
 */
public final class HttpOrigin implements Origin {
    private static final Pattern REPR_DIGEST = Pattern.compile("(?i)(?:^|,)\\s*sha-256\\s*=\\s*:([A-Za-z0-9+/=]+):");
    private static final Pattern LEGACY_DIGEST = Pattern.compile("(?i)(?:^|,)\\s*sha-256\\s*=\\s*([A-Za-z0-9+/=]+)");
    private static final String USER_AGENT = "floorflash-origin";

    private final URI base;
    private final HttpClient client;
    private final Duration headerTimeout;
    private final Duration stallTimeout;

    /**
     * @param base           the catalog's URL, ending in {@code /}
     * @param connectTimeout how long connecting may take
     * @param stallTimeout   how long the answer's headers, and then each stretch without a byte of body, may take
     * @param executor       the client's threads (its own bounded pool)
     */
    public HttpOrigin(URI base, Duration connectTimeout, Duration stallTimeout, Executor executor) {
        if (!base.getRawPath().endsWith("/")) {
            throw new IllegalArgumentException("origin URL: " + base + " (expected: ending in /)");
        }
        this.base = base;
        this.headerTimeout = stallTimeout;
        this.stallTimeout = stallTimeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .executor(executor)
                .build();
    }

    /** The URL of {@code name}: the base and the name, each path segment percent-encoded (UTF-8). */
    URI uriOf(String name) {
        StringBuilder path = new StringBuilder(base.getRawPath());
        String[] segments = name.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                path.append('/');
            }
            path.append(encodeSegment(segments[i]));
        }
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path);
    }

    static String encodeSegment(String segment) {
        StringBuilder out = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public Optional<Metadata> head(String name) throws OriginException {
        URI uri = uriOf(name);
        HttpRequest request = request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Void> response = await(uri, client.sendAsync(request, HttpResponse.BodyHandlers.discarding()),
                null);
        int status = response.statusCode();
        if (status == 404 || status == 410) {
            return Optional.empty();
        }
        if (status != 200) {
            throw unexpected(uri, status);
        }
        return Optional.of(metadata(uri, response.headers()));
    }

    @Override
    public Fetched fetch(String name, Optional<String> ifNoneMatch, Path target) throws OriginException {
        URI uri = uriOf(name);
        HttpRequest.Builder builder = request(uri).GET();
        ifNoneMatch.ifPresent(etag -> builder.header("If-None-Match", etag));
        AtomicLong received = new AtomicLong();
        HttpResponse<Long> response = await(uri, client.sendAsync(builder.build(),
                info -> info.statusCode() == 200 ? new FileBody(uri, target, info.headers(), received)
                        : HttpResponse.BodySubscribers.replacing(0L)), received);
        int status = response.statusCode();
        if (status == 304) {
            return new NotModified(new Metadata(-1, etagOf(response.headers()).or(() -> ifNoneMatch), Optional.empty()));
        }
        if (status == 404 || status == 410) {
            return new Missing();
        }
        if (status != 200) {
            throw unexpected(uri, status);
        }
        Metadata metadata = metadata(uri, response.headers());
        if (response.body() != metadata.length()) {
            throw new OriginException(uri + ": body of " + response.body() + " bytes, Content-Length says "
                    + metadata.length());
        }
        return new Body(metadata);
    }

    @Override
    public String describe() {
        return base.toString();
    }

    @Override
    public void close() {
        // Java 17's HttpClient has no close: its connections go with the executor, which the caller shuts down.
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(headerTimeout).header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity");
    }

    /**
     * Waits for {@code answer}; while a body arrives ({@code received} grows) it waits on, and abandons it when no byte
     * came for the stall timeout. Bounded: each wait is one stall timeout, and each passes only with progress.
     */
    private <T> HttpResponse<T> await(URI uri, CompletableFuture<HttpResponse<T>> answer, AtomicLong received)
            throws OriginException {
        long before = -1;
        while (true) {
            try {
                return answer.get(stallTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                long now = received == null ? 0 : received.get();
                if (received == null || now == before) {
                    answer.cancel(true);
                    throw new OriginException(uri + ": no answer for " + stallTimeout.toMillis() + " ms"
                            + (now > 0 ? " after " + now + " bytes" : ""));
                }
                before = now;
            } catch (InterruptedException e) {
                answer.cancel(true);
                Thread.currentThread().interrupt();
                throw new OriginException(uri + ": interrupted", e);
            } catch (ExecutionException e) {
                throw failure(uri, e.getCause());
            }
        }
    }

    private static OriginException failure(URI uri, Throwable cause) {
        if (cause instanceof OriginException origin) {
            return origin;
        }
        if (cause instanceof HttpTimeoutException) {
            return new OriginException(uri + ": timed out (" + cause.getMessage() + ")", cause);
        }
        if (cause instanceof ConnectException) {
            return new OriginException(uri + ": cannot connect (" + cause + ")", cause);
        }
        if (cause instanceof IOException) {
            return new OriginException(uri + ": " + cause.getMessage(), cause);
        }
        return new OriginException(uri + ": " + cause, cause);
    }

    private static OriginException unexpected(URI uri, int status) {
        return new OriginException(uri + ": HTTP " + status);
    }

    private static Metadata metadata(URI uri, HttpHeaders headers) throws OriginException {
        OptionalLong length = headers.firstValueAsLong("Content-Length");
        if (length.isEmpty() || length.getAsLong() < 0) {
            throw new OriginException(uri + ": no Content-Length (a chunked or compressed answer cannot be checked"
                    + " for completeness)");
        }
        return new Metadata(length.getAsLong(), etagOf(headers), sha256Of(headers));
    }

    private static Optional<String> etagOf(HttpHeaders headers) {
        return headers.firstValue("ETag").map(String::strip).filter(etag -> !etag.isEmpty());
    }

    /** The SHA-256 the headers state, lower-case hex, or empty. */
    static Optional<String> sha256Of(HttpHeaders headers) {
        Optional<String> amz = headers.firstValue("x-amz-checksum-sha256").flatMap(HttpOrigin::fromBase64);
        if (amz.isPresent()) {
            return amz;
        }
        for (String value : headers.allValues("Repr-Digest")) {
            Matcher m = REPR_DIGEST.matcher(value);
            if (m.find()) {
                return fromBase64(m.group(1));
            }
        }
        for (String value : headers.allValues("Digest")) {
            Matcher m = LEGACY_DIGEST.matcher(value);
            if (m.find()) {
                return fromBase64(m.group(1));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> fromBase64(String value) {
        try {
            byte[] digest = Base64.getDecoder().decode(value.strip());
            return digest.length == 32 ? Optional.of(HexFormat.of().formatHex(digest)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes a {@code 200}'s body to the target file as it arrives, refusing more bytes than the Content-Length; its
     * result is the bytes written. Runs on the client's threads, one buffer list at a time.
     */
    private static final class FileBody implements HttpResponse.BodySubscriber<Long> {
        private final URI uri;
        private final Path target;
        private final long expected;
        private final AtomicLong received;
        private final CompletableFuture<Long> result = new CompletableFuture<>();
        private FileChannel channel;
        private Flow.Subscription subscription;

        FileBody(URI uri, Path target, HttpHeaders headers, AtomicLong received) {
            this.uri = uri;
            this.target = target;
            this.expected = headers.firstValueAsLong("Content-Length").orElse(-1);
            this.received = received;
        }

        @Override
        public CompletionStage<Long> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (expected < 0) {
                fail(new OriginException(uri + ": no Content-Length (a chunked or compressed answer cannot be checked"
                        + " for completeness)"));
                return;
            }
            try {
                channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                fail(new OriginException("cannot write " + target + ": " + e.getMessage(), e));
                return;
            }
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            try {
                for (ByteBuffer buffer : buffers) {
                    long total = received.addAndGet(buffer.remaining());
                    if (total > expected) {
                        fail(new OriginException(uri + ": body runs past its Content-Length of " + expected));
                        return;
                    }
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
            } catch (IOException e) {
                fail(new OriginException("cannot write " + target + ": " + e.getMessage(), e));
                return;
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable throwable) {
            close();
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            try {
                if (channel != null) {
                    channel.force(false);
                }
            } catch (IOException e) {
                fail(new OriginException("cannot write " + target + ": " + e.getMessage(), e));
                return;
            }
            close();
            long total = received.get();
            if (total != expected) {
                result.completeExceptionally(new OriginException(uri + ": body cut short at " + total + " of "
                        + expected + " bytes"));
            } else {
                result.complete(total);
            }
        }

        private void fail(OriginException failure) {
            close();
            if (subscription != null) {
                subscription.cancel();
            }
            result.completeExceptionally(failure);
        }

        private void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the file is the caller's to delete; a failed close loses nothing it would keep
                }
                channel = null;
            }
        }
    }
}

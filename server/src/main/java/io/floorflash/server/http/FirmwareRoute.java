package io.floorflash.server.http;

import io.floorflash.protocol.SafeText;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareImage;
import io.floorflash.server.provisioning.Provisioning;
import io.floorflash.server.metrics.FloorflashMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Date;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET} and {@code HEAD /firmware/NAME}: the same images as TFTP, decided by the same rules for the connection's
 * client address ({@link Provisioning}: a rule's deny answers 403 with its text), under the same name rules, for phones (and people) that can fetch over HTTP — Snom advises HTTP for images over 32 MB.
 *
 * <ul>
 * <li>The rest of the raw path after {@code /firmware/} is percent-decoded once, then checked like a TFTP name: a
 * refusal (ERROR 2: {@code ..}, control characters, drive letters, a link out of the root) answers 403, a missing
 * file 404, a file being written 503, each with the store's message as a plain-text body.</li>
 * <li>Octet bytes, {@code Content-Length}, {@code Accept-Ranges: bytes}, a strong {@code ETag} (the image's SHA-256,
 * computed when it was loaded, off the event loop) and {@code Last-Modified}. {@code If-None-Match} answers 304.</li>
 * <li>One range, {@code bytes=a-b}, {@code a-} or {@code -n}, answers 206 with {@code Content-Range}; a range past
 * the end 416 with {@code Content-Range: bytes *}{@code /size}. Several ranges, another unit, bad syntax or an
 * {@code If-Range} that does not match are ignored: 200 with the whole file (RFC 9110 section 14.2).</li>
 * <li>The body is written in {@value #CHUNK_SIZE}-byte views of the image's shared memory through a
 * {@link ChunkedWriteHandler}, which writes only while the connection is writable: <b>the HTTP pipeline must hold a
 * {@link ChunkedWriteHandler} between the HTTP codec and the router</b>; without one this route answers 500.</li>
 * </ul>
 */
public final class FirmwareRoute implements HttpRoute, FloorflashMetrics.DownloadStats {
    /** The path prefix this route serves; the rest of the path names the file. */
    public static final String PREFIX = "/firmware/";
    /** Bytes per body piece: about one connection's default write-buffer high-water mark. */
    static final int CHUNK_SIZE = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(FirmwareRoute.class);
    private static final String ALLOWED = "GET, HEAD";

    private final Provisioning provisioning;
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder bytesSent = new LongAdder();

    public FirmwareRoute(Provisioning provisioning) {
        this.provisioning = provisioning;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        RouteAnswers answers = RouteAnswers.of(request);
        if (!HttpMethod.GET.equals(request.method()) && !answers.head()) {
            answers.methodNotAllowed(ctx, ALLOWED);
            return;
        }
        String raw = uri.rawPath();
        if (!raw.startsWith(PREFIX)) {
            answers.text(ctx, HttpResponseStatus.NOT_FOUND, "Not found: firmware is served below " + PREFIX);
            return;
        }
        String name;
        try {
            name = PathNames.decode(raw.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            answers.text(ctx, HttpResponseStatus.BAD_REQUEST, "Bad request: " + e.getMessage());
            return;
        }
        if (ctx.pipeline().get(ChunkedWriteHandler.class) == null) {
            log.error("the HTTP pipeline has no ChunkedWriteHandler before the router: firmware cannot be sent");
            answers.text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal server error: see the server log");
            return;
        }
        Conditions conditions = Conditions.of(request.headers());
        String client = describe(ctx.channel().remoteAddress());
        long startedAt = System.nanoTime();
        InetAddress from = ctx.channel().remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
        provisioning.open(from, name, TransferMode.OCTET).whenCompleteAsync((image, error) -> {
            if (error != null) {
                refuse(ctx, answers, client, name, error);
                return;
            }
            answer(ctx, answers, conditions, image, client, startedAt);
        }, ctx.executor());
    }

    /**
     * What the operator side answers below {@link #PREFIX}: 404 naming where firmware is served instead, so a phone
     * or script still pointed at the operator side learns where to go rather than getting a bare 404.
     *
     * @param where the firmware side's address (a URL ending in {@code /firmware/}), or a sentence saying it is off
     */
    public static HttpRoute elsewhere(String where) {
        String message = "Not found: firmware is not served on this operator side but on the firmware HTTP side: " + where;
        return (ctx, request, uri) -> RouteAnswers.of(request).text(ctx, HttpResponseStatus.NOT_FOUND, message);
    }

    @Override
    public int activeDownloads() {
        return active.get();
    }

    @Override
    public long bytesSent() {
        return bytesSent.sum();
    }

    private void answer(ChannelHandlerContext ctx, RouteAnswers answers, Conditions conditions, FirmwareImage image,
                        String client, long startedAt) {
        if (!ctx.channel().isActive()) {
            return;
        }
        String etag = '"' + image.sha256() + '"';
        long size = image.size();
        if (conditions.ifNoneMatch != null && matchesAny(conditions.ifNoneMatch, etag)) {
            FullHttpResponse notModified = new DefaultFullHttpResponse(answers.version(), HttpResponseStatus.NOT_MODIFIED,
                    Unpooled.EMPTY_BUFFER);
            describe(notModified.headers(), image, etag);
            HttpUtil.setKeepAlive(notModified, answers.keepAlive());
            answers.send(ctx, notModified);
            return;
        }
        String range = rangeApplies(conditions.ifRange, etag, image) ? conditions.range : null;
        ByteRange bytes = ByteRange.parse(range, size);
        if (bytes.kind() == ByteRange.Kind.UNSATISFIABLE) {
            FullHttpResponse unsatisfiable = answers.text(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "Range not satisfiable: " + image.name() + " is " + size + " bytes, asked for '" + conditions.range + "'");
            unsatisfiable.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size)
                    .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
            answers.send(ctx, unsatisfiable);
            log.info("http client={} file={} status=416 range=\"{}\" size={}", client, SafeText.escape(image.name()),
                    SafeText.escape(conditions.range), size);
            return;
        }
        boolean part = bytes.kind() == ByteRange.Kind.PART;
        HttpResponseStatus status = part ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK;
        HttpResponse response = answers.headers(status);
        describe(response.headers(), image, etag);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length());
        if (part) {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes " + bytes.first() + "-" + bytes.last() + "/" + size);
        }
        ctx.write(response);
        if (answers.head() || bytes.length() == 0) {
            finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), answers, client, image, status, 0, startedAt);
            return;
        }
        active.incrementAndGet();
        ImageChunks chunks = new ImageChunks(image, bytes.first(), bytes.length(), CHUNK_SIZE, new ImageChunks.Progress() {
            @Override
            public void sent(int n) {
                bytesSent.add(n);
            }

            @Override
            public void closed(ImageChunks closed) {
                active.decrementAndGet();
            }
        });
        ChannelFuture written = ctx.writeAndFlush(new HttpChunkedInput(chunks));
        written.addListener(f -> chunks.close());
        finish(written, answers, client, image, status, bytes.length(), startedAt);
    }

    /** Logs the response once written (or abandoned) and closes the connection unless it is kept alive. */
    private static void finish(ChannelFuture written, RouteAnswers answers, String client, FirmwareImage image,
                               HttpResponseStatus status, long length, long startedAt) {
        written.addListener((ChannelFuture f) -> {
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
            if (f.isSuccess()) {
                log.info("http client={} file={} status={} bytes={} ms={}", client, SafeText.escape(image.name()), status.code(), length, ms);
                if (!answers.keepAlive()) {
                    f.channel().close();
                }
            } else {
                log.info("http client={} file={} status={} aborted after ms={}: {}", client, SafeText.escape(image.name()), status.code(), ms,
                        String.valueOf(f.cause()));
                f.channel().close();
            }
        });
    }

    private static void refuse(ChannelHandlerContext ctx, RouteAnswers answers, String client, String name, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof FirmwareException)) {
            log.error("unexpected failure opening firmware for http client={} file={}", client, SafeText.escape(name), cause);
            answers.text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal server error");
            return;
        }
        FirmwareException refusal = (FirmwareException) cause;
        HttpResponseStatus status = statusOf(refusal);
        log.info("http refused client={} file={} status={} reason=\"{}\"", client, SafeText.escape(name), status.code(),
                SafeText.escape(refusal.getMessage()));
        answers.text(ctx, status, refusal.getMessage());
    }

    /** The HTTP status for the TFTP error the store chose: 1 is 404, 2 is 403, 0 (being written, unreadable) 503. */
    static HttpResponseStatus statusOf(FirmwareException refusal) {
        switch (refusal.code()) {
            case FILE_NOT_FOUND:
                return HttpResponseStatus.NOT_FOUND;
            case ACCESS_VIOLATION:
                return HttpResponseStatus.FORBIDDEN;
            case NOT_DEFINED:
                return HttpResponseStatus.SERVICE_UNAVAILABLE;
            default:
                return HttpResponseStatus.INTERNAL_SERVER_ERROR;
        }
    }

    private static void describe(HttpHeaders headers, FirmwareImage image, String etag) {
        headers.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES).set(HttpHeaderNames.ETAG, etag);
        image.lastModified().ifPresent(m -> headers.set(HttpHeaderNames.LAST_MODIFIED, DateFormatter.format(Date.from(m))));
    }

    /** Whether a Range may be honoured: no If-Range, or one naming this very version (RFC 9110 section 13.1.5). */
    static boolean rangeApplies(String ifRange, String etag, FirmwareImage image) {
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.trim();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return value.equals(etag);
        }
        Date date = DateFormatter.parseHttpDate(value);
        return date != null && image.lastModified().map(m -> m.getEpochSecond() == date.getTime() / 1000).orElse(false);
    }

    /** Weak comparison against an If-None-Match list, as RFC 9110 section 13.1.2 asks. */
    static boolean matchesAny(String ifNoneMatch, String etag) {
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return (inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString()) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** The request headers the answer depends on, kept past the request's release. */
    private static final class Conditions {
        final String range;
        final String ifRange;
        final String ifNoneMatch;

        private Conditions(String range, String ifRange, String ifNoneMatch) {
            this.range = range;
            this.ifRange = ifRange;
            this.ifNoneMatch = ifNoneMatch;
        }

        static Conditions of(HttpHeaders headers) {
            return new Conditions(headers.get(HttpHeaderNames.RANGE), headers.get(HttpHeaderNames.IF_RANGE),
                    headers.get(HttpHeaderNames.IF_NONE_MATCH));
        }
    }
}

package io.floorflash.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.Key;
import io.floorflash.config.Overrides;
import io.floorflash.config.ProvisioningSettings;
import io.floorflash.protocol.TransferMode;
import io.floorflash.server.TestSettings;
import io.floorflash.server.firmware.FirmwareException;
import io.floorflash.server.firmware.FirmwareStore;
import io.floorflash.server.pipeline.PipelineNames;
import io.floorflash.server.provisioning.Provisioning;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FirmwareRoute} behind the firmware HTTP side's own pipeline ({@link HttpListener#configure}: codec,
 * aggregator, response pacer, chunked writer, router) in an {@link EmbeddedChannel}, asked by
 * Netty's HTTP client codec in another one. The store loads on the calling thread; the answer is written from the
 * channel's loop, so each exchange runs its pending tasks.
 */
class FirmwareRouteTest {
    /** A 64 MiB cache, its budget in reference.conf's ratio, and one load at a time. */
    private static final Overrides CACHE_64_MIB = Overrides.none()
            .with(Key.FIRMWARE_CACHE_MAX_BYTES, 64L << 20)
            .with(Key.FIRMWARE_MEMORY_BUDGET, (64L << 20) * 3 / 2)
            .with(Key.FIRMWARE_LOAD_THREADS, 1);
    private static final Instant MODIFIED = Instant.parse("2024-05-01T10:15:30Z");

    @TempDir
    Path base;
    private Path root;
    private FirmwareStore store;
    private FirmwareRoute route;
    private byte[] image;
    private EmbeddedChannel server;
    private EmbeddedChannel client;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectory(base.resolve("firmware"));
        image = pattern(200_000);
        Files.write(root.resolve("snom320.bin"), image);
        Files.setLastModifiedTime(root.resolve("snom320.bin"), FileTime.from(MODIFIED));
        Files.write(root.resolve("empty.bin"), new byte[0]);
        Files.createDirectory(root.resolve("dir"));
        Files.writeString(base.resolve("secret.txt"), "not for phones\n");
        Files.createSymbolicLink(root.resolve("escape.bin"), base.resolve("secret.txt"));
        store = new FirmwareStore(TestSettings.firmware(root, CACHE_64_MIB), Runnable::run, () -> 0L);
        route = new FirmwareRoute(new Provisioning(ProvisioningSettings.NONE, store));
        server = serverChannel(true);
        client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));
    }

    @AfterEach
    void finish() {
        assertThat(server.finishAndReleaseAll()).as("server left messages").isFalse();
        assertThat(client.finishAndReleaseAll()).as("client left messages").isFalse();
        assertThat(route.activeDownloads()).isZero();
    }

    @Test
    void servesTheWholeImageWithItsValidators() {
        FullHttpResponse response = exchange(get("/firmware/snom320.bin"));
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(bytes(response)).isEqualTo(image);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("200000");
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/octet-stream");
            assertThat(response.headers().get(HttpHeaderNames.ACCEPT_RANGES)).isEqualTo("bytes");
            assertThat(response.headers().get(HttpHeaderNames.ETAG)).isEqualTo('"' + sha256() + '"');
            assertThat(DateFormatter.parseHttpDate(response.headers().get(HttpHeaderNames.LAST_MODIFIED)).toInstant())
                    .isEqualTo(MODIFIED);
            assertThat(route.bytesSent()).isEqualTo(image.length);
            assertThat(server.isOpen()).isTrue();
        } finally {
            response.release();
        }
    }

    @Test
    void writesTheBodyInViewsOfAtMost64KiB() {
        client.writeOutbound(get("/firmware/snom320.bin"));
        server.writeInbound(drain(client));
        server.runPendingTasks();
        List<Integer> sizes = new ArrayList<>();
        for (Object out; (out = server.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            sizes.add(buf.readableBytes());
            buf.release();
        }
        // Headers, then four 64 KiB pieces and the rest (the codec may write the headers on their own).
        assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(FirmwareRoute.CHUNK_SIZE + 512));
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isGreaterThan(image.length);
        assertThat(sizes.size()).isGreaterThanOrEqualTo(4);
    }

    @ParameterizedTest(name = "Range: {0} -> 206 {1}-{2}")
    @CsvSource({"bytes=100-199, 100, 199", "bytes=1000-, 1000, 199999", "bytes=-500, 199500, 199999",
                "bytes=199999-300000, 199999, 199999"})
    void servesOneRangeAsPartialContent(String range, int first, int last) {
        FullHttpRequest request = get("/firmware/snom320.bin");
        request.headers().set(HttpHeaderNames.RANGE, range);
        FullHttpResponse response = exchange(request);
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.PARTIAL_CONTENT);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_RANGE)).isEqualTo("bytes " + first + "-" + last + "/200000");
            assertThat(bytes(response)).isEqualTo(Arrays.copyOfRange(image, first, last + 1));
            assertThat(HttpUtil.getContentLength(response)).isEqualTo(last - first + 1);
        } finally {
            response.release();
        }
    }

    @Test
    void answersARangePastTheEndWith416AndTheSize() {
        FullHttpRequest request = get("/firmware/snom320.bin");
        request.headers().set(HttpHeaderNames.RANGE, "bytes=200000-");
        FullHttpResponse response = exchange(request);
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_RANGE)).isEqualTo("bytes */200000");
            assertThat(text(response)).contains("200000 bytes");
        } finally {
            response.release();
        }
    }

    @Test
    void answersSeveralRangesWithTheWholeFile() {
        FullHttpRequest request = get("/firmware/snom320.bin");
        request.headers().set(HttpHeaderNames.RANGE, "bytes=0-9,20-29");
        FullHttpResponse response = exchange(request);
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.headers().contains(HttpHeaderNames.CONTENT_RANGE)).isFalse();
            assertThat(bytes(response)).isEqualTo(image);
        } finally {
            response.release();
        }
    }

    @Test
    void honoursARangeOnlyForTheVersionNamedInIfRange() {
        FullHttpRequest stale = get("/firmware/snom320.bin");
        stale.headers().set(HttpHeaderNames.RANGE, "bytes=0-9").set(HttpHeaderNames.IF_RANGE, "\"an-older-version\"");
        FullHttpResponse whole = exchange(stale);
        FullHttpRequest current = get("/firmware/snom320.bin");
        current.headers().set(HttpHeaderNames.RANGE, "bytes=0-9").set(HttpHeaderNames.IF_RANGE, '"' + sha256() + '"');
        FullHttpResponse part = exchange(current);
        FullHttpRequest byDate = get("/firmware/snom320.bin");
        byDate.headers().set(HttpHeaderNames.RANGE, "bytes=0-9")
                .set(HttpHeaderNames.IF_RANGE, DateFormatter.format(java.util.Date.from(MODIFIED)));
        FullHttpResponse partByDate = exchange(byDate);
        try {
            assertThat(whole.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(part.status()).isEqualTo(HttpResponseStatus.PARTIAL_CONTENT);
            assertThat(partByDate.status()).isEqualTo(HttpResponseStatus.PARTIAL_CONTENT);
            assertThat(bytes(part)).isEqualTo(Arrays.copyOf(image, 10));
        } finally {
            whole.release();
            part.release();
            partByDate.release();
        }
    }

    @Test
    void answersIfNoneMatchWithNotModified() {
        FullHttpRequest request = get("/firmware/snom320.bin");
        request.headers().set(HttpHeaderNames.IF_NONE_MATCH, "\"other\", W/\"" + sha256() + '"');
        FullHttpResponse response = exchange(request);
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.NOT_MODIFIED);
            assertThat(response.content().readableBytes()).isZero();
            assertThat(response.headers().get(HttpHeaderNames.ETAG)).isEqualTo('"' + sha256() + '"');
        } finally {
            response.release();
        }
    }

    @Test
    void answersHeadWithTheLengthAndNoBody() {
        FullHttpResponse response = exchange(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/firmware/snom320.bin"));
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("200000");
            assertThat(response.content().readableBytes()).isZero();
            assertThat(route.bytesSent()).isZero();
        } finally {
            response.release();
        }
    }

    @Test
    void servesAnEmptyFile() {
        FullHttpResponse response = exchange(get("/firmware/empty.bin"));
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("0");
            assertThat(response.headers().get(HttpHeaderNames.ETAG))
                    .isEqualTo("\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"");
        } finally {
            response.release();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/firmware/../secret.txt          | 403 | ../secret.txt",
        "/firmware/%2e%2e%2fsecret.txt    | 403 | ../secret.txt",
        "/firmware/%2E%2E/secret.txt      | 403 | ../secret.txt",
        "/firmware/..%5csecret.txt        | 403 | ..\\secret.txt",
        "/firmware/C:%5cboot.ini          | 403 | C:\\boot.ini",
        "/firmware/snom%00.bin            | 403 | snom\u0000.bin",
        "/firmware/%ff.bin                | 403 | \uFFFD.bin",
        "/firmware/escape.bin             | 403 | escape.bin",
        "/firmware/dir                    | 403 | dir",
        "/firmware/                       | 403 | ''",
        "/firmware/missing.bin            | 404 | missing.bin",
        "/firmware/%252e%252e             | 404 | %2e%2e",
    })
    void refusesWhatTftpRefusesWithTheSameMessage(String path, int status, String tftpName) {
        FullHttpResponse response = exchange(get(path));
        try {
            assertThat(response.status().code()).isEqualTo(status);
            assertThat(text(response)).isEqualTo(tftpRefusal(tftpName) + "\n");
            assertThat(text(response)).doesNotContain("not for phones");
            assertThat(server.isOpen()).as("kept alive").isTrue();
        } finally {
            response.release();
        }
    }

    @Test
    void answersABrokenEscapeWith400() {
        FullHttpResponse response = exchange(get("/firmware/snom%2.bin"));
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
            assertThat(text(response)).as("the router refuses it before the route").startsWith("malformed URI: ")
                    .contains("snom%2.bin");
        } finally {
            response.release();
        }
    }

    @Test
    void allowsOnlyGetAndHead() {
        FullHttpResponse response = exchange(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/firmware/snom320.bin"));
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
            assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
        } finally {
            response.release();
        }
    }

    @Test
    void keepsTheConnectionForTheNextRequest() {
        FullHttpResponse first = exchange(get("/firmware/snom320.bin"));
        FullHttpResponse second = exchange(get("/firmware/missing.bin"));
        FullHttpResponse third = exchange(get("/firmware/snom320.bin"));
        try {
            assertThat(first.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(second.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
            assertThat(bytes(third)).isEqualTo(image);
            assertThat(server.isOpen()).isTrue();
        } finally {
            first.release();
            second.release();
            third.release();
        }
    }

    @Test
    void closesAfterTheAnswerWhenAskedTo() {
        FullHttpRequest request = get("/firmware/snom320.bin");
        HttpUtil.setKeepAlive(request, false);
        FullHttpResponse response = exchange(request);
        try {
            assertThat(bytes(response)).isEqualTo(image);
            assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
            assertThat(server.isOpen()).isFalse();
        } finally {
            response.release();
        }
    }

    @Test
    void answers500WhenThePipelineHasNoChunkedWriter() {
        server.finishAndReleaseAll();
        server = serverChannel(false);
        FullHttpResponse response = exchange(get("/firmware/snom320.bin"));
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.INTERNAL_SERVER_ERROR);
        } finally {
            response.release();
        }
    }

    @Test
    void writesNothingWhenTheClientLeftBeforeTheImageWasReady() {
        java.util.Queue<Runnable> loads = new java.util.ArrayDeque<>();
        route = new FirmwareRoute(new Provisioning(ProvisioningSettings.NONE,
                new FirmwareStore(TestSettings.firmware(root, CACHE_64_MIB), loads::add, () -> 0L)));
        server.finishAndReleaseAll();
        server = serverChannel(true);
        client.writeOutbound(get("/firmware/snom320.bin"));
        server.writeInbound(drain(client));
        assertThat(loads).as("the load waits").isNotEmpty();
        server.close();
        while (!loads.isEmpty()) {
            loads.poll().run();
        }
        server.runPendingTasks();
        assertThat((Object) server.readOutbound()).isNull();
        assertThat(route.bytesSent()).isZero();
    }

    private EmbeddedChannel serverChannel(boolean chunkedWriter) {
        EmbeddedChannel channel = new EmbeddedChannel();
        HttpListener.configure(channel.pipeline(), new HttpRouter(SideRoutes.firmware(route), HttpGate.OPEN),
                TestPipelines.limits(64 * 1024), new GuardCounters());
        if (!chunkedWriter) {
            channel.pipeline().remove(PipelineNames.HTTP_CHUNKED);
        }
        return channel;
    }

    /** Sends {@code request} through both codecs and returns the aggregated answer; the caller releases it. */
    private FullHttpResponse exchange(FullHttpRequest request) {
        client.writeOutbound(request);
        server.writeInbound(drain(client));
        server.runPendingTasks();
        for (Object out; (out = server.readOutbound()) != null; ) {
            client.writeInbound(out);
        }
        FullHttpResponse response = client.readInbound();
        assertThat(response).as("an answer to %s", request.uri()).isNotNull();
        return response;
    }

    private static ByteBuf drain(EmbeddedChannel channel) {
        ByteBuf all = channel.alloc().buffer();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            all.writeBytes(buf);
            buf.release();
        }
        return all;
    }

    private static FullHttpRequest get(String path) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    }

    private String tftpRefusal(String name) {
        try {
            store.open(name, TransferMode.OCTET).get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return ((FirmwareException) e.getCause()).getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError(name + " was not refused over TFTP");
    }

    private static byte[] bytes(FullHttpResponse response) {
        return ByteBufUtil.getBytes(response.content());
    }

    private static String text(FullHttpResponse response) {
        return response.content().toString(StandardCharsets.UTF_8);
    }

    private String sha256() {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8) * 7 + (i >>> 16));
        }
        return bytes;
    }
}

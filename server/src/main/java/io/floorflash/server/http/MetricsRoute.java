package io.floorflash.server.http;

import io.floorflash.server.metrics.FloorflashMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}: the Prometheus text exposition (format 0.0.4) of {@link FloorflashMetrics}. The scrape runs
 * on the metrics thread (some JVM gauges read {@code /proc}); the answer is written from the connection's event loop.
 */
public final class MetricsRoute implements HttpRoute {
    /** The path Prometheus scrapes. */
    public static final String PATH = "/metrics";
    private static final Logger log = LoggerFactory.getLogger(MetricsRoute.class);

    private final FloorflashMetrics metrics;

    public MetricsRoute(FloorflashMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        RouteAnswers answers = RouteAnswers.of(request);
        if (!HttpMethod.GET.equals(request.method()) && !answers.head()) {
            answers.methodNotAllowed(ctx, "GET, HEAD");
            return;
        }
        metrics.scrapeAsync().whenCompleteAsync((text, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RejectedExecutionException) {
                answers.text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "Metrics are not available: the server is stopping");
                return;
            }
            if (cause != null) {
                log.error("metrics scrape failed", cause);
                answers.text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "Metrics scrape failed; see the server log");
                return;
            }
            answers.body(ctx, HttpResponseStatus.OK, FloorflashMetrics.CONTENT_TYPE, Unpooled.wrappedBuffer(text));
        }, ctx.executor());
    }
}

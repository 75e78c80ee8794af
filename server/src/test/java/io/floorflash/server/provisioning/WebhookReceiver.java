package io.floorflash.server.provisioning;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver for tests: the JDK's own HTTP server on {@code 127.0.0.1} and a port the kernel picks. It
 * answers each POST with the next scripted status (200 once the script is used up), optionally holds every request
 * until {@link #release} first, and keeps what it got.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as received. */
    public record Post(String method, String path, Headers headers, String body) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ConcurrentLinkedDeque<Integer> script = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<Post> posts = new ConcurrentLinkedDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private volatile String retryAfter;

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                posts.add(new Post(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders(), body));
                waiting.incrementAndGet();
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    waiting.decrementAndGet();
                }
                Integer status = script.poll();
                // JDK 17's HttpServer.stop waits seconds for an idle kept-alive connection: close each one.
                exchange.getResponseHeaders().add("Connection", "close");
                if (retryAfter != null) {
                    exchange.getResponseHeaders().add("Retry-After", retryAfter);
                }
                exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** The URL to post to. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/floorflash";
    }

    /** Answers the next requests with {@code statuses}, in order. */
    public WebhookReceiver answer(Integer... statuses) {
        script.addAll(List.of(statuses));
        return this;
    }

    /** Sends this Retry-After header with every answer. */
    public WebhookReceiver retryAfter(String value) {
        retryAfter = value;
        return this;
    }

    /** Holds every request from now on until {@link #release}. */
    public void hold() {
        hold = new CountDownLatch(1);
    }

    public void release() {
        hold.countDown();
    }

    /** Requests being held now. */
    public int held() {
        return waiting.get();
    }

    public List<Post> posts() {
        return new ArrayList<>(posts);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}

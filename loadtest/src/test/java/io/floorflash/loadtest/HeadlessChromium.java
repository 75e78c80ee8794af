package io.floorflash.loadtest;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium, driven over the DevTools protocol with the JDK's own WebSocket client: no npm, no
 * driver. Started with a fresh profile and {@code --remote-debugging-port=0}; the port is read from the profile's
 * {@code DevToolsActivePort}. Every wait is bounded; {@link #close()} stops the browser and its children by PID.
 */
final class HeadlessChromium implements AutoCloseable {
    static final String INSTALL = "sudo apt-get install -y chromium";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final List<ProcessHandle> children = new ArrayList<>();
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private HeadlessChromium(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** The browser binary on the PATH, or an assertion error naming the install line (never a skip). */
    static Path binary() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new AssertionError("chromium is not installed, and this test drives the floor page in it: " + INSTALL);
    }

    /** Starts the browser with a fresh profile under {@code workDir}, showing {@code about:blank}, {@code width}x{@code height}. */
    static HeadlessChromium start(Path workDir, int width, int height) throws Exception {
        Path binary = binary();
        Path profile = Files.createDirectories(workDir).resolve("chromium-profile-" + ProcessHandle.current().pid()
                + "-" + System.nanoTime());
        Files.createDirectories(profile);
        Path log = workDir.resolve(profile.getFileName() + ".log");
        List<String> command = List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            Path activePort = profile.resolve("DevToolsActivePort");
            List<String> lines = await("chromium writes " + activePort).atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("chromium exited with " + process.exitValue() + ": "
                                    + Files.readString(log, StandardCharsets.UTF_8));
                        }
                        return Files.exists(activePort) ? Files.readAllLines(activePort) : List.<String>of();
                    }, read -> read.size() >= 2);
            int port = Integer.parseInt(lines.get(0).strip());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String pageSocket = await("a page target").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
                HttpResponse<String> targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/json/list")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                for (JsonNode target : JSON.readTree(targets.body())) {
                    if ("page".equals(target.path("type").asText()) && target.has("webSocketDebuggerUrl")) {
                        return Optional.of(target.get("webSocketDebuggerUrl").asText());
                    }
                }
                return Optional.<String>empty();
            }, Optional::isPresent).orElseThrow();
            HeadlessChromium[] self = new HeadlessChromium[1];
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(pageSocket), new Listener(message -> self[0].onMessage(message)))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(process, socket);
            process.descendants().forEach(self[0].children::add);
            return self[0];
        } catch (Exception | AssertionError e) {
            stop(process, process.descendants().toList());
            throw e;
        }
    }

    /** Opens {@code url} and waits until its document has loaded. */
    void navigate(String url) throws Exception {
        call("Page.enable", JSON.createObjectNode());
        call("Page.navigate", JSON.createObjectNode().put("url", url));
        await("the page loads").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> "complete".equals(evaluate("document.readyState").asText()));
    }

    /** The value of a JavaScript expression in the page (JSON-serializable values only). */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new AssertionError("page threw on '" + expression + "': " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /**
     * A PNG of the whole page, written to {@code file}: the viewport is made as tall as the page first, so everything
     * is laid out and painted as on screen (content-visibility skips painting what lies outside the viewport).
     */
    void screenshot(Path file, int width) throws Exception {
        int height = Math.min(16_000, evaluate("document.documentElement.scrollHeight").asInt());
        call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width).put("height", height)
                .put("deviceScaleFactor", 1).put("mobile", false));
        await("the page re-laid out at full height").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> evaluate("window.innerHeight").asInt() == height);
        evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        call("Emulation.clearDeviceMetricsOverride", JSON.createObjectNode());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode reply = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new AssertionError(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    private void onMessage(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            if (message.has("id")) {
                CompletableFuture<JsonNode> answer = pending.remove(message.get("id").asInt());
                if (answer != null) {
                    answer.complete(message);
                }
            }
        } catch (IOException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    /** Closes the DevTools connection, then stops Chromium and every process it started, by PID. */
    @Override
    public void close() {
        socket.abort();
        children.addAll(process.descendants().toList());
        stop(process, children);
    }

    private static void stop(Process process, List<ProcessHandle> children) {
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    /** Collects text frames (possibly split) into whole messages. */
    private static final class Listener implements WebSocket.Listener {
        private final java.util.function.Consumer<String> onMessage;
        private final StringBuilder partial = new StringBuilder();

        Listener(java.util.function.Consumer<String> onMessage) {
            this.onMessage = onMessage;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                onMessage.accept(message);
            }
            webSocket.request(1);
            return null;
        }
    }
}

package com.insurancehub.hub.platform.live;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Chromium (the Debian package) driven over the DevTools protocol with the JDK's own WebSocket client:
 * no driver binary, no library. Under CI=true a missing Chromium fails the test with the reason; elsewhere it skips.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    static HeadlessChromium start() throws Exception {
        String binary = find();
        if (binary == null) {
            String reason = "No Chromium: install the Debian packages chromium and chromium-driver (.ci/run does), or set CHROMIUM_BIN";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason);
            }
            Assumptions.abort(reason);
        }
        Path profile = Files.createTempDirectory("live-view-chromium");
        Process process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                "--window-size=1400,820", "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        Path activePort = profile.resolve("DevToolsActivePort");
        // A cold start reads the browser from disk: on a busy 2-core CI machine that once took more than 10 s
        Instant deadline = Instant.now().plusSeconds(30);
        while (!Files.exists(activePort) || Files.readAllLines(activePort).isEmpty()) {
            if (Instant.now().isAfter(deadline) || !process.isAlive()) {
                process.destroyForcibly();
                throw new AssertionError("Chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
            }
            Thread.sleep(50); // the file appears once Chromium listens
        }
        int port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode target : targets) {
            if ("page".equals(target.path("type").asText())) {
                page = target.get("webSocketDebuggerUrl").asText();
            }
        }
        HeadlessChromium[] self = new HeadlessChromium[1];
        StringBuilder partial = new StringBuilder();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    self[0].answer(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        self[0] = new HeadlessChromium(process, profile, socket);
        return self[0];
    }

    private static String find() {
        String configured = System.getenv("CHROMIUM_BIN");
        if (configured != null && new File(configured).canExecute()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                File candidate = new File(dir, name);
                if (candidate.canExecute()) {
                    return candidate.getPath();
                }
            }
        }
        return null;
    }

    private void answer(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            if (message.has("id")) {
                CompletableFuture<JsonNode> waiting = answers.remove(message.get("id").asInt());
                if (waiting != null) {
                    waiting.complete(message);
                }
            }
        } catch (Exception ignored) {
            // an event we do not wait for
        }
    }

    /** A DevTools command; its result. */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        answers.put(id, answer);
        ObjectNode command = JSON.createObjectNode().put("id", id).put("method", method);
        command.set("params", JSON.valueToTree(params));
        socket.sendText(JSON.writeValueAsString(command), true).get(5, TimeUnit.SECONDS);
        JsonNode message = answer.get(10, TimeUnit.SECONDS);
        if (message.has("error")) {
            throw new IllegalStateException(method + ": " + message.get("error"));
        }
        return message.path("result");
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** A JavaScript expression's value in the page (promises awaited), as JSON. */
    JsonNode eval(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        return result.path("result").path("value");
    }

    byte[] screenshot() throws Exception {
        return java.util.Base64.getDecoder().decode(call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText());
    }

    @Override
    public void close() throws Exception {
        try {
            socket.abort();
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(profile)) {
                List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
                for (Path file : all) {
                    Files.deleteIfExists(file);
                }
            } catch (Exception ignored) {
                // Chromium may still write its last files: the temp dir's cleaner takes them
            }
        }
    }

    static void await(Duration atMost, String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(atMost);
        while (!check.done()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Not in " + atMost.toSeconds() + " s: " + what);
            }
            Thread.sleep(100); // polling the page's DOM, as a user looking at it
        }
    }

    interface Check {
        boolean done() throws Exception;
    }
}

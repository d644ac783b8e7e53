package com.insurancehub.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The bounded load of the fault scenarios (bench/run-fault-scenarios.sh, docs/reliability.md): {@code count}
 * subscriptions at {@code rate} per second, each a new quote ({@code POST /api/quotes}) then its subscription
 * ({@code POST /api/quotes/{id}/subscribe}, the saga), as a partner's back office would send them while something
 * is killed.
 *
 * <p>What a careful client does when a hub is gone: a call that never reached a hub (connection refused) is sent to
 * the next hub of {@code hubs}, or again after a pause, until {@code retryFor} seconds have passed - nothing was done,
 * so it is safe. A subscribe whose connection broke after it was sent is not retried: the client cannot know what the
 * hub did, and the recovery has to settle it (the checker, {@link FaultCheck}, looks at every quote). A quote that
 * fails (5xx) is priced again, a subscribe that fails is recorded with its answer.
 *
 * <p>Every quote's customer has an email {@code fault-<run>-<n>@example.com}, new for each subscription (no golden
 * record is shared between two of them). Writes {@code out} (JSON): one entry per subscription (quote id, hub,
 * answer, policy id, times) and the counts. Arguments {@code key=value}: hubs (comma-separated base URLs), count,
 * rate, run, out, retryFor (s, default 120); the token as {@link ClientCredentialsToken} (system properties).
 */
public final class FaultLoad {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> hubs;
    private final String run;
    private final long retryForNanos;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final ClientCredentialsToken token;

    private FaultLoad(List<String> hubs, String run, long retryForSeconds, ClientCredentialsToken token) {
        this.hubs = hubs;
        this.run = run;
        this.retryForNanos = TimeUnit.SECONDS.toNanos(retryForSeconds);
        this.token = token;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String arg : argv) {
            String[] kv = arg.split("=", 2);
            args.put(kv[0], kv[1]);
        }
        List<String> hubs = List.of(args.getOrDefault("hubs", "http://localhost:8080").split(","));
        int count = Integer.parseInt(args.getOrDefault("count", "100"));
        double rate = Double.parseDouble(args.getOrDefault("rate", "5"));
        Path out = Path.of(args.getOrDefault("out", "fault-load.json"));
        String run = args.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
        long retryFor = Long.parseLong(args.getOrDefault("retryFor", "120"));

        try (ClientCredentialsToken token = ClientCredentialsToken.fromSystemProperties("quotes policies").start()) {
            FaultLoad load = new FaultLoad(hubs, run, retryFor, token);
            Map<String, Object> result = load.run(count, rate);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, JSON.writeValueAsString(result));
            @SuppressWarnings("unchecked")
            Map<String, Object> counts = (Map<String, Object>) result.get("counts");
            System.out.println("Load done: " + counts);
        }
        System.exit(0); // the HTTP client's selector threads are not daemons
    }

    private Map<String, Object> run(int count, double rate) throws Exception {
        long started = System.currentTimeMillis();
        System.out.printf("Load started: %d subscriptions at %.1f/s%n", count, rate); // the harness times its fault from here
        long periodNanos = (long) (1_000_000_000L / rate);
        ExecutorService workers = Executors.newFixedThreadPool(Math.max(8, (int) Math.ceil(rate * 4)));
        List<Future<Map<String, Object>>> futures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = t0 + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int n = i;
            futures.add(workers.submit(() -> subscription(n)));
            if ((i + 1) % Math.max(1, count / 10) == 0) {
                System.out.printf("%tT %d/%d subscriptions sent%n", System.currentTimeMillis(), i + 1, count);
            }
        }
        List<Map<String, Object>> subscriptions = new ArrayList<>();
        for (Future<Map<String, Object>> future : futures) {
            subscriptions.add(future.get());
        }
        workers.shutdown();
        Map<String, Integer> counts = new TreeMap<>();
        for (Map<String, Object> s : subscriptions) {
            counts.merge(String.valueOf(s.get("outcome")), 1, Integer::sum);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run", run);
        result.put("hubs", hubs);
        result.put("count", count);
        result.put("rate", rate);
        result.put("startedAt", started);
        result.put("endedAt", System.currentTimeMillis());
        result.put("counts", counts);
        result.put("subscriptions", subscriptions);
        return result;
    }

    /**
     * One subscription; its outcome: ISSUED (201), REFUSED (an answer other than 201 to the subscribe: e.g. 502, the
     * saga compensated), UNKNOWN (the subscribe was sent, its connection broke: only the recovery knows), NO_QUOTE (no
     * quote could be had in time), NOT_SENT (no hub took the subscribe in time).
     */
    private Map<String, Object> subscription(int n) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("n", n);
        s.put("sentAt", System.currentTimeMillis());
        String email = "fault-" + run + "-" + n + "@example.com";
        String quoteBody = """
                {"product":"HOME","customer":{"firstName":"Fault","lastName":"Scenario","email":"%s",
                 "birthDate":"1985-03-14"},"risk":{"insuredValue":%d,"postalCode":"69003"}}""".formatted(email, 20000 + n);
        long deadline = System.nanoTime() + retryForNanos;
        int hub = n % hubs.size();
        String quoteId = null;
        int attempts = 0;
        while (quoteId == null) {
            attempts++;
            Answer answer = post(hubs.get(hub) + "/api/quotes", quoteBody);
            if (answer.status == 201) {
                quoteId = answer.body.path("quoteId").asText();
            } else if (System.nanoTime() > deadline) {
                s.put("outcome", "NO_QUOTE");
                s.put("error", answer.describe());
                s.put("endedAt", System.currentTimeMillis());
                return s;
            } else {
                hub = (hub + 1) % hubs.size(); // refused, broken or failed: a quote is harmless, ask again elsewhere
                pause(answer);
            }
        }
        s.put("quoteId", quoteId);
        while (true) {
            Answer answer = post(hubs.get(hub) + "/api/quotes/" + quoteId + "/subscribe", "");
            s.put("hub", hubs.get(hub));
            if (answer.notSent && System.nanoTime() < deadline) {
                attempts++;
                hub = (hub + 1) % hubs.size();
                pause(answer);
                continue;
            }
            s.put("attempts", attempts);
            s.put("endedAt", System.currentTimeMillis());
            if (answer.status == 201) {
                s.put("outcome", "ISSUED");
                s.put("policyId", answer.body.path("policyId").asText());
            } else if (answer.notSent) {
                s.put("outcome", "NOT_SENT");
                s.put("error", answer.describe());
            } else if (answer.status == 0) {
                s.put("outcome", "UNKNOWN");
                s.put("error", answer.describe());
            } else {
                s.put("outcome", "REFUSED");
                s.put("status", answer.status);
                s.put("error", answer.describe());
            }
            return s;
        }
    }

    private void pause(Answer answer) {
        // a refused connection is answered at once: without a pause, a dead hub would be asked thousands of times
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(answer.notSent ? 500 : 200));
    }

    private Answer post(String url, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", token.bearer())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
            } catch (IOException e) {
                json = JSON.getNodeFactory().textNode(response.body());
            }
            return new Answer(response.statusCode(), json, null, false);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Answer(0, null, e.toString(), true);
        } catch (IOException e) {
            // sent, or maybe sent: the connection broke (hub killed mid-call), or no answer in time
            boolean refused = e.getCause() instanceof ConnectException;
            return new Answer(0, null, e.toString(), refused);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, null, e.toString(), false);
        }
    }

    private record Answer(int status, JsonNode body, String error, boolean notSent) {
        String describe() {
            if (error != null) {
                return error;
            }
            String text = body == null ? "" : body.toString();
            return status + " " + (text.length() > 300 ? text.substring(0, 300) : text);
        }
    }
}

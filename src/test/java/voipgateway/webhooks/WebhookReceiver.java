package voipgateway.webhooks;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tenant's webhook receiver on loopback: records every request it gets on a path and answers as the test scripts
 * it (some statuses first, then 200; or held until the test lets go).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** A request as received: its headers (names in lower case), body, when it came and the status answered. */
    public record Received(Map<String, List<String>> headers, String body, java.time.Instant at, int status) {
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }
    }

    private final HttpServer server;
    private final Map<String, Deque<Integer>> statuses = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
    private final Map<String, List<Received>> received = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> arrived = new ConcurrentHashMap<>();

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The path answers these statuses first, one per request, then 200; a 429 says Retry-After: 2 (seconds). */
    public void answers(String path, Integer... first) {
        statuses.put(path, new ConcurrentLinkedDeque<>(List.of(first)));
    }

    /** The path's requests are held (no answer) until {@link #release}. */
    public void hold(String path) {
        holds.put(path, new CountDownLatch(1));
    }

    public void release(String path) {
        CountDownLatch hold = holds.remove(path);
        if (hold != null) {
            hold.countDown();
        }
    }

    /** How many requests came to the path, answered or still held. */
    public int arrivals(String path) {
        java.util.concurrent.atomic.AtomicInteger count = arrived.get(path);
        return count == null ? 0 : count.get();
    }

    /** What the path received and answered, in the order answered. */
    public List<Received> received(String path) {
        return new ArrayList<>(received.getOrDefault(path, List.of()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        java.time.Instant at = java.time.Instant.now();
        arrived.computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        CountDownLatch hold = holds.get(path);
        if (hold != null) {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Deque<Integer> scripted = statuses.get(path);
        Integer status = scripted == null ? null : scripted.poll();
        // recorded before it is answered: a test that saw it answered 2xx finds it here
        received.computeIfAbsent(path, p -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(new Received(headers, body, at, status == null ? 200 : status));
        byte[] answer = (status == null ? "{\"ok\":true}" : "{\"error\":\"try later\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (status != null && status == 429) {
            exchange.getResponseHeaders().add("Retry-After", "2");
        }
        exchange.sendResponseHeaders(status == null ? 200 : status, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        holds.values().forEach(CountDownLatch::countDown);
        server.stop(0);
    }
}

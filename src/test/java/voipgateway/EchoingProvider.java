package voipgateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A provider stand-in on loopback that refuses every request (401, or the status set for its path) and repeats in
 * its JSON error message everything it was sent: method, path, every header (Authorization, Accesstoken, ...),
 * the body. A path set to 200 answers as SansPBX's gentoken or Twilio's account look-up would.
 */
final class EchoingProvider {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();

    EchoingProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Requests to this path are answered with this status from now on. */
    void answer(String path, int status) {
        statuses.put(path, status);
    }

    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        int status = statuses.getOrDefault(path, 401);
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String answer;
        if (status == 200 && path.endsWith("gentoken")) {
            answer = "{\"status\":\"success\",\"Apitoken\":\"jwt-echo\",\"expiry_time\":\"2099-01-01 00:00:00\"}";
        } else if (status == 200) {
            answer = "{\"sid\":\"echo\"}";
        } else {
            StringBuilder said = new StringBuilder("rejected ").append(exchange.getRequestMethod()).append(' ')
                    .append(exchange.getRequestURI()).append(' ');
            exchange.getRequestHeaders().forEach((name, values) -> said.append(name).append(": ")
                    .append(String.join(",", values)).append("; "));
            said.append("body ").append(body);
            String message = JSON.writeValueAsString(said.toString());
            answer = "{\"status\":\"error\",\"message\":" + message + ",\"RestException\":{\"Message\":" + message
                    + "},\"request\":" + JSON.writeValueAsString(body) + "}";
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}

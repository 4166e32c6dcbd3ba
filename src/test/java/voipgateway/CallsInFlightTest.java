package voipgateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call waiting for its PBX holds no thread of the service: with 2 request threads, 6 calls are all at the PBX
 * at once (it answers none until it has them all), and each is then answered. When a call held its thread until
 * the PBX answered, only 2 ever reached it.
 */
class CallsInFlightTest extends GatewayTestSupport {

    private static final int CALLS = 6;

    private HttpServer heldPbx;
    private final AtomicInteger dialsReceived = new AtomicInteger();
    private final CountDownLatch answerThem = new CountDownLatch(1);
    private final ExecutorService callers = Executors.newFixedThreadPool(CALLS);

    @Override
    protected Map<String, String> properties() {
        return Map.of("voip.http-worker-threads", "2");
    }

    @AfterEach
    void stopHeldPbx() {
        answerThem.countDown();
        callers.shutdownNow();
        if (heldPbx != null) {
            heldPbx.stop(0);
        }
    }

    /** A dialcall endpoint that keeps every dial waiting until the test lets them all through. */
    private String startHeldPbx() throws IOException {
        heldPbx = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        heldPbx.setExecutor(Executors.newCachedThreadPool());
        heldPbx.createContext(DIALCALL, exchange -> {
            int dial = dialsReceived.incrementAndGet();
            try {
                answerThem.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, "{\"status\":\"success\",\"call_id\":\"" + dial + "\"}");
        });
        heldPbx.start();
        return "http://127.0.0.1:" + heldPbx.getAddress().getPort() + DIALCALL;
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Test
    void callsWaitingForThePbxHoldNoRequestThread() throws Exception {
        pbxIssuesToken("held-pbx-token", "2099-01-01 00:00:00");
        Map<String, Object> account = providerBody();
        account.put("dialEndpoint", startHeldPbx());
        Response added = send("POST", "/voip/add-provider", account);
        assertEquals(201, added.status(), added.body());
        Response assigned = send("PUT", "/voip/assign-number/" + added.json().at("/provider/dids/0/id").asText(),
                Map.of("agentId", AGENT));
        assertEquals(200, assigned.status(), assigned.body());

        List<CompletableFuture<Response>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            String toPhone = "0900000000" + i;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return call(toPhone);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, callers));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(CALLS, dialsReceived.get(),
                "dials at the PBX at once, through 2 request threads"));

        answerThem.countDown();
        for (CompletableFuture<Response> call : calls) {
            Response placed = call.get(60, TimeUnit.SECONDS);
            assertEquals(201, placed.status(), placed.body());
            assertTrue(placed.json().get("providerCallId").asText().matches("[1-6]"), placed.body());
        }
    }
}

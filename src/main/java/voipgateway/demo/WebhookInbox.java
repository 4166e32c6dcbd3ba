package voipgateway.demo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Message;
import voipgateway.api.Json;

/**
 * Demo mode's webhook receiver ({@code POST /simulator/webhooks}): keeps the last {@value #KEPT} deliveries it took,
 * their Standard Webhooks headers and event, for {@code GET /simulator/webhooks}. A receiver to point a demo
 * tenant's webhook at, so the walk-through needs nothing else running.
 */
public class WebhookInbox {

    static final int KEPT = 500;
    private final Deque<Map<String, Object>> received = new ArrayDeque<>();

    public synchronized void take(@Body String body, @Header("webhook-id") String id,
            @Header("webhook-timestamp") String timestamp, @Header("webhook-signature") String signature,
            Message message) throws Exception {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("webhook-id", id);
        entry.put("webhook-timestamp", timestamp);
        entry.put("webhook-signature", signature);
        JsonNode event = Json.MAPPER.readTree(body);
        entry.put("event", event);
        received.addLast(entry);
        if (received.size() > KEPT) {
            received.removeFirst();
        }
        message.removeHeaders("*");
        message.setBody("{\"received\": true}");
    }

    public synchronized List<Map<String, Object>> list(Message message) {
        message.removeHeaders("*");
        return new ArrayList<>(received);
    }
}

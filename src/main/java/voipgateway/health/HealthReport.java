package voipgateway.health;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * {@code GET /health}: Camel's readiness checks (routes, consumers, MongoDB, the broker, the queue consumer) as
 * one answer, 200 when every one is up, else 503 naming the failing parts.
 */
public class HealthReport {

    public Map<String, Object> readiness(Exchange exchange) {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invokeReadiness(exchange.getContext());
        List<Map<String, Object>> down = down(results).map(HealthReport::describe).toList();
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, down.isEmpty() ? 200 : 503);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", down.isEmpty() ? "UP" : "DOWN");
        if (!down.isEmpty()) {
            answer.put("down", down);
        }
        return answer;
    }

    /** The failing parts, for the log line that tells whether the service is ready. */
    public static String downParts(Collection<HealthCheck.Result> results) {
        return String.join(", ", down(results)
                .map(r -> r.getCheck().getId() + r.getMessage().map(m -> " (" + m + ")").orElse("")).toList());
    }

    private static Stream<HealthCheck.Result> down(Collection<HealthCheck.Result> results) {
        return results.stream().filter(r -> r.getState() != HealthCheck.State.UP);
    }

    private static Map<String, Object> describe(HealthCheck.Result result) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("name", result.getCheck().getId());
        part.put("status", result.getState().name());
        result.getMessage().ifPresent(m -> part.put("message", m));
        return part;
    }
}

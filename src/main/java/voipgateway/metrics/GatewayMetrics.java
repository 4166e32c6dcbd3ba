package voipgateway.metrics;

import java.time.Duration;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.language.simple.Simple;
import org.bson.Document;

/**
 * What the service does, as Prometheus metrics ({@code GET /metrics}), next to Camel's own (routes, exchanges)
 * in the same registry: calls by provider and outcome, provider request latency, token refreshes, callbacks by
 * outcome, circuit breaker states and queue depth. Labels are bounded: providers, outcomes, accounts, queues.
 */
public class GatewayMetrics {

    /** Histogram buckets of provider latency: from a fast answer to the response timeout's range. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry;

    public GatewayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** The dial's outcome as stored (property {@code call}): initiated, failed, unknown, or pending (released). */
    public void dialEnded(@ExchangeProperty("call") Document call) {
        if (call != null) {
            Counter.builder("voip.calls").description("Outbound calls by provider and the dial's outcome")
                    .tag("provider", String.valueOf(call.getString("provider")))
                    .tag("outcome", String.valueOf(call.getString("status"))).register(registry).increment();
        }
    }

    /** A status callback: applied, duplicate (nothing newer), orphan (no such call) or deferred (MongoDB down). */
    public void callback(@Simple("${exchangeProperty.event.provider()}") String provider, String outcome) {
        Counter.builder("voip.callbacks").description("Provider status callbacks by outcome")
                .tag("provider", provider).tag("outcome", outcome).register(registry).increment();
    }

    public void callbackApplied(@Simple("${exchangeProperty.event.provider()}") String provider,
            @ExchangeProperty("callApplied") boolean applied) {
        callback(provider, applied ? "applied" : "duplicate");
    }

    /** How long a provider request took, by provider, request and result (ok, failed, rejected by the breaker). */
    public void providerRequest(String provider, String request, String result, Duration took) {
        Timer.builder("voip.provider.requests").description("Provider requests: latency by provider, request, result")
                .tag("provider", provider).tag("request", request).tag("result", result)
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry).record(took);
    }

    /** A call whose end was never reported, settled by the sweeper; or one the rules refused or put off. */
    public void ruled(@ExchangeProperty("call") Document call, String outcome) {
        Counter.builder("voip.calls.ruled").description("Calls the rules acted on: refused (reason), scheduled,"
                + " swept (no final callback)").tag("outcome", outcome)
                .tag("reason", call == null ? "" : String.valueOf(call.getString("reason"))).register(registry)
                .increment();
    }

    public void tokenRefreshed(String provider) {
        Counter.builder("voip.token.refreshes").description("Provider tokens requested (gentoken)")
                .tag("provider", provider).register(registry).increment();
    }

    /** A gauge read when scraped: an account's breaker state, a queue's depth. */
    public void gauge(String name, String description, String tagName, String tagValue, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tag(tagName, tagValue).register(registry);
    }

    /** A webhook delivery attempt: delivered (2xx), retryable (no answer, 429, 5xx) or refused (another answer). */
    public void webhookAttempt(String result, Duration took) {
        Timer.builder("voip.webhook.attempts").description("Webhook delivery attempts: latency by result")
                .tag("result", result).serviceLevelObjectives(LATENCY_BUCKETS).register(registry).record(took);
    }

    /** A webhook delivery's outcome: delivered, failed, or retried (one more attempt scheduled). */
    public void webhookDelivery(String outcome) {
        Counter.builder("voip.webhook.deliveries").description("Webhook deliveries by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }
}

package voipgateway.providers;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.routes.AsyncRoute;

/**
 * One circuit breaker per provider account. Camel's circuitBreaker EIP is one breaker per step, shared by every
 * exchange through it: one tenant's dead PBX would make every other tenant's calls fail fast. Here each stored
 * account has its own breaker, and a provider request runs under its account's breaker only; the request's own
 * timeouts (voip.provider-connect-timeout-ms, voip.provider-response-timeout-ms) bound its wait, which holds no
 * thread, so one account's slow PBX holds no time or thread another account needs.
 *
 * <p>A failure is a request that got no usable answer: no connection, a timeout, a 5xx. A refusal (4xx, or
 * a "status": "error" answer) is the provider working, not failing. An account being checked before it is stored
 * (add-provider) has no breaker: its check never opens one that dials use.
 */
public class ProviderBreakers {

    private final CircuitBreakerRegistry breakers;
    private final AsyncRoute requests;
    private final Executor continuation;
    private final GatewayMetrics metrics;

    /**
     * {@code requests}: the route every provider request goes through (direct:send-provider-request);
     * {@code continuation}: where the route that sent it goes on once the answer is in.
     */
    public ProviderBreakers(CircuitBreakerConfig config, AsyncRoute requests, Executor continuation,
            GatewayMetrics metrics) {
        this.breakers = CircuitBreakerRegistry.of(config);
        this.requests = requests;
        this.continuation = continuation;
        this.metrics = metrics;
        // each account's breaker as a gauge: 0 closed, 1 open, 2 half-open (3 disabled or forced)
        breakers.getEventPublisher().onEntryAdded(added -> {
            CircuitBreaker breaker = added.getAddedEntry();
            metrics.gauge("voip.provider.breaker.state", "Provider account circuit breaker: 0 closed, 1 open,"
                    + " 2 half-open", "account", breaker.getName(), () -> stateNumber(breaker.getState()));
        });
    }

    private static int stateNumber(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 3;
        };
    }

    /**
     * Sends a provider request (its URL, headers and body on the message) through the shared route
     * {@code send-provider-request} under the breaker of the account on property {@code account}, named in the
     * metrics as {@code request} (e.g. {@code twilio-dial}). An open breaker fails it with
     * {@code CallNotPermittedException} and sends nothing; a failure stays on the exchange for the route's error
     * handling. The bean step that calls it goes on when the answer comes: Camel's bean EIP waits for a
     * returned {@code CompletionStage} without holding the thread.
     */
    public CompletionStage<Void> send(String request, @ExchangeProperty("account") ProviderAccount account,
            Exchange exchange) {
        String provider = account.provider();
        CircuitBreaker breaker = account.id() == null ? null : breakers.circuitBreaker(account.id());
        if (breaker != null && !breaker.tryAcquirePermission()) {
            metrics.providerRequest(provider, request, "rejected", Duration.ZERO);
            throw CallNotPermittedException.createCallNotPermittedException(breaker);
        }
        long started = System.nanoTime();
        CompletableFuture<Void> answered = new CompletableFuture<>();
        requests.send(exchange, doneSync -> {
            long took = System.nanoTime() - started;
            boolean ok = exchange.getException() == null;
            metrics.providerRequest(provider, request, ok ? "ok" : "failed", Duration.ofNanos(took));
            if (breaker != null && ok) {
                breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            } else if (breaker != null) {
                breaker.onError(took, TimeUnit.NANOSECONDS, exchange.getException());
            }
            // not in camel-vertx-http's hand-over of the answer: it runs the answers of one event loop one after
            // the other, so a route going on there would hold up the others (or wait for itself: a token request
            // made synchronously from there never got its answer)
            continuation.execute(() -> answered.complete(null));
        });
        return answered;
    }
}

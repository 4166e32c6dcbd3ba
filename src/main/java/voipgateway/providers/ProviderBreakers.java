package voipgateway.providers;

import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.ProducerTemplate;

/**
 * One circuit breaker per provider account. Camel's circuitBreaker EIP is one breaker per step, shared by every
 * exchange through it: one tenant's dead PBX would make every other tenant's calls fail fast. Here each stored
 * account has its own breaker, and a provider request runs under its account's breaker only; the request's own
 * timeouts (camel-http's connect and response timeouts) bound its wait, on its own thread, so one account's
 * slow PBX holds no time or thread another account needs.
 *
 * <p>A failure is a request that got no usable answer: no connection, a timeout, a 5xx. A refusal (4xx, or
 * a "status": "error" answer) is the provider working, not failing. An account being checked before it is stored
 * (add-provider) has no breaker: its check never opens one that dials use.
 */
public class ProviderBreakers {

    private final CircuitBreakerRegistry breakers;
    private final ProducerTemplate requests;

    public ProviderBreakers(CircuitBreakerConfig config, ProducerTemplate requests) {
        this.breakers = CircuitBreakerRegistry.of(config);
        this.requests = requests;
    }

    /**
     * Sends the exchange to {@code uri} (a route that makes the provider request) under the breaker of the
     * account on property {@code account}. An open breaker fails it with {@code CallNotPermittedException} and
     * sends nothing; a failure stays on the exchange for the route's error handling.
     */
    public void call(String uri, @ExchangeProperty("account") SansPbxAccount account, Exchange exchange) {
        if (account.id() == null) {
            requests.send(uri, exchange);
            return;
        }
        CircuitBreaker breaker = breakers.circuitBreaker(account.id());
        breaker.acquirePermission();
        long started = System.nanoTime();
        requests.send(uri, exchange);
        long took = System.nanoTime() - started;
        if (exchange.getException() == null) {
            breaker.onSuccess(took, TimeUnit.NANOSECONDS);
        } else {
            breaker.onError(took, TimeUnit.NANOSECONDS, exchange.getException());
        }
    }
}

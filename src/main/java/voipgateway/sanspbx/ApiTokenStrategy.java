package voipgateway.sanspbx;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/** Enrich strategy: keeps the exchange as it was and adds the fetched token as the {@code apiToken} property. */
public class ApiTokenStrategy implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange original, Exchange token) {
        if (token.getException() != null) {
            original.setException(token.getException());
        } else {
            original.setProperty("apiToken", token.getMessage().getBody(String.class));
        }
        return original;
    }
}

package voipgateway.logging;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.logging.log4j.core.util.ContextDataProvider;

/**
 * The fields a log line carries from the exchange its thread is processing ({@link CurrentExchange}), read when
 * the line is written: the exchange properties {@code callId}, {@code tenantId} and {@code providerName}, and
 * {@code camel.routeId} (the route the exchange came in by) and {@code camel.exchangeId}, under the names
 * camel-mdc gave them. The JSON layout ({@code log-line.json}) reads them as MDC fields. A line written outside
 * any exchange has none of them. Registered with Log4j in
 * {@code META-INF/services/org.apache.logging.log4j.core.util.ContextDataProvider}.
 */
public class ExchangeContextData implements ContextDataProvider {

    private static final String[] PROPERTIES = {"callId", "tenantId", "providerName"};

    @Override
    public Map<String, String> supplyContextData() {
        Exchange exchange = CurrentExchange.get();
        if (exchange == null) {
            return Map.of();
        }
        Map<String, String> fields = new HashMap<>(8);
        for (String name : PROPERTIES) {
            Object value = exchange.getProperty(name);
            if (value != null) {
                fields.put(name, value.toString());
            }
        }
        if (exchange.getFromRouteId() != null) {
            fields.put("camel.routeId", exchange.getFromRouteId());
        }
        fields.put("camel.exchangeId", exchange.getExchangeId());
        return fields;
    }
}

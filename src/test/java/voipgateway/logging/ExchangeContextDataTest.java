package voipgateway.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fields of a log line: those of the exchange being processed on the thread, and none outside one. */
class ExchangeContextDataTest {

    private final CamelContext camel = new DefaultCamelContext();
    private final CurrentExchange current = new CurrentExchange();
    private final ExchangeContextData fields = new ExchangeContextData();

    private Processor wrapped(Processor step) {
        return current.wrapProcessorInInterceptors(camel, null, step, null);
    }

    private Exchange call(ObjectId callId) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("callId", callId);
        exchange.setProperty("tenantId", "tenant-a");
        exchange.setProperty("providerName", "SansPBX");
        exchange.setProperty("apiKey", "never-a-field");
        return exchange;
    }

    @Test
    void aLineWrittenInAStepCarriesItsExchangesCallTenantAndProvider() throws Exception {
        ObjectId callId = new ObjectId();
        Exchange exchange = call(callId);
        List<Map<String, String>> seen = new ArrayList<>();

        wrapped(e -> seen.add(fields.supplyContextData())).process(exchange);

        assertEquals(Map.of("callId", callId.toHexString(), "tenantId", "tenant-a", "providerName", "SansPBX",
                "camel.exchangeId", exchange.getExchangeId()), seen.get(0));
        assertEquals(Map.of(), fields.supplyContextData(), "none once the step has returned");
    }

    @Test
    void aStepOfAnotherExchangeInsideAStepLeavesTheOuterOneCurrentWhenItReturns() throws Exception {
        Exchange outer = call(new ObjectId());
        Exchange inner = new DefaultExchange(camel);
        inner.setProperty("tenantId", "tenant-b");
        List<Map<String, String>> seen = new ArrayList<>();

        wrapped(e -> {
            wrapped(i -> seen.add(fields.supplyContextData())).process(inner);
            seen.add(fields.supplyContextData());
        }).process(outer);

        assertEquals(Map.of("tenantId", "tenant-b", "camel.exchangeId", inner.getExchangeId()), seen.get(0));
        assertEquals("tenant-a", seen.get(1).get("tenantId"));
        assertEquals(outer.getExchangeId(), seen.get(1).get("camel.exchangeId"));
    }

    @Test
    void aStepThatFailsStillLeavesNoExchangeBehindOnTheThread() {
        Exchange exchange = call(new ObjectId());
        try {
            wrapped(e -> {
                throw new IllegalStateException("boom");
            }).process(exchange);
        } catch (Exception expected) {
            // the step's failure is the exchange's business; the thread must be clean either way
        }
        assertEquals(Map.of(), fields.supplyContextData());
    }
}

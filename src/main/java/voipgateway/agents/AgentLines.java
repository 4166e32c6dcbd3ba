package voipgateway.agents;

import java.time.Duration;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.providers.ProviderAccount;
import voipgateway.storage.ReadCache;

/**
 * Agents' lines (the DID an agent calls from and its decrypted provider account), cached so a dial reads nothing
 * from MongoDB in the steady state. Dropped here when an assignment, a number or an account changes; see
 * {@link ReadCache} for the bound on other instances. Exchange properties: reads {@code tenantId},
 * {@code agentId}; sets {@code number} and {@code account} on a hit, keeps them after a read.
 */
public class AgentLines {

    private record Line(Document number, ProviderAccount account) {
    }

    private final ReadCache<String, Line> lines;

    public AgentLines(Duration maxAge, long maxEntries) {
        this.lines = new ReadCache<>(maxAge, maxEntries);
    }

    /** A cached line sets properties {@code number} and {@code account}. */
    public void lookUp(@ExchangeProperty("tenantId") String tenant, @ExchangeProperty("agentId") String agentId,
            Exchange exchange) {
        Line line = lines.get(AgentStore.key(tenant, agentId));
        if (line != null) {
            exchange.setProperty("number", line.number());
            exchange.setProperty("account", line.account());
        }
    }

    public void keep(@ExchangeProperty("tenantId") String tenant, @ExchangeProperty("agentId") String agentId,
            @ExchangeProperty("number") Document number, @ExchangeProperty("account") ProviderAccount account) {
        lines.put(AgentStore.key(tenant, agentId), new Line(number, account));
    }

    /** An assignment changed: the agent's line, and any line on that number. */
    public void forgetAgent(@ExchangeProperty("tenantId") String tenant, @ExchangeProperty("agentId") String agentId,
            @ExchangeProperty("number") Document number) {
        lines.forget(AgentStore.key(tenant, agentId));
        if (number != null) {
            forgetNumber(number.getObjectId("_id"));
        }
    }

    /** A number was released or imported again. */
    public void forgetNumber(ObjectId numberId) {
        lines.forgetIf(line -> numberId.equals(line.number().getObjectId("_id")));
    }

    /** An account was stored again (new credentials, endpoints): every line through it. */
    public void forgetAccount(@ExchangeProperty("provider") Document provider) {
        String id = provider.getObjectId("_id").toHexString();
        lines.forgetIf(line -> id.equals(line.account().id()));
    }
}

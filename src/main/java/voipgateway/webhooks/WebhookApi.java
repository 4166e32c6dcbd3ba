package voipgateway.webhooks;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import org.bson.types.ObjectId;
import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;
import voipgateway.crypto.CredentialCipher;
import voipgateway.providers.ProviderHosts;

/**
 * {@code /webhooks}: a tenant's endpoints. A URL passes the provider URLs' guard (https on a public host; loopback
 * only where voip.allowed-provider-hosts admits it). The signing secret is answered once, at creation and at each
 * rotation; after a rotation the old secret signs beside the new one for voip.webhooks.rotation-overlap-hours.
 * Answers never carry a secret otherwise. Exchange properties: reads {@code tenantId}.
 */
public class WebhookApi {

    private static final Set<String> CREATE = Set.of("url", "events", "description");
    private static final Set<String> PATCH = Set.of("url", "events", "description", "enabled");
    private static final int MAX_DESCRIPTION = 200;

    private final Webhooks webhooks;
    private final ProviderHosts hosts;
    private final CredentialCipher cipher;
    private final int maxPerTenant;
    private final Duration overlap;
    private final Clock clock;

    public WebhookApi(Webhooks webhooks, ProviderHosts hosts, CredentialCipher cipher, int maxPerTenant,
            Duration overlap, Clock clock) {
        this.webhooks = webhooks;
        this.hosts = hosts;
        this.cipher = cipher;
        this.maxPerTenant = maxPerTenant;
        this.overlap = overlap;
        this.clock = clock;
    }

    /** {@code POST /webhooks {url, events, description?}}: 201 with the endpoint and its secret, shown this once. */
    public Map<String, Object> create(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType,
            @ExchangeProperty("tenantId") String tenant, Message message) {
        JsonRequest request = JsonRequest.parse(body, contentType, CREATE);
        String secret = WebhookSignatures.newSecret();
        Date now = Date.from(clock.instant());
        Document endpoint = new Document("id", "wh_" + new ObjectId().toHexString())
                .append("url", hosts.check(request.url("url"), "url"))
                .append("events", request.oneOf("events", Webhook.EVENT_TYPES, Webhook.EVENT_TYPES.size()))
                .append("description", description(request))
                .append("enabled", true)
                .append("secrets", List.of(new Document("value", cipher.encrypt(secret)).append("createdAt", now)))
                .append("createdAt", now).append("updatedAt", now);
        webhooks.change(tenant, endpoints -> {
            if (endpoints.size() >= maxPerTenant) {
                throw new ApiException(409, "too_many_webhooks", "url",
                        "a tenant may have at most " + maxPerTenant + " webhooks");
            }
            endpoints.add(endpoint);
            return endpoints;
        });
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        Map<String, Object> answer = view(endpoint);
        answer.put("secret", secret);
        return answer;
    }

    /** {@code GET /webhooks}. */
    public Map<String, Object> list(@ExchangeProperty("tenantId") String tenant, Message message) {
        message.removeHeaders("*");
        return Map.of("webhooks", webhooks.stored(tenant).stream().map(WebhookApi::view).toList());
    }

    /** {@code GET /webhooks/{id}}. */
    public Map<String, Object> get(@Header("id") String id, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        message.removeHeaders("*");
        return view(endpoint(webhooks.stored(tenant), id));
    }

    /**
     * {@code PATCH /webhooks/{id} {url?, events?, description?, enabled?}}: enabling a disabled endpoint clears why it
     * was disabled (its deliveries listed as failed may then be sent again).
     */
    public Map<String, Object> patch(@Body String body, @Header(Exchange.CONTENT_TYPE) String contentType,
            @Header("id") String id, @ExchangeProperty("tenantId") String tenant, Message message) {
        JsonRequest request = JsonRequest.parse(body, contentType, PATCH);
        String url = request.has("url") ? hosts.check(request.url("url"), "url") : null;
        List<String> events = request.has("events")
                ? request.oneOf("events", Webhook.EVENT_TYPES, Webhook.EVENT_TYPES.size()) : null;
        String description = request.has("description") ? description(request) : null;
        Boolean enabled = request.has("enabled") ? request.flag("enabled") : null;
        Document[] changed = new Document[1];
        webhooks.change(tenant, endpoints -> {
            Document endpoint = endpoint(endpoints, id);
            if (url != null) {
                endpoint.append("url", url);
            }
            if (events != null) {
                endpoint.append("events", events);
            }
            if (description != null) {
                endpoint.append("description", description);
            }
            if (enabled != null) {
                endpoint.append("enabled", enabled);
                if (enabled) {
                    endpoint.remove("disabledReason");
                    endpoint.remove("failingSince");
                }
            }
            endpoint.append("updatedAt", Date.from(clock.instant()));
            changed[0] = endpoint;
            return endpoints;
        });
        message.removeHeaders("*");
        return view(changed[0]);
    }

    /** {@code DELETE /webhooks/{id}}: nothing more is sent to it. */
    public Map<String, Object> delete(@Header("id") String id, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        webhooks.change(tenant, endpoints -> {
            endpoints.remove(endpoint(endpoints, id));
            return endpoints;
        });
        message.removeHeaders("*");
        return Map.of("id", id, "deleted", true);
    }

    /** {@code POST /webhooks/{id}/rotate-secret}: a new secret, shown this once; the old one signs too for a while. */
    public Map<String, Object> rotate(@Header("id") String id, @ExchangeProperty("tenantId") String tenant,
            Message message) {
        String secret = WebhookSignatures.newSecret();
        Date now = Date.from(clock.instant());
        Date until = Date.from(clock.instant().plus(overlap));
        webhooks.change(tenant, endpoints -> {
            Document endpoint = endpoint(endpoints, id);
            List<Document> secrets = new java.util.ArrayList<>();
            secrets.add(new Document("value", cipher.encrypt(secret)).append("createdAt", now));
            for (Document old : endpoint.getList("secrets", Document.class, List.of())) {
                Date expires = old.getDate("expiresAt");
                if (expires == null) {
                    secrets.add(old.append("expiresAt", until));
                } else if (expires.after(now)) {
                    secrets.add(old);
                }
            }
            endpoint.append("secrets", secrets).append("updatedAt", now);
            return endpoints;
        });
        message.removeHeaders("*");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("secret", secret);
        answer.put("previousSecretValidUntil", until.toInstant().toString());
        return answer;
    }

    private static String description(JsonRequest request) {
        String description = request.optionalText("description");
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("description", "description is longer than " + MAX_DESCRIPTION
                    + " characters");
        }
        return description;
    }

    private static Document endpoint(List<Document> endpoints, String id) {
        Document endpoint = Webhooks.endpoint(endpoints, id);
        if (endpoint == null) {
            throw notFound();
        }
        return endpoint;
    }

    private static ApiException notFound() {
        return ApiException.notFound("id", "no such webhook");
    }

    static Map<String, Object> view(Document endpoint) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", endpoint.getString("id"));
        view.put("url", endpoint.getString("url"));
        view.put("events", endpoint.getList("events", String.class));
        view.put("description", endpoint.getString("description"));
        view.put("enabled", endpoint.getBoolean("enabled", true));
        if (endpoint.getString("disabledReason") != null) {
            view.put("disabledReason", endpoint.getString("disabledReason"));
        }
        if (endpoint.getDate("failingSince") != null) {
            view.put("failingSince", endpoint.getDate("failingSince").toInstant().toString());
        }
        view.put("createdAt", endpoint.getDate("createdAt").toInstant().toString());
        return view;
    }
}

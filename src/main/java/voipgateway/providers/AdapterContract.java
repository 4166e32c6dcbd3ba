package voipgateway.providers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.Resource;

/**
 * The exchange properties between the service and a provider adapter's routes ({@code routes/providers/*.yaml}),
 * declared once: what an adapter may read, what it must set. Checked when an adapter file loads (at start and at
 * every reload): a file that reads a property the contract does not declare and the file never sets is refused
 * with the property's name, as is a dial route that never sets {@code providerCallId} or does not send its dial
 * with {@code providerRequests.sendDial}. Rendered into docs/provider-adapters.md ({@link #markdown()}).
 */
public final class AdapterContract {

    /** Who writes a property: the service (the adapter reads it) or the adapter (the service reads it). */
    public enum Writer { SERVICE, ADAPTER }

    /** One property of the contract. */
    public enum Property {
        ACCOUNT("account", "ProviderAccount", Writer.SERVICE, "every route",
                "the stored account, credentials in clear: `field('name')`, `segment('name')` (one URL path segment,"
                        + " percent-encoded), `number('name')`, `urlBeside('name', 'segment')`, `urlForLog('name')`,"
                        + " `provider()`, `id()`"),
        DIAL("dial", "DialRequest", Writer.SERVICE, "`<id>-dial`",
                "the call to place: `e164To()`, `callTo()`, `did()`, `e164From()`, `callerId()`, `voiceUrl()`"
                        + " (may be null), `statusCallback()` (this call's callback URL, its token included),"
                        + " `recordId()` (our call id); `detecting('value')` and `machineDetectionCallback()` (the value,"
                        + " or this call's callback URL, when the call asks for machine detection, else null: left out),"
                        + " `recording('value')` and `recordingCallback()` (the same, when it asks to be recorded)"),
        PRICE_AMOUNT("priceAmount", "String", Writer.ADAPTER, "`<id>-price` (optional; reads `providerCallId`)",
                "the call's price as the provider wrote it (`-0.0130`: a charge's sign is dropped), null while it has"
                        + " none: asked again later"),
        PRICE_CURRENCY("priceCurrency", "String", Writer.ADAPTER, "`<id>-price`",
                "the price's currency, ISO 4217 (`USD`, `INR`)"),
        RECORDING_URL("recordingUrl", "String", Writer.SERVICE, "`<id>-recording`",
                "where the provider said the call's recording is (SansPBX's `recfile`, Twilio's and Exotel's"
                        + " `RecordingUrl`), to be fetched with `providerRequests.fetch`"),
        PROVIDER_CALL_ID("providerCallId", "String", Writer.ADAPTER, "`<id>-dial` sets it; `<id>-hangup` reads it",
                "the provider's id of the call: letters, digits and `._:-`, at most 128 (anything else is a"
                        + " refusal)"),
        DIAL_SENT("dialSent", "Boolean", Writer.ADAPTER, "`<id>-dial`",
                "true once the dial request leaves (set by `providerRequests.sendDial`): after it, a lost answer"
                        + " leaves the call `unknown`, never dialled again"),
        EVENT("event", "StatusEvent", Writer.ADAPTER, "`<id>-status-callback`",
                "the callback as read (`formCallbacks.parse` or a typed reader), before"
                        + " `to: direct:store-status-event`"),
        FORM("form", "Map", Writer.ADAPTER, "`<id>-status-callback`",
                "the callback's form fields, for a signature check that reads them (Twilio's)"),
        CHECKED_TOKEN("checkedToken", "SansPbxToken", Writer.ADAPTER, "`<id>-verify`",
                "a token the credential check obtained, kept for the account's first calls (SansPBX)");

        private final String name;
        private final String type;
        private final Writer writer;
        private final String routes;
        private final String meaning;

        Property(String name, String type, Writer writer, String routes, String meaning) {
            this.name = name;
            this.type = type;
            this.writer = writer;
            this.routes = routes;
            this.meaning = meaning;
        }

        public String propertyName() {
            return name;
        }
    }

    private static final Set<String> DECLARED = Arrays.stream(Property.values()).map(Property::propertyName)
            .collect(Collectors.toUnmodifiableSet());
    private static final Pattern READ = Pattern.compile("exchangeProperty\\.([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern SET = Pattern.compile("(?m)^(\\s*)-?\\s*setProperty:\\s*$((?:\\n\\1\\s+.*)*)");
    private static final Pattern NAME = Pattern.compile("\\n\\s+name:\\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern DIAL_ROUTE = Pattern.compile("uri:\\s*[\"']?direct:[A-Za-z0-9_-]+-dial\\b");
    private static final Pattern CALLBACK_ROUTE = Pattern.compile("platform-http:/callbacks/");

    private AdapterContract() {
    }

    /** Refuses an adapter file (its YAML text) that breaks the contract, naming what is wrong. */
    public static void check(String file, String yaml) {
        Set<String> set = new LinkedHashSet<>();
        Matcher sets = SET.matcher(yaml);
        while (sets.find()) {
            Matcher name = NAME.matcher(sets.group(2));
            if (name.find()) {
                set.add(name.group(1));
            }
        }
        Matcher reads = READ.matcher(yaml);
        while (reads.find()) {
            String property = reads.group(1);
            if (!DECLARED.contains(property) && !set.contains(property)) {
                throw new IllegalArgumentException("adapter " + file + " reads exchange property '" + property
                        + "', which the adapter contract does not declare (" + String.join(", ", DECLARED.stream()
                        .sorted().toList()) + ") and the file never sets");
            }
        }
        if (DIAL_ROUTE.matcher(yaml).find()) {
            if (!set.contains(Property.PROVIDER_CALL_ID.name)) {
                throw new IllegalArgumentException("adapter " + file + ": its dial route never sets property "
                        + Property.PROVIDER_CALL_ID.name);
            }
            if (!yaml.contains("sendDial(")) {
                throw new IllegalArgumentException("adapter " + file + ": its dial route must send the dial with"
                        + " providerRequests.sendDial (which sets " + Property.DIAL_SENT.name + ")");
            }
        }
        if (CALLBACK_ROUTE.matcher(yaml).find() && !set.contains(Property.EVENT.name)) {
            throw new IllegalArgumentException("adapter " + file + ": its status callback route never sets property "
                    + Property.EVENT.name);
        }
    }

    /** The contract as the table in docs/provider-adapters.md. */
    public static String markdown() {
        StringBuilder table = new StringBuilder("| property | type | written by | routes | what |\n|---|---|---|---|---|\n");
        for (Property property : Property.values()) {
            table.append("| `").append(property.name).append("` | `").append(property.type).append("` | ")
                    .append(property.writer == Writer.SERVICE ? "the service" : "the adapter").append(" | ")
                    .append(property.routes).append(" | ").append(property.meaning).append(" |\n");
        }
        return table.toString();
    }

    /**
     * Checks each adapter file ({@code providers/} in its location) as its routes are added to the model: once per
     * load of the file (its routes, added one after the other, share the load's resource).
     */
    public static void install(CamelContext context) {
        context.getCamelContextExtension().getContextPlugin(Model.class).addModelLifecycleStrategy(
                new ModelLifecycleStrategy() {
                    private Resource checked;

                    @Override
                    public synchronized void onAddRouteDefinition(RouteDefinition route) {
                        Resource resource = route.getResource();
                        if (resource != null && resource != checked
                                && resource.getLocation().replace('\\', '/').contains("/providers/")) {
                            check(resource.getLocation().replaceFirst(".*/providers/", "providers/"), text(resource));
                            checked = resource;
                        }
                    }

                    @Override
                    public void onRemoveRouteDefinition(RouteDefinition route) {
                    }

                    @Override
                    public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {
                    }

                    @Override
                    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {
                    }
                });
    }

    private static String text(Resource resource) {
        try (InputStream in = resource.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("adapter " + resource.getLocation() + " could not be read: " + e.getMessage());
        }
    }
}

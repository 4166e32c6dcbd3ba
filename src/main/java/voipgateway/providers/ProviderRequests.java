package voipgateway.providers;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import voipgateway.api.Json;

/**
 * Builds a provider request from exchange variables an adapter route set (its {@code setVariables} step), so the
 * request's shape lives in the adapter's YAML and its encoding here:
 * <ul>
 * <li>{@code url} (required; checked like every provider URL: https, a public host), {@code method} (POST)</li>
 * <li>{@code form.<name>}: a form-encoded body; a name ending in {@code []} is sent once per space-separated
 * word of its value ({@code form.StatusCallbackEvent[]: "initiated ringing"})</li>
 * <li>{@code json.<path>}: a JSON body, dots nesting objects ({@code json.custom_field.record_id}); numbers stay
 * numbers</li>
 * <li>{@code header.<name>}: a request header; {@code basicAuth.username} and {@code basicAuth.password}: Basic
 * authorization</li>
 * <li>{@code credentialsOnlyFor}: a URL; headers and Basic authorization go only to its scheme, host and port, and
 * are left out of a request to anywhere else (a recording kept on another host than the provider's API)</li>
 * </ul>
 * A variable that is null or empty is left out. The message gets only these headers, and the variables are removed once
 * read, so the next request of the exchange starts clean.
 */
public class ProviderRequests {

    private static final List<String> PREFIXES = List.of("form.", "json.", "header.", "basicAuth.");

    private final ProviderHosts hosts;
    private final ProviderBreakers breakers;

    /** {@code breakers}: what sends a built request under its account's circuit breaker. */
    public ProviderRequests(ProviderHosts hosts, ProviderBreakers breakers) {
        this.hosts = hosts;
        this.breakers = breakers;
    }

    /**
     * An adapter's request: built from its variables, then sent under the account's circuit breaker, named
     * {@code request} in the metrics (e.g. {@code twilio-verify}). The step goes on when the answer is in.
     */
    public CompletionStage<Void> send(String request, @ExchangeProperty("account") ProviderAccount account,
            Exchange exchange) {
        build(exchange);
        return breakers.send(request, account, exchange);
    }

    /**
     * The same for the dial itself: property {@code dialSent} marks that the request is leaving, after which the
     * provider may have placed the call whatever becomes of its answer (a lost answer leaves the call unknown, never
     * dialled again).
     */
    public CompletionStage<Void> sendDial(String request, @ExchangeProperty("account") ProviderAccount account,
            Exchange exchange) {
        build(exchange);
        exchange.setProperty("dialSent", true);
        return breakers.send(request, account, exchange);
    }

    /**
     * A download (a call's recording): sent like {@link #send}, its answer kept as bytes ({@code byte[]}), its
     * content type in property {@code answerContentType}.
     */
    public CompletionStage<Void> fetch(String request, @ExchangeProperty("account") ProviderAccount account,
            Exchange exchange) {
        exchange.setProperty(BYTES, true);
        return send(request, account, exchange);
    }

    /** The property that keeps a provider's answer as bytes rather than text. */
    public static final String BYTES = "providerAnswerBytes";

    public void build(Exchange exchange) {
        Map<String, Object> variables = exchange.getVariables();
        Object url = variables.remove("url");
        Object method = variables.remove("method");
        Object credentialsOnlyFor = variables.remove("credentialsOnlyFor");
        if (url == null) {
            throw new IllegalStateException("a provider request needs variable url");
        }
        List<String[]> form = new ArrayList<>();
        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, String> headers = new LinkedHashMap<>();
        String username = null;
        String password = null;
        // in name order: the same request is the same bytes every time (exchange variables keep no order)
        for (String name : new java.util.TreeSet<>(variables.keySet())) {
            if (PREFIXES.stream().noneMatch(name::startsWith)) {
                continue;
            }
            Object value = variables.remove(name);
            if (value == null || value.toString().isEmpty()) {
                continue;
            }
            String key = name.substring(name.indexOf('.') + 1);
            if (name.startsWith("form.") && key.endsWith("[]")) {
                for (String word : value.toString().trim().split("\\s+")) {
                    form.add(new String[] {key.substring(0, key.length() - 2), word});
                }
            } else if (name.startsWith("form.")) {
                form.add(new String[] {key, value.toString()});
            } else if (name.startsWith("json.")) {
                put(json, key, value);
            } else if (name.startsWith("header.")) {
                headers.put(key, value.toString());
            } else if (key.equals("username")) {
                username = value.toString();
            } else if (key.equals("password")) {
                password = value.toString();
            }
        }
        if (credentialsOnlyFor != null && !sameOrigin(url.toString(), credentialsOnlyFor.toString())) {
            headers.clear();
            username = null;
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        headers.forEach(message::setHeader);
        if (username != null) {
            message.setHeader("Authorization", basicAuth(username, password == null ? "" : password));
        }
        message.setHeader(Exchange.HTTP_URI, hosts.check(url.toString(), "url"));
        message.setHeader(Exchange.HTTP_METHOD, method == null ? "POST"
                : method.toString().toUpperCase(java.util.Locale.ROOT));
        if (!form.isEmpty()) {
            message.setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
            message.setBody(encode(form));
        } else if (!json.isEmpty()) {
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setBody(json(json));
        } else {
            message.setBody(null);
        }
    }

    private static boolean sameOrigin(String url, String other) {
        try {
            URI a = URI.create(url);
            URI b = URI.create(other);
            return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                    && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    public static String basicAuth(String username, String password) {
        String pair = username + ":" + password;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> json, String path, Object value) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            json.put(path, value);
        } else {
            put((Map<String, Object>) json.computeIfAbsent(path.substring(0, dot), k -> new LinkedHashMap<>()),
                    path.substring(dot + 1), value);
        }
    }

    private static String encode(List<String[]> form) {
        StringBuilder body = new StringBuilder();
        for (String[] pair : form) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(pair[0], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pair[1], StandardCharsets.UTF_8));
        }
        return body.toString();
    }

    private static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a provider request", e);
        }
    }
}

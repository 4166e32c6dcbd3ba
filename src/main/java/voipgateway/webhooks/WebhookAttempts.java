package voipgateway.webhooks;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.metrics.GatewayMetrics;
import voipgateway.providers.Masking;
import voipgateway.providers.ProviderHosts;
import voipgateway.routes.AsyncRoute;

/**
 * One attempt at one delivery (a message on the deliveries queue names it), in the steps of route
 * {@code attempt-webhook-delivery}: {@link #prepare} reads the delivery and its endpoint and says what to do
 * (property {@code webhookStep}: {@code send}, {@code defer} or {@code done}); {@link #send} posts it, signed, without
 * holding a thread while the endpoint thinks; {@link #record} stores what came of it. An attempt answered 2xx is
 * delivered; a timeout, no connection, 429 or 5xx is retried (exponential backoff with jitter, {@code Retry-After}
 * honoured) until voip.webhooks.retry-hours have passed since the event; any other answer fails it at once. The
 * message of a delivery still to be tried goes back to the broker to be delivered then (property
 * {@code deferUntil}), so a wait holds nothing; an endpoint that failed is left alone until its retry is due, and has
 * at most voip.webhooks.endpoint-concurrency attempts in flight here, so a slow or dead endpoint holds up no other.
 */
public class WebhookAttempts {

    /** The answer's Retry-After, which the HTTP binding keeps as this property (never as a header). */
    public static final String ANSWER_RETRY_AFTER = "answerRetryAfter";
    private static final String FAILURE = "webhookFailure";
    private static final com.mongodb.client.model.FindOneAndUpdateOptions AFTER =
            new com.mongodb.client.model.FindOneAndUpdateOptions().returnDocument(com.mongodb.client.model.ReturnDocument.AFTER);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final MongoCollection<Document> deliveries;
    private final Webhooks webhooks;
    private final ProviderHosts hosts;
    private final AsyncRoute requests;
    private final Executor continuation;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final Settings settings;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Instant> restingUntil = new ConcurrentHashMap<>();
    /** Per endpoint, the deliveries waiting for a retry here and when their events were made. */
    private final Map<String, Map<String, Instant>> waiting = new ConcurrentHashMap<>();

    /** How deliveries are tried. */
    public record Settings(int endpointConcurrency, Duration firstRetry, Duration longestRetry, Duration retryFor,
            Duration disableAfter) {
    }

    public WebhookAttempts(MongoCollection<Document> deliveries, Webhooks webhooks, ProviderHosts hosts,
            AsyncRoute requests, Executor continuation, GatewayMetrics metrics, Clock clock, Settings settings) {
        this.deliveries = deliveries;
        this.webhooks = webhooks;
        this.hosts = hosts;
        this.requests = requests;
        this.continuation = continuation;
        this.metrics = metrics;
        this.clock = clock;
        this.settings = settings;
    }

    /** Reads the delivery the message names and decides: send it now, defer it, or nothing (done, or gone). */
    public void prepare(@Body String received, Exchange exchange) {
        exchange.setProperty("webhookStep", "done");
        int at = received.indexOf('@');
        String deliveryId = at < 0 ? received : received.substring(0, at);
        Document delivery = deliveries.find(Filters.eq("_id", deliveryId)).first();
        if (delivery == null || !WebhookDeliveries.PENDING.equals(delivery.getString("status"))) {
            return;
        }
        // a delivery has one line of attempts: a message for its first attempt (none scheduled) or for the one
        // scheduled; any other (an event the bus handed over twice, a retry asked for meanwhile) is dropped
        Date scheduled = delivery.getDate("nextAttemptAt");
        String expected = scheduled == null ? deliveryId : deliveryId + "@" + scheduled.getTime();
        if (!expected.equals(received)) {
            return;
        }
        exchange.setProperty("deliveryMessage", received);
        exchange.setProperty("delivery", delivery);
        Webhook webhook = webhooks.find(delivery.getString("userId"), delivery.getString("webhookId"));
        if (webhook == null || !webhook.enabled()) {
            finish(delivery, webhook, WebhookDeliveries.FAILED, webhook == null ? "webhook_deleted" : "webhook_disabled");
            return;
        }
        Instant now = clock.instant();
        Instant resting = restingUntil.get(webhook.id());
        AtomicInteger sending = inFlight.computeIfAbsent(webhook.id(), id -> new AtomicInteger());
        if (resting != null && resting.isAfter(now)) {
            defer(exchange, resting.plusMillis(jitter(1000)));
            return;
        }
        if (sending.incrementAndGet() > settings.endpointConcurrency()) {
            sending.decrementAndGet();
            defer(exchange, now.plusMillis(500 + jitter(1000)));
            return;
        }
        String url;
        try {
            // checked again before every attempt, as provider URLs are: the host may resolve elsewhere by now
            url = hosts.check(webhook.url(), "url");
        } catch (RuntimeException e) {
            sending.decrementAndGet();
            finish(delivery, webhook, WebhookDeliveries.FAILED, "url refused: " + e.getMessage());
            return;
        }
        exchange.setProperty("webhookStep", "send");
        exchange.setProperty("webhook", webhook);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        String body = delivery.getString("payload");
        long timestamp = now.getEpochSecond();
        message.setHeader("webhook-id", delivery.getString("eventId"));
        message.setHeader("webhook-timestamp", Long.toString(timestamp));
        message.setHeader("webhook-signature", WebhookSignatures.sign(webhook.signingKeys(now),
                delivery.getString("eventId"), timestamp, body));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader(Exchange.HTTP_URI, url);
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setBody(body);
    }

    /** Posts the prepared request; the step goes on (on a worker thread) once it is answered or failed. */
    public CompletionStage<Void> send(Exchange exchange) {
        long started = System.nanoTime();
        CompletableFuture<Void> answered = new CompletableFuture<>();
        exchange.setProperty("webhookStarted", started);
        try {
            requests.send(exchange, doneSync -> {
                // no answer is an outcome of the attempt for record to store, not a failure of the route
                exchange.setProperty(FAILURE, exchange.getException());
                exchange.setException(null);
                continuation.execute(() -> answered.complete(null));
            });
        } catch (RuntimeException e) {
            exchange.setProperty(FAILURE, e);
            answered.complete(null);
        }
        return answered;
    }

    /**
     * Stores the attempt's outcome on the delivery; when it is to be tried again, sets {@code deferUntil} and the
     * message for then ({@code deliveryMessage}: its id and the time it is due, the line of attempts it belongs to).
     */
    public void record(Exchange exchange) {
        Document delivery = exchange.getProperty("delivery", Document.class);
        Webhook webhook = exchange.getProperty("webhook", Webhook.class);
        inFlight.get(webhook.id()).decrementAndGet();
        Duration took = Duration.ofNanos(System.nanoTime() - exchange.getProperty("webhookStarted", Long.class));
        Exception failure = exchange.getProperty(FAILURE, Exception.class);
        Message message = exchange.getMessage();
        Integer status = failure == null ? message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class) : null;
        String answer = failure == null ? message.getBody(String.class) : null;
        String error = failure != null ? describe(failure) : null;
        Instant now = clock.instant();
        Document attempt = new Document("at", Date.from(now)).append("latencyMs", took.toMillis());
        if (status != null) {
            attempt.append("statusCode", status);
        }
        if (error != null) {
            attempt.append("error", error);
        }
        if (answer != null && !answer.isEmpty()) {
            attempt.append("answer", Masking.mask(answer, secretForms(webhook)));
        }
        boolean ok = status != null && status >= 200 && status < 300;
        boolean retryable = status == null || status == 429 || status >= 500;
        metrics.webhookAttempt(ok ? "delivered" : retryable ? "retryable" : "refused", took);
        int attempts = deliveries.findOneAndUpdate(Filters.eq("_id", delivery.getString("_id")),
                Updates.inc("attempts", 1), AFTER).getInteger("attempts");
        if (ok) {
            finish(delivery, webhook, WebhookDeliveries.DELIVERED, null, attempt);
            restingUntil.remove(webhook.id());
            webhooks.answering(webhook);
            return;
        }
        String why = status != null ? "answered " + status : error;
        webhooks.failing(webhook, why, settings.disableAfter());
        Instant due = retryable ? nextAttempt(delivery, attempts, retryAfter(exchange.getProperty(ANSWER_RETRY_AFTER,
                String.class), now), now) : null;
        if (due == null) {
            finish(delivery, webhook, WebhookDeliveries.FAILED, retryable ? "gave up after " + attempts + " attempts"
                    : "not retried: " + why, attempt);
            return;
        }
        deliveries.updateOne(Filters.eq("_id", delivery.getString("_id")), Updates.combine(
                Updates.set("nextAttemptAt", Date.from(due)),
                Updates.set("lastAttempt", attempt), Updates.push("attemptLog", attempt)));
        waiting.computeIfAbsent(webhook.id(), id -> {
            metrics.gauge("voip.webhook.oldest.undelivered.seconds", "Age of the oldest event an endpoint has not"
                    + " taken yet (among those retried here)", "webhook", id, () -> oldestWaiting(id).toSeconds());
            return new ConcurrentHashMap<>();
        }).put(delivery.getString("_id"), delivery.getDate("createdAt").toInstant());
        restingUntil.merge(webhook.id(), due, (a, b) -> a.isAfter(b) ? a : b);
        metrics.webhookDelivery("retried");
        exchange.setProperty("deliveryMessage", delivery.getString("_id") + "@" + due.toEpochMilli());
        defer(exchange, due);
    }

    /** The oldest event this instance is still retrying for the endpoint: its age (a gauge). */
    public Duration oldestWaiting(String webhookId) {
        Map<String, Instant> of = waiting.get(webhookId);
        Instant oldest = of == null ? null : of.values().stream().min(Instant::compareTo).orElse(null);
        return oldest == null ? Duration.ZERO : Duration.between(oldest, clock.instant());
    }

    /**
     * When to try again after this many attempts: the first retry after voip.webhooks.first-retry-ms, each next one
     * twice as late (at most voip.webhooks.longest-retry-seconds), 20 % either way at random, or when the endpoint's
     * {@code Retry-After} says if that is later; null once voip.webhooks.retry-hours have passed since the event (the
     * last attempt is made at that time, so an event is retried for at least that long).
     */
    Instant nextAttempt(Document delivery, int attempts, Instant retryAfter, Instant now) {
        Date from = delivery.getDate("retryFrom") != null ? delivery.getDate("retryFrom") : delivery.getDate("createdAt");
        Instant giveUpAt = from.toInstant().plus(settings.retryFor());
        if (!now.isBefore(giveUpAt)) {
            return null;
        }
        long base = settings.firstRetry().toMillis() << Math.min(attempts - 1, 30);
        long delay = Math.min(base, settings.longestRetry().toMillis());
        Instant due = now.plusMillis(delay + jitter(delay / 5 * 2) - delay / 5);
        if (retryAfter != null && retryAfter.isAfter(due)) {
            due = retryAfter;
        }
        return due.isAfter(giveUpAt) ? giveUpAt : due;
    }

    private void finish(Document delivery, Webhook webhook, String status, String reason) {
        finish(delivery, webhook, status, reason, null);
    }

    private void finish(Document delivery, Webhook webhook, String status, String reason, Document attempt) {
        Date now = Date.from(clock.instant());
        var update = new java.util.ArrayList<>(java.util.List.of(Updates.set("status", status),
                Updates.set("finishedAt", now), Updates.unset("nextAttemptAt")));
        if (reason != null) {
            update.add(Updates.set("failure", reason));
        } else {
            update.add(Updates.unset("failure"));
        }
        if (attempt != null) {
            update.add(Updates.set("lastAttempt", attempt));
            update.add(Updates.push("attemptLog", attempt));
        }
        deliveries.updateOne(Filters.eq("_id", delivery.getString("_id")), Updates.combine(update));
        if (webhook != null && waiting.get(webhook.id()) != null) {
            waiting.get(webhook.id()).remove(delivery.getString("_id"));
        }
        metrics.webhookDelivery(status);
    }

    private static void defer(Exchange exchange, Instant until) {
        exchange.setProperty("webhookStep", "defer");
        exchange.setProperty("deferUntil", until.toEpochMilli());
    }

    static Instant retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        if (value.matches("[0-9]{1,9}")) {
            return now.plusSeconds(Long.parseLong(value));
        }
        try {
            return ZonedDateTime.parse(value, HTTP_DATE).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String describe(Exception failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "no connection";
        }
        return cause.getClass().getSimpleName();
    }

    private static java.util.Set<String> secretForms(Webhook webhook) {
        java.util.Set<String> forms = new java.util.LinkedHashSet<>();
        for (Webhook.Key key : webhook.keys()) {
            String secret = WebhookSignatures.PREFIX + Base64.getEncoder().encodeToString(key.secret());
            forms.addAll(Masking.forms(Map.of("secret", secret, "key", secret.substring(WebhookSignatures.PREFIX
                    .length())), java.util.List.of("secret", "key")));
        }
        return forms;
    }

    private static long jitter(long range) {
        return range <= 0 ? 0 : ThreadLocalRandom.current().nextLong(range);
    }
}

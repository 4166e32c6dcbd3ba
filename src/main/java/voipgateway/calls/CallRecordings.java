package voipgateway.calls;

import java.util.Locale;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.Ids;
import voipgateway.providers.ProviderAdapters;
import voipgateway.providers.ProviderHosts;

/**
 * {@code GET /calls/{id}/recording}: the call's recording, fetched from its provider by the adapter's route
 * ({@code direct:<adapter>-recording}, with the account's credentials) and passed on as our own answer: the
 * client sees the audio, never the credentials, the provider's URL or any header of the provider's.
 */
public class CallRecordings {

    private final ProviderAdapters adapters;
    private final ProviderHosts hosts;

    public CallRecordings(ProviderAdapters adapters, ProviderHosts hosts) {
        this.adapters = adapters;
        this.hosts = hosts;
    }

    /**
     * The call read by {@code id}, if it is this tenant's and was recorded: properties {@code call} and
     * {@code recordingUrl} (the provider's reference); else 404, the same for another tenant's call.
     */
    public void require(@Header("id") String id, @ExchangeProperty("tenantId") String tenant, @Body Document found,
            Exchange exchange) {
        Document call = CallStore.requireMine(found, id, tenant);
        String reference = call.getString("recordingUrl");
        if (reference == null) {
            throw ApiException.notFound("recording", "call '" + Ids.safe(id) + "' has no recording");
        }
        try {
            // where the provider said it is must pass the provider URLs' guard (https, a public host)
            hosts.check(reference, "recording");
        } catch (ApiException e) {
            throw new ApiException(502, "provider_refused", "recording", call.getString("provider")
                    + " reported the recording at an address this service does not fetch from");
        }
        if (!adapters.offers(adapters.forStored(call.getString("provider")), "recording")) {
            throw ApiException.notFound("recording", call.getString("provider") + "'s adapter fetches no recordings");
        }
        exchange.setProperty("call", call);
        exchange.setProperty("recordingUrl", reference);
    }

    /**
     * The provider's answer as ours: the audio, typed as the provider typed it when that is an audio type (else
     * {@code application/octet-stream}); a recording the provider no longer has is a 404, any other refusal a 502
     * that says which, never the provider's own words.
     */
    public byte[] answer(@ExchangeProperty("call") Document call, @ExchangeProperty("answerContentType") String type,
            Message message) {
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        byte[] audio = message.getBody(byte[].class);
        String provider = call.getString("provider");
        if (status == 404 || status == 410) {
            throw ApiException.notFound("recording", provider + " no longer has this call's recording");
        }
        if (status == 401 || status == 403) {
            throw new ApiException(502, "provider_auth_failed", null, provider
                    + " refused the account's credentials for the recording (HTTP " + status + ")");
        }
        if (status / 100 != 2 || audio == null) {
            throw new ApiException(502, "provider_refused", null, provider + " did not give the recording (HTTP "
                    + status + ")");
        }
        String contentType = audioType(type);
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        message.setHeader("Content-Disposition", "attachment; filename=\"" + call.getObjectId("_id").toHexString()
                + extension(contentType) + "\"");
        message.setHeader("Cache-Control", "private, no-store");
        return audio;
    }

    /** The provider's content type when it is a plain audio type, else application/octet-stream. */
    static String audioType(String type) {
        String bare = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        return bare.matches("audio/[a-z0-9.+-]{1,40}") ? bare : "application/octet-stream";
    }

    private static String extension(String contentType) {
        return switch (contentType) {
            case "audio/mpeg", "audio/mp3" -> ".mp3";
            case "audio/wav", "audio/x-wav", "audio/wave" -> ".wav";
            case "audio/ogg" -> ".ogg";
            default -> "";
        };
    }
}

package voipgateway.calls;

import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;
import voipgateway.providers.ProviderAdapter;
import voipgateway.providers.ProviderAdapters;

/**
 * What a call may ask of its provider beyond the dial, checked against the adapter of the agent's line before
 * anything is stored: answering-machine detection ({@code machineDetection}: {@code off}, the default, or
 * {@code detect}, asynchronous: the call connects at once and the verdict comes later as a report of its own),
 * per call or per agent (its assignment, kept on its DID as {@code assignedMachineDetection}); and a recording
 * ({@code record: true}). An adapter declares what it offers ({@code machineVerdicts}, {@code recordsOnRequest});
 * asking another for it is a 422 naming the provider, never ignored.
 */
public class ProviderFeatures {

    public static final String MACHINE_DETECTION = "machineDetection";
    public static final String RECORD = "record";
    public static final String OFF = "off";
    public static final String DETECT = "detect";

    private final ProviderAdapters adapters;

    public ProviderFeatures(ProviderAdapters adapters) {
        this.adapters = adapters;
    }

    /** A body's {@code machineDetection}: null when absent, else off or detect (400 naming the field). */
    public static String mode(JsonRequest json) {
        return json.optionalChoice(MACHINE_DETECTION, ProviderAdapter.DETECTION_MODES);
    }

    /**
     * The bean step after the agent's line is found: the request with the detection that applies (its own, else the
     * agent's, else off), refused when the line's provider cannot do what it asks.
     */
    public OutboundCallRequest resolve(@ExchangeProperty("request") OutboundCallRequest request,
            @ExchangeProperty("number") Document number) {
        String mode = request.machineDetection() != null ? request.machineDetection()
                : number.get("assignedMachineDetection", OFF);
        if (DETECT.equals(mode) || request.record()) {
            ProviderAdapter adapter = adapters.forStored(number.getString("provider"));
            if (DETECT.equals(mode) && !adapter.detectsMachines()) {
                throw unsupported(MACHINE_DETECTION, adapter.getProvider() + " offers no answering-machine detection;"
                        + " machineDetection must be off for this agent's line");
            }
            if (request.record() && !adapter.isRecordsOnRequest()) {
                throw unsupported(RECORD, adapter.getProvider() + " records calls by its account's settings, not on"
                        + " request; leave record out for this agent's line");
            }
        }
        return mode.equals(request.machineDetection()) ? request : request.withMachineDetection(mode);
    }

    private static ApiException unsupported(String field, String message) {
        return new ApiException(422, "provider_feature_unsupported", field, message);
    }
}

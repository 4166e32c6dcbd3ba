package voipgateway.calls;

import org.apache.camel.ExchangeProperty;
import org.bson.Document;
import voipgateway.api.ApiException;
import voipgateway.api.JsonRequest;
import voipgateway.providers.ProviderAdapter;
import voipgateway.providers.ProviderAdapters;

/**
 * Answering-machine detection, asked for per call ({@code machineDetection} of the request) or per agent (of its
 * assignment, kept on its DID as {@code assignedMachineDetection}): {@code off} (the default) or {@code detect}
 * (asynchronous: the call connects at once, the verdict comes later as a report of its own). Only an adapter that
 * declares {@code machineVerdicts} can detect; asking another is a 422 naming the provider, never ignored.
 */
public class MachineDetection {

    public static final String FIELD = "machineDetection";
    public static final String OFF = "off";
    public static final String DETECT = "detect";

    private final ProviderAdapters adapters;

    public MachineDetection(ProviderAdapters adapters) {
        this.adapters = adapters;
    }

    /** A body's {@code machineDetection}: null when absent, else off or detect (400 naming the field). */
    public static String mode(JsonRequest json) {
        return json.optionalChoice(FIELD, ProviderAdapter.DETECTION_MODES);
    }

    /**
     * The bean step after the agent's line is found: the request with the mode that applies (its own, else the
     * agent's, else off), refused when the line's provider cannot detect.
     */
    public OutboundCallRequest resolve(@ExchangeProperty("request") OutboundCallRequest request,
            @ExchangeProperty("number") Document number) {
        String mode = request.machineDetection() != null ? request.machineDetection()
                : number.get("assignedMachineDetection", OFF);
        if (DETECT.equals(mode)) {
            ProviderAdapter adapter = adapters.forStored(number.getString("provider"));
            if (!adapter.detectsMachines()) {
                throw new ApiException(422, "machine_detection_unsupported", FIELD, adapter.getProvider()
                        + " offers no answering-machine detection; machineDetection must be off for this agent's line");
            }
        }
        return mode.equals(request.machineDetection()) ? request : request.withMachineDetection(mode);
    }
}

package voipgateway.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulator received and did, for a fault run to compare with what the gateway stored: requests by API,
 * answers by fate, calls placed (a call is known by the gateway's call id, taken from its status callback URL), how
 * often each was placed, and its status reports.
 */
public class SimulatorCounts {

    /** One call as the provider saw it. */
    public static final class Call {
        public final String call;
        public final String provider;
        public final String providerCallId;
        public final AtomicInteger placed = new AtomicInteger();
        /** The final status the simulator reports for it (null until placed). */
        public volatile String finalStatus;
        /** Whether the final status is due to be sent at all (a missing callback is not). */
        public volatile boolean finalDue = true;
        /** Whether the gateway answered the final status with a 2xx (it took responsibility for it). */
        public volatile boolean finalAcknowledged;

        Call(String call, String provider, String providerCallId) {
            this.call = call;
            this.provider = provider;
            this.providerCallId = providerCallId;
        }
    }

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    /** Dials taken in each second (epoch second), for the most in any one second. */
    private final Map<Long, LongAdder> dialsPerSecond = new ConcurrentHashMap<>();

    public void add(String counter) {
        counters.computeIfAbsent(counter, name -> new LongAdder()).increment();
    }

    /** A dial the provider acted on: the call rings, whatever happens to the answer. */
    public Call placed(String call, String provider, String providerCallId) {
        dialsPerSecond.computeIfAbsent(System.currentTimeMillis() / 1000, second -> new LongAdder()).increment();
        Call placed = calls.computeIfAbsent(call, key -> new Call(key, provider, providerCallId));
        if (placed.placed.incrementAndGet() > 1) {
            add("dials.placedAgain");
        }
        return placed;
    }

    public void clear() {
        counters.clear();
        calls.clear();
        dialsPerSecond.clear();
    }

    /** Every counter, and per call: placed more than once, final status not acknowledged. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new TreeMap<>();
        counters.forEach((name, adder) -> snapshot.put(name, adder.sum()));
        snapshot.put("calls.placed", calls.size());
        snapshot.put("calls.dialledTwice", calls.values().stream().filter(c -> c.placed.get() > 1).count());
        snapshot.put("calls.finalAcknowledged", calls.values().stream().filter(c -> c.finalAcknowledged).count());
        snapshot.put("calls.finalNotSent", calls.values().stream().filter(c -> !c.finalDue).count());
        snapshot.put("dials.mostInOneSecond", dialsPerSecond.values().stream().mapToLong(LongAdder::sum).max()
                .orElse(0));
        return snapshot;
    }

    public List<Map<String, Object>> calls() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Call call : calls.values()) {
            Map<String, Object> row = new TreeMap<>();
            row.put("call", call.call);
            row.put("provider", call.provider);
            row.put("providerCallId", call.providerCallId);
            row.put("placed", call.placed.get());
            row.put("finalStatus", call.finalStatus);
            row.put("finalDue", call.finalDue);
            row.put("finalAcknowledged", call.finalAcknowledged);
            list.add(row);
        }
        return list;
    }
}

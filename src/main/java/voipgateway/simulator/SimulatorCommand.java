package voipgateway.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.api.Json;

/**
 * {@code java -jar voip-gateway-simulator.jar [--port 9090] [--host 0.0.0.0] [--<setting> <value>]...}: the
 * provider simulator alone, until the process is stopped; its counts are printed when it stops. Its jar holds this
 * package only and reads the rest (Vert.x, the SansPBX rules it shares with demo mode) from the service's jar
 * beside it.
 */
public final class SimulatorCommand {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorCommand.class);

    private SimulatorCommand() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(List.of(args)));
    }

    /** Runs until the process is stopped; answers an exit code when it cannot start. */
    public static int run(List<String> args) throws Exception {
        int port = 9090;
        String host = "0.0.0.0";
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if ((arg.equals("--port") || arg.equals("--host")) && i + 1 < args.size()) {
                if (arg.equals("--port")) {
                    port = Integer.parseInt(args.get(++i));
                } else {
                    host = args.get(++i);
                }
            } else {
                rest.add(arg);
            }
        }
        SimulatorSettings settings;
        try {
            settings = new SimulatorSettings().withArguments(rest);
        } catch (Exception e) {
            System.err.println("simulator did not start: " + String.valueOf(e.getMessage()).split("\n")[0]);
            return 2;
        }
        if (!settings.check().isEmpty()) {
            System.err.println("simulator did not start: " + String.join("; ", settings.check()));
            return 2;
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        ProviderSimulator simulator = new ProviderSimulator(vertx, settings);
        try {
            simulator.start(host, port).toCompletionStage().toCompletableFuture().join();
        } catch (Exception e) {
            System.err.println("simulator did not start: port " + port + ": " + e.getCause().getMessage());
            vertx.close();
            return 1;
        }
        LOG.info("provider simulator listening on http://{}:{} (SansPBX {}gentoken|dialcall|calldisconnect, Twilio"
                + " /2010-04-01/Accounts/{sid}/Calls.json; GET /simulator/counts, /simulator/calls, PUT"
                + " /simulator/settings)", host, simulator.port(), ProviderSimulator.SANSPBX);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                System.out.println(Json.MAPPER.writeValueAsString(simulator.counts().snapshot()));
            } catch (Exception e) {
                // the counts are also at GET /simulator/counts
            }
            stopped.countDown();
        }, "simulator-stop"));
        stopped.await();
        return 0;
    }
}

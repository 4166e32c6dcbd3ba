package voipgateway;

import java.util.Arrays;

import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.crypto.KeyRotation;
import voipgateway.health.HealthReport;

/**
 * Starts voip-gateway on camel-main. {@code --demo} (or VOIP_DEMO=true) runs it with a throwaway encryption key
 * and the built-in SansPBX simulator.
 */
public final class Application {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("rotate-key")) {
            System.exit(KeyRotation.command());
        }
        boolean demo = Arrays.asList(args).contains("--demo");
        Main main = create();
        if (demo) {
            main.addOverrideProperty("voip.demo", "true");
        }
        try {
            System.exit(main.run(Arrays.stream(args).filter(a -> !a.equals("--demo")).toArray(String[]::new)));
        } catch (Exception e) {
            // a refusal to start is one clear line, not a stack trace
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof IllegalStateException)) {
                cause = cause.getCause();
            }
            LOG.error("voip-gateway did not start: {}", cause.getMessage());
            System.exit(1);
        }
    }

    /** The service as it runs in production; tests start exactly this. */
    public static Main create() {
        Main main = new Main();
        // the jar's own copy first, then the file in the working directory, which wins
        main.setDefaultPropertyPlaceholderLocation(
                "classpath:application.properties;optional=true,file:application.properties;optional=true");
        main.configure().addConfiguration(GatewayConfiguration.class);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport started) {
                var props = started.getCamelContext().getPropertiesComponent();
                boolean demo = Boolean.parseBoolean(props.resolveProperty("voip.demo").orElse("false"));
                String port = props.resolveProperty("camel.server.port").orElse("?");
                // "ready" only when GET /health would say so
                String down = HealthReport.downParts(HealthCheckHelper.invokeReadiness(started.getCamelContext()));
                if (down.isEmpty()) {
                    LOG.info("voip-gateway ready on port {}{}", port,
                            demo ? " (DEMO MODE: SansPBX simulator under /simulator/sanspbx)" : "");
                } else {
                    LOG.warn("voip-gateway started on port {} but is NOT READY: {} (GET /health tells when it is)",
                            port, down);
                }
            }
        });
        return main;
    }
}

package voipgateway;

import java.util.Arrays;

import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import voipgateway.providers.KeyRotation;

/**
 * Starts voip-gateway on camel-main. {@code --demo} (or VOIP_DEMO=true) runs it with a throwaway encryption key
 * and the built-in SansPBX simulator.
 */
public final class Application {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        String logFormat = System.getenv("LOG_FORMAT");
        if (logFormat != null && !logFormat.equals("text") && !logFormat.equals("json")) {
            // log4j2.properties names its appender after it: any other value would leave the service without a log
            System.err.println("voip-gateway did not start: LOG_FORMAT must be text or json, not '" + logFormat + "'");
            System.exit(1);
        }
        if (args.length > 0 && args[0].equals("rotate-key")) {
            System.exit(KeyRotation.command());
        }
        if (args.length > 0 && args[0].equals("simulator")) {
            System.err.println("the provider simulator is a jar of its own:"
                    + " java -jar target/voip-gateway-simulator.jar");
            System.exit(2);
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
        return main;
    }
}

package voipgateway.simulator;

import java.util.LinkedHashMap;
import java.util.Map;

import io.vertx.core.Vertx;
import org.apache.camel.test.AvailablePortFinder;

/** The provider simulator in the tests' JVM, on loopback, with the settings a test gives it. */
public final class LoopbackSimulator implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final int port = AvailablePortFinder.getNextAvailable();

    public LoopbackSimulator(SimulatorSettings settings) {
        new ProviderSimulator(vertx, settings).start("127.0.0.1", port).toCompletionStage().toCompletableFuture().join();
    }

    public int port() {
        return port;
    }

    /** The add-provider body of a SansPBX account on a simulator at this port (its default, fake credentials). */
    public static Map<String, Object> sansPbxAccount(int port) {
        String sim = "http://127.0.0.1:" + port + "/pbxadmin/sanpbxapi/";
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("provider", "SansPBX");
        account.put("tokenEndpoint", sim + "gentoken");
        account.put("dialEndpoint", sim + "dialcall");
        account.put("accessToken", "0123456789abcdef0123456789abcdef");
        account.put("accessKey", "demo-access-key");
        account.put("appId", "6");
        account.put("username", "demo-user");
        account.put("password", "Demo@&1234!#");
        account.put("did", "0124-6000001");
        return account;
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

package voipgateway.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A server that cannot bind only warns and runs on deaf: the service refuses to start instead. */
public final class Ports {

    private Ports() {
    }

    public static void requireFree(String host, int port, String setting) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is already in use: set " + setting + " to a free port");
        }
    }
}

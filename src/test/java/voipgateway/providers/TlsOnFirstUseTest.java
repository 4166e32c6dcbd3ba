package voipgateway.providers;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLException;

import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TlsOnFirstUseTest {

    @Test
    void nothingIsSetUpBeforeTheFirstHttpsConnectionWhichThenSpeaksTls() throws Exception {
        AtomicInteger setUps = new AtomicInteger();
        TlsOnFirstUse tls = new TlsOnFirstUse(() -> {
            setUps.incrementAndGet();
            return DefaultClientTlsStrategy.createDefault();
        });
        assertEquals(0, setUps.get(), "nothing set up before the first https connection");

        try (ServerSocket plainServer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // a server that does not speak TLS: the client's handshake must fail on its answer
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket client = plainServer.accept(); OutputStream out = client.getOutputStream()) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    client.getInputStream().read();
                } catch (Exception ignored) {
                    // the client hung up
                }
            });
            try (Socket socket = new Socket(plainServer.getInetAddress(), plainServer.getLocalPort())) {
                assertThrows(SSLException.class, () -> tls.upgrade(socket, "localhost", plainServer.getLocalPort(),
                        null, HttpClientContext.create()));
            }
            served.join();
        }
        assertEquals(1, setUps.get());
    }
}

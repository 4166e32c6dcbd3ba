package voipgateway.providers;

import java.io.IOException;
import java.net.Socket;
import java.util.function.Supplier;

import javax.net.ssl.SSLSocket;

import org.apache.camel.util.function.Suppliers;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * The provider client's TLS (HttpClient's default: the JDK's trust store, hostname verification), set up at the first
 * https connection instead of when the connection pool is built: loading the trust store took about 0.1 s of the
 * service's start, before any provider is called.
 */
public class TlsOnFirstUse implements TlsSocketStrategy {

    private final Supplier<TlsSocketStrategy> tls;

    public TlsOnFirstUse() {
        this(DefaultClientTlsStrategy::createDefault);
    }

    /** {@code setUp} is called once, at the first https connection. */
    TlsOnFirstUse(Supplier<TlsSocketStrategy> setUp) {
        this.tls = Suppliers.memorize(setUp);
    }

    @Override
    public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext context)
            throws IOException {
        return tls.get().upgrade(socket, target, port, attachment, context);
    }
}

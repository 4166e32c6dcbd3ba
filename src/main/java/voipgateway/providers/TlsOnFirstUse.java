package voipgateway.providers;

import java.io.IOException;
import java.net.Socket;

import javax.net.ssl.SSLSocket;

import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * The provider client's TLS (HttpClient's default: the JDK's trust store, hostname verification), set up at the first
 * https connection instead of when the connection pool is built: loading the trust store took about 0.1 s of the
 * service's start, before any provider is called.
 */
public class TlsOnFirstUse implements TlsSocketStrategy {

    private volatile TlsSocketStrategy tls;

    @Override
    public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext context)
            throws IOException {
        return tls().upgrade(socket, target, port, attachment, context);
    }

    /** Whether the first https connection has set TLS up. */
    boolean isSetUp() {
        return tls != null;
    }

    private TlsSocketStrategy tls() {
        TlsSocketStrategy set = tls;
        if (set == null) {
            synchronized (this) {
                if (tls == null) {
                    tls = DefaultClientTlsStrategy.createDefault();
                }
                set = tls;
            }
        }
        return set;
    }
}

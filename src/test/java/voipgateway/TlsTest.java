package voipgateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service serves HTTPS itself when given a keystore (PKCS#12) or a PEM certificate and key (voip.tls.*): API
 * keys and callback tokens then never cross the network in clear, and a plain-HTTP request gets no answer.
 */
class TlsTest extends GatewayTestSupport {

    private static final String KEYSTORE_PASSWORD = "keystore-password-of-the-test";
    private Path keystore;

    @Override
    protected Map<String, String> properties() {
        if (keystore == null) {
            keystore = selfSigned(dataDir);
        }
        return Map.of("voip.tls.keystore", keystore.toString(), "voip.tls.keystore-password", KEYSTORE_PASSWORD);
    }

    @Test
    void theApiIsServedOverTlsFromAKeystoreOrPemFiles() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(keystore)).build();
        assertEquals(200, status(client, "https"));
        assertThrows(IOException.class, () -> status(HttpClient.newHttpClient(), "http"),
                "plain HTTP is not spoken on the port");

        stop();
        Path pem = Files.createDirectories(dataDir.resolve("pem"));
        KeyStore store = load(keystore);
        Files.writeString(pem.resolve("server.crt"), "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder()
                .encodeToString(store.getCertificate("server").getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Files.writeString(pem.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder()
                .encodeToString(store.getKey("server", KEYSTORE_PASSWORD.toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        gatewayProperties.put("voip.tls.keystore", "");
        gatewayProperties.put("voip.tls.certificate", pem.resolve("server.crt").toString());
        gatewayProperties.put("voip.tls.key", pem.resolve("server.key").toString());
        start();

        assertEquals(200, status(client, "https"));
    }

    private int status(HttpClient client, String scheme) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/health/live"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A keystore with a self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
    private static Path selfSigned(Path dataDir) {
        try {
            Path dir = Files.createDirectories(dataDir.resolve("tls"));
            Path file = dir.resolve("server.p12");
            Process keytool = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                    .toString(), "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", KEYSTORE_PASSWORD, "-keypass",
                    KEYSTORE_PASSWORD)).redirectErrorStream(true).start();
            assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                    new String(keytool.getInputStream().readAllBytes()));
            return file;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore load(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, KEYSTORE_PASSWORD.toCharArray());
            return store;
        }
    }

    private static SSLContext trusting(Path file) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(file));
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }
}

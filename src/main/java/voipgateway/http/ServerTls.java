package voipgateway.http;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import voipgateway.config.Settings;

/**
 * HTTPS on the service's own port, from {@code voip.tls.*}: a PKCS#12 keystore ({@code voip.tls.keystore},
 * {@code voip.tls.keystore-password}), or a PEM certificate chain and its PKCS#8 PEM key
 * ({@code voip.tls.certificate}, {@code voip.tls.key}). Handed to platform-http as Camel's global SSL settings
 * ({@code camel.server.use-global-ssl-context-parameters}); none given, the port speaks plain HTTP (behind a
 * proxy that terminates TLS). A file that cannot be read is a refusal to start naming the setting.
 */
final class ServerTls {

    private static final char[] IN_MEMORY = "in-memory".toCharArray();

    private ServerTls() {
    }

    /** The server's TLS settings, or null for plain HTTP. */
    static SSLContextParameters from(Settings settings) {
        String keystore = settings.text("voip.tls.keystore", "");
        String certificate = settings.text("voip.tls.certificate", "");
        String key = settings.text("voip.tls.key", "");
        if (keystore.isEmpty() && certificate.isEmpty() && key.isEmpty()) {
            return null;
        }
        Settings.require(keystore.isEmpty() || certificate.isEmpty(), "voip.tls.keystore",
                "and voip.tls.certificate are two ways to give the same: set one");
        KeyStore store;
        char[] password;
        if (!keystore.isEmpty()) {
            password = settings.text("voip.tls.keystore-password", "").toCharArray();
            store = pkcs12(Path.of(keystore), password);
        } else {
            Settings.require(!certificate.isEmpty() && !key.isEmpty(), certificate.isEmpty() ? "voip.tls.certificate"
                    : "voip.tls.key", "is needed with the other (a PEM certificate chain and its PKCS#8 key)");
            password = IN_MEMORY;
            store = pem(Path.of(certificate), Path.of(key));
        }
        KeyStoreParameters keys = new KeyStoreParameters();
        keys.setKeyStore(store);
        KeyManagersParameters managers = new KeyManagersParameters();
        managers.setKeyStore(keys);
        managers.setKeyPassword(new String(password));
        SSLContextParameters tls = new SSLContextParameters();
        tls.setKeyManagers(managers);
        return tls;
    }

    private static KeyStore pkcs12(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (Exception e) {
            throw new IllegalStateException("setting voip.tls.keystore (VOIP_TLS_KEYSTORE) must name a PKCS#12"
                    + " keystore that voip.tls.keystore-password opens: " + file + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    private static KeyStore pem(Path certificateFile, Path keyFile) {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(certificateFile)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
        } catch (Exception e) {
            chain = new Certificate[0];
        }
        Settings.require(chain.length > 0, "voip.tls.certificate", "must name a PEM file of certificates: "
                + certificateFile);
        PrivateKey key = pkcs8(keyFile, chain[0].getPublicKey().getAlgorithm());
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, IN_MEMORY, chain);
            return store;
        } catch (Exception e) {
            throw new IllegalStateException("setting voip.tls.key (VOIP_TLS_KEY) does not go with the certificate of"
                    + " voip.tls.certificate (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static PrivateKey pkcs8(Path file, String algorithm) {
        try {
            String pem = Files.readString(file);
            int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = pem.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < begin) {
                throw new GeneralSecurityException("not a PKCS#8 PEM key");
            }
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (Exception e) {
            throw new IllegalStateException("setting voip.tls.key (VOIP_TLS_KEY) must name a PKCS#8 PEM key"
                    + " (-----BEGIN PRIVATE KEY-----; openssl pkcs8 -topk8 -nocrypt converts others): " + file);
        }
    }
}

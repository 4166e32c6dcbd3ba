package voipgateway.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the key that protects stored credentials. A real deployment must set VOIP_ENCRYPTION_KEY; only
 * demo mode may run without one, and then it uses a throwaway key kept beside the demo data.
 */
public final class EncryptionKeys {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptionKeys.class);

    private EncryptionKeys() {
    }

    public static String resolve(String configuredKey, boolean demo, Path dataDir) {
        if (configuredKey != null && !configuredKey.isBlank()) {
            return configuredKey;
        }
        if (!demo) {
            throw new IllegalStateException("VOIP_ENCRYPTION_KEY is not set: refusing to start. Set it to a secret of"
                    + " at least 16 characters, or start in demo mode (--demo or VOIP_DEMO=true) to try the service.");
        }
        Path keyFile = dataDir.resolve("demo-encryption.key");
        try {
            if (!Files.exists(keyFile)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                Files.createDirectories(dataDir);
                Files.writeString(keyFile, HexFormat.of().formatHex(random), StandardCharsets.US_ASCII);
            }
            LOG.warn("**************************************************************************************");
            LOG.warn("DEMO MODE: credentials are encrypted with a THROWAWAY key kept in {}.", keyFile);
            LOG.warn("DEMO MODE: never store real provider credentials; set VOIP_ENCRYPTION_KEY for real use.");
            LOG.warn("**************************************************************************************");
            return Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep the demo encryption key in " + keyFile, e);
        }
    }
}

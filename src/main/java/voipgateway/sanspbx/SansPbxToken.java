package voipgateway.sanspbx;

import java.time.Instant;

/** An {@code Apitoken} from gentoken and the instant it stops being used (shortly before it expires). */
public record SansPbxToken(String apiToken, String expiryTime, Instant refreshAt) {

    public boolean usableAt(Instant now) {
        return now.isBefore(refreshAt);
    }

    @Override
    public String toString() {
        return "SansPbxToken[expiryTime=" + expiryTime + ", apiToken=***]";
    }
}

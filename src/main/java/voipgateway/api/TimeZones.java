package voipgateway.api;

import java.time.DateTimeException;
import java.time.ZoneId;

/** A time zone a request names ({@code Asia/Kolkata}): anything else is a 400 naming the field. */
public final class TimeZones {

    private TimeZones() {
    }

    public static ZoneId parse(String id, String field) {
        try {
            return ZoneId.of(id);
        } catch (DateTimeException e) {
            throw ApiException.badRequest(field, field + " must be a time zone such as Asia/Kolkata");
        }
    }
}

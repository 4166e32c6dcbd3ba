package voipgateway.compliance;

import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;

/**
 * The hours calls of a purpose may ring, in the callee's zone: from {@code from} (included) to {@code to} (not
 * included); a window whose end comes before its start runs over midnight ({@code 22:00-06:00}).
 */
public record CallingWindow(LocalTime from, LocalTime to) {

    /** {@code HH:mm-HH:mm} (seconds allowed: {@code HH:mm:ss}); blank: null, no window (any time). */
    public static CallingWindow parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String[] ends = text.trim().split("\\s*-\\s*");
        try {
            if (ends.length == 2) {
                CallingWindow window = new CallingWindow(LocalTime.parse(ends[0]), LocalTime.parse(ends[1]));
                if (!window.from.equals(window.to)) {
                    return window;
                }
            }
        } catch (DateTimeParseException e) {
            // refused below
        }
        throw new IllegalArgumentException("a calling window is HH:mm-HH:mm, start and end different");
    }

    public boolean contains(LocalTime time) {
        return from.isBefore(to) ? !time.isBefore(from) && time.isBefore(to)
                : !time.isBefore(from) || time.isBefore(to);
    }

    /** {@code now} when the window is open, else the next time it opens. */
    public ZonedDateTime nextOpening(ZonedDateTime now) {
        if (contains(now.toLocalTime())) {
            return now;
        }
        ZonedDateTime opening = now.with(from).withNano(0);
        return opening.isBefore(now) ? opening.plusDays(1).with(from) : opening;
    }

    @Override
    public String toString() {
        return from + "-" + to;
    }
}

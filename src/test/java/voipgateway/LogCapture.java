package voipgateway;

import java.io.StringWriter;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Everything logged while it is open, as text: level, the logger's last name, the message, any stack trace. */
public final class LogCapture implements AutoCloseable {

    private final StringWriter text = new StringWriter();
    private final WriterAppender appender;

    public LogCapture(String name) {
        this(name, PatternLayout.newBuilder().withPattern("%-5level %c{1} - %m%n%throwable").build(), Level.ALL);
    }

    private LogCapture(String name, Layout<?> layout, Level level) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        appender = WriterAppender.newBuilder().setName(name).setTarget(text).setLayout(layout).build();
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, level, null);
        context.updateLoggers();
    }

    /** INFO and above as the shipped appender of this name (log4j2.properties: "text", "json") writes them. */
    public static LogCapture asShipped(String appenderName) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Appender shipped = context.getConfiguration().getAppender(appenderName);
        if (shipped == null) {
            throw new AssertionError("log4j2.properties defines no appender " + appenderName);
        }
        return new LogCapture(appenderName + "-capture", shipped.getLayout(), Level.INFO);
    }

    public String text() {
        return text.toString();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}

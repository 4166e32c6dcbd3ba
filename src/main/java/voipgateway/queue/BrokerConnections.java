package voipgateway.queue;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.Service;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * The JMS connection to the bus, chosen by the broker URL: {@code amqp://} or {@code amqps://} speaks AMQP 1.0
 * (RabbitMQ, Artemis, Azure Service Bus, ...), anything else the Artemis core protocol ({@code tcp://}).
 */
public final class BrokerConnections {

    private BrokerConnections() {
    }

    public static CachingConnectionFactory forUrl(String url, String username, String password) {
        String user = username == null || username.isBlank() ? null : username;
        String secret = password == null || password.isBlank() ? null : password;
        ConnectionFactory connections = url.startsWith("amqp://") || url.startsWith("amqps://")
                ? new JmsConnectionFactory(user, secret, url)
                : new ActiveMQConnectionFactory(url, user, secret);
        // one connection, sessions and producers reused: the bus is used for every request and outcome
        return new CachingConnectionFactory(connections);
    }

    /** The same broker, its consumers given no messages ahead of the one they are working on. */
    public static String withoutPrefetch(String url) {
        String option = url.startsWith("amqp://") || url.startsWith("amqps://") ? "jms.prefetchPolicy.all=0"
                : "consumerWindowSize=0";
        return url + (url.contains("?") ? "&" : "?") + option;
    }

    /**
     * Closes the shared connection when Camel stops. Added after the embedded broker, it stops before it (services
     * stop in reverse order): a normal shutdown then finds no broken connection to report.
     */
    public static Service closing(CachingConnectionFactory connections) {
        return new ServiceSupport() {
            @Override
            protected void doStop() {
                connections.destroy();
            }
        };
    }
}

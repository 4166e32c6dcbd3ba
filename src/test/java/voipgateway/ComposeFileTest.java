package voipgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-compose.yml cannot run here (no Docker engine): what can be checked without it is that it wires the
 * service to the servers it starts, gives each a health check, and configures the queues the service uses.
 */
class ComposeFileTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) throws Exception {
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("docker-compose.yml")));
        return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theServiceTalksToTheComposedMongoDbReplicaSetAndArtemisOnceTheyAreHealthy() throws Exception {
        Map<String, Object> gateway = service("voip-gateway");
        Map<String, Object> env = (Map<String, Object>) gateway.get("environment");
        assertEquals("mongodb://mongodb:27017/?replicaSet=rs0", env.get("MONGODB_URI"));
        assertEquals("tcp://artemis:61616", env.get("BROKER_URL"));
        assertTrue(String.valueOf(env.get("VOIP_ENCRYPTION_KEY")).contains(":?"), "no default key: it must be given");
        Map<String, Object> dependsOn = (Map<String, Object>) gateway.get("depends_on");
        for (String server : List.of("mongodb", "artemis")) {
            assertEquals("service_healthy", ((Map<String, Object>) dependsOn.get(server)).get("condition"));
        }
        assertTrue(String.valueOf(service("mongodb").get("command")).contains("--replSet, rs0"));
        assertTrue(String.valueOf(service("mongodb").get("image")).startsWith("mongo:7"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void twoInstancesAndKafkaAsAnAlternativeBus() throws Exception {
        Map<String, Object> gateway = service("voip-gateway");
        assertEquals(2, ((Map<String, Object>) gateway.get("deploy")).get("replicas"));
        assertEquals(List.of("docker/bus-${VOIP_BUS:-artemis}.env"), gateway.get("env_file"));
        assertEquals(List.of("kafka"), service("kafka").get("profiles"));
        assertEquals(false, ((Map<String, Object>) ((Map<String, Object>) gateway.get("depends_on")).get("kafka"))
                .get("required"));
        Properties kafka = new Properties();
        kafka.load(Files.newBufferedReader(Path.of("docker/bus-kafka.env")));
        for (String uri : List.of("CALLS_QUEUE_URI", "CALLS_EVENTS_URI", "CALLS_DEAD_LETTER_URI")) {
            assertTrue(kafka.getProperty(uri).startsWith("kafka:") && kafka.getProperty(uri).contains("kafka:9092"),
                    uri);
        }
        assertTrue(kafka.getProperty("CALLS_QUEUE_URI").contains("groupId=voip-gateway"));
        assertTrue(Files.exists(Path.of("docker/bus-artemis.env")));
    }

    @Test
    void everyServiceHasAHealthCheck() throws Exception {
        for (String name : List.of("voip-gateway", "mongodb", "artemis", "kafka", "simulator")) {
            assertNotNull(service(name).get("healthcheck"), name);
        }
        assertTrue(String.valueOf(service("voip-gateway").get("healthcheck")).contains("GET /health "));
    }

    @Test
    void artemisNeverDropsTheQueuesMessages() throws Exception {
        Properties app = new Properties();
        app.load(Files.newBufferedReader(Path.of("application.properties")));
        String artemis = Files.readString(Path.of("docker/artemis/broker.properties"));
        for (String queue : List.of(app.getProperty("broker.calls-queue"), app.getProperty("broker.callbacks-queue"))) {
            assertTrue(artemis.contains("addressSettings.\"" + queue + "\".maxDeliveryAttempts=-1"), queue);
        }
        assertTrue(String.valueOf(service("artemis").get("volumes")).contains("etc-override/broker.properties"));
    }
}

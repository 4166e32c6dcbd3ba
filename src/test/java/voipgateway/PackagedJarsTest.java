package voipgateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code mvn package} builds, run after it (the {@code packaged-jars} execution in pom.xml): the service's jar
 * without the provider simulator, and the simulator's own jar, which starts with the service's jar beside it.
 */
class PackagedJarsTest {

    private static final Path SERVICE = Path.of("target", "voip-gateway.jar");
    private static final Path SIMULATOR = Path.of("target", "voip-gateway-simulator.jar");

    @Test
    void theServiceJarCarriesNoSimulator() throws Exception {
        try (JarFile jar = new JarFile(SERVICE.toFile())) {
            assertTrue(jar.stream().noneMatch(entry -> entry.getName().startsWith("voipgateway/simulator/")),
                    "the service's jar holds the simulator");
            assertNotNull(jar.getEntry("voipgateway/demo/SansPbxSimulator.class"), "demo mode's SansPBX stand-in");
        }
        Process refused = new ProcessBuilder(java(), "-jar", SERVICE.toString(), "simulator").redirectErrorStream(true)
                .start();
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, refused.exitValue());
        assertTrue(new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .contains("java -jar target/voip-gateway-simulator.jar"));
    }

    /**
     * The README's quickstart as a user runs it: the service's jar alone, in demo mode, becomes ready. Every
     * component its routes use must be in the jar: the tests' class path has more (camel-seda came with the test
     * kit, and the jar did not start).
     */
    @Test
    void theServicesJarStartsInDemoModeAndIsReady() throws Exception {
        Path data = java.nio.file.Files.createTempDirectory("packaged-jar");
        int port = AvailablePortFinder.getNextAvailable();
        ProcessBuilder start = new ProcessBuilder(java(), "-jar", SERVICE.toString(), "--demo")
                .redirectErrorStream(true).redirectOutput(data.resolve("service.log").toFile());
        start.environment().putAll(java.util.Map.of("PORT", Integer.toString(port), "VOIP_DATA_DIR", data.toString(),
                "VOIP_MANAGEMENT_PORT", Integer.toString(AvailablePortFinder.getNextAvailable()),
                "BROKER_EMBEDDED_PORT", Integer.toString(AvailablePortFinder.getNextAvailable())));
        Process service = start.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> !service.isAlive()
                    || http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            assertTrue(service.isAlive(), "the service stopped: "
                    + java.nio.file.Files.readString(data.resolve("service.log")).lines()
                            .filter(line -> line.contains("ERROR")).toList());
        } finally {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
            try (var files = java.nio.file.Files.walk(data)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(file);
                }
            }
        }
    }

    @Test
    void theSimulatorJarHoldsItsPackageAndStartsBesideTheServicesJar() throws Exception {
        try (JarFile jar = new JarFile(SIMULATOR.toFile())) {
            List<String> classes = jar.stream().map(entry -> entry.getName())
                    .filter(name -> name.endsWith(".class")).toList();
            assertFalse(classes.isEmpty());
            assertTrue(classes.stream().allMatch(name -> name.startsWith("voipgateway/simulator/")),
                    classes.toString());
            assertEquals("voip-gateway.jar", jar.getManifest().getMainAttributes().getValue("Class-Path"));
        }
        int port = AvailablePortFinder.getNextAvailable();
        Process simulator = new ProcessBuilder(java(), "-jar", SIMULATOR.toString(), "--port", Integer.toString(port),
                "--host", "127.0.0.1").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest counts = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/simulator/counts"))
                    .build();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(counts,
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        } finally {
            simulator.destroy();
            simulator.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

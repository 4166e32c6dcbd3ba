package voipgateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packages' floors: a package imports only from floors below its own, so no two feature packages depend on
 * each other and the wiring (this package) sits on top. A new package needs a floor here.
 */
class LayersTest {

    private static final List<List<String>> FLOORS = List.of(
            // infrastructure and the shared vocabulary
            List.of("api", "config", "logging", "routes", "storage", "crypto", "metrics"),
            List.of("internals", "tenants", "providers", "cluster"),
            List.of("agents", "sanspbx", "demo", "http"),
            List.of("numbers"),
            List.of("calls"),
            List.of("compliance", "queue"),
            List.of("pacing", "callbacks", "health", "webhooks", "usage"),
            List.of("simulator", "campaigns"));
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?voipgateway\\.([a-z]+)\\.", Pattern.MULTILINE);

    @Test
    void noPackageImportsFromItsOwnFloorOrAbove() throws IOException {
        Path root = Path.of("src/main/java/voipgateway");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = root.relativize(file);
                if (relative.getNameCount() == 1) {
                    // the wiring, on top
                    continue;
                }
                String pkg = relative.getName(0).toString();
                int floor = floorOf(pkg);
                Matcher imports = IMPORT.matcher(Files.readString(file));
                while (imports.find()) {
                    String used = imports.group(1);
                    if (!used.equals(pkg) && floorOf(used) >= floor) {
                        violations.add(relative + " imports " + used + " (floor " + floorOf(used) + ", its own "
                                + floor + ")");
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    private static int floorOf(String pkg) {
        for (int floor = 0; floor < FLOORS.size(); floor++) {
            if (FLOORS.get(floor).contains(pkg)) {
                return floor;
            }
        }
        throw new AssertionError("package voipgateway." + pkg + " has no floor in LayersTest: give it one");
    }

    @Test
    void everyPackageHasAFloor() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("src/main/java/voipgateway"))) {
            dirs.filter(Files::isDirectory).forEach(dir -> floorOf(dir.getFileName().toString()));
        }
    }
}

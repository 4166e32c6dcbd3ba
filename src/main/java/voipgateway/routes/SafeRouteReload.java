package voipgateway.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Route;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route reload for operators (Camel calls its own a development feature): Camel's file watcher with what it lacks.
 * A saved file replaces only its own routes (never all of them), between requests: the exchanges in flight finish
 * first and new ones wait meanwhile ({@link ReloadGate}). A broken file is refused with Camel's
 * reason (file, line) and the routes that ran keep running. A deleted file's routes are stopped and removed (Camel
 * leaves them running). While a reload runs, a request to a path with no route yet is a 503 with Retry-After
 * rather than a 404 ({@link #reloading()}).
 */
public class SafeRouteReload extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger("voipgateway.routes");

    private final AtomicInteger reloading = new AtomicInteger();
    private final ReloadGate gate;

    public SafeRouteReload(String directory, String pattern, ReloadGate gate) {
        // recursive: provider adapters live in routes/providers/
        super(directory, true);
        this.gate = gate;
        setPattern(pattern);
        setRemoveAllRoutes(false);
    }

    /** Whether routes are being replaced right now. */
    public boolean reloading() {
        return reloading.get() > 0;
    }

    /**
     * Each saved file on its own (Camel's own reload parses every file that failed before together with the saved
     * one, so one broken file blocked every later change): its routes are replaced, or it is refused.
     */
    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        reloading.incrementAndGet();
        try {
            int left = gate.whileDrained(() -> {
                for (Resource resource : resources) {
                    String file = fileName(resource.getLocation());
                    if (resource.exists()) {
                        replaceRoutesOf(file, resource);
                    } else {
                        removeRoutesOf(file);
                    }
                }
            });
            if (left > 0) {
                LOG.warn("[routes] reloaded with {} exchanges still in flight after the drain limit", left);
            }
        } finally {
            reloading.decrementAndGet();
        }
    }

    private void replaceRoutesOf(String file, Resource resource) {
        if (isEmpty(resource)) {
            // a file just created, its content not written yet: the write that follows is seen as a change
            return;
        }
        try {
            Set<String> ids = PluginHelper.getRoutesLoader(getCamelContext()).updateRoutes(Set.of(resource));
            for (String id : ids) {
                if (!getCamelContext().getRouteController().getRouteStatus(id).isStarted()) {
                    getCamelContext().getRouteController().startRoute(id);
                }
            }
            LOG.info("[routes] {} reloaded: {}", file, new TreeSet<>(ids));
        } catch (Exception e) {
            LOG.warn("[routes] {} refused, the routes that ran keep running: {}", file, reason(e));
        }
    }

    private static boolean isEmpty(Resource resource) {
        try {
            return Files.size(Path.of(resource.getURI())) == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** The innermost message (the YAML parser's names the line and column), on one line. */
    static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }

    private void removeRoutesOf(String file) {
        List<String> removed = new ArrayList<>();
        for (Route route : List.copyOf(getCamelContext().getRoutes())) {
            if (route.getSourceLocation() != null && file.equals(fileName(route.getSourceLocation()))) {
                try {
                    getCamelContext().getRouteController().stopRoute(route.getRouteId());
                    getCamelContext().removeRoute(route.getRouteId());
                    removed.add(route.getRouteId());
                } catch (Exception e) {
                    LOG.warn("[routes] {} was deleted but its route {} could not be removed: {}", file,
                            route.getRouteId(), e.getMessage());
                }
            }
        }
        LOG.info("[routes] {} was deleted: its routes stopped and removed: {}", file, removed);
    }

    /** "file:routes/x.yaml:12" or "file:/abs/routes/x.yaml" -> "x.yaml". */
    static String fileName(String location) {
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        int line = path.lastIndexOf(':');
        if (line > 0 && path.substring(line + 1).chars().allMatch(Character::isDigit)) {
            path = path.substring(0, line);
        }
        return Path.of(path).getFileName().toString();
    }
}

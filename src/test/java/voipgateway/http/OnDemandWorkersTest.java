package voipgateway.http;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request workers: a thread only when none is idle, at once up to the eager size, beyond it only when the line
 * has waited (its threads are blocked), up to the pool's size; idle ones end.
 */
class OnDemandWorkersTest {

    private ThreadPoolExecutor pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Test
    void tasksOneAfterAnotherShareOneThread() throws Exception {
        pool = OnDemandWorkers.pool(Executors.defaultThreadFactory(), 400, 60_000);
        for (int i = 0; i < 200; i++) {
            CountDownLatch done = new CountDownLatch(1);
            pool.execute(done::countDown);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            // the thread has taken up its next wait once the pool counts no task in it
            await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> pool.getActiveCount() == 0);
        }
        assertEquals(1, pool.getLargestPoolSize(), "a fixed pool would have made 200 threads");
    }

    @Test
    void aBurstOfShortTasksIsServedByTheEagerThreads() throws Exception {
        // a patience of a minute: past the 4 eager threads the pool grows only for a line that waited that long
        pool = OnDemandWorkers.pool(Executors.defaultThreadFactory(), 400, 60_000, 4, 60_000);
        CountDownLatch done = new CountDownLatch(300);
        for (int i = 0; i < 300; i++) {
            pool.execute(done::countDown);
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertTrue(pool.getLargestPoolSize() <= 4, "300 tasks at once made " + pool.getLargestPoolSize() + " threads");
    }

    @Test
    void blockedTasksGetAThreadEachUpToTheSizeThenWaitInLineAndNoneIsLost() throws Exception {
        // 2 threads at once, then one more each time the line has waited 10 ms
        pool = OnDemandWorkers.pool(Executors.defaultThreadFactory(), 8, 200, 2, 10);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.incrementAndGet();
            });
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.getActiveCount() == 8);
        assertEquals(8, pool.getPoolSize());
        assertEquals(12, pool.getQueue().size(), "beyond the size, tasks wait");

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 20);
        // idle past 200 ms, the threads end
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.getPoolSize() == 0);
    }

    /** Vert.x takes the pool through its service loader: what fails if an upgrade stops loading it. */
    @Test
    void vertxMakesItsWorkersAsTheLoadNeedsThem() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(100));
        try {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            // one task after the other: Vert.x's own fixed pool starts a new thread for each until it has 100
            for (int i = 0; i < 40; i++) {
                Thread worker = vertx.executeBlocking(() -> {
                    threads.add(Thread.currentThread().getName());
                    return Thread.currentThread();
                }, false).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                // the task's answer comes before its thread is counted idle: the next waits until it is back in line
                await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> worker.getState() == Thread.State.TIMED_WAITING
                                || worker.getState() == Thread.State.WAITING);
            }
            assertTrue(threads.size() <= 2, "worker threads for 40 tasks one after the other: " + threads);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}

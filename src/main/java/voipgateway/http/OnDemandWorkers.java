package voipgateway.http;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.spi.ExecutorServiceFactory;

/**
 * Vert.x's worker pools, made so they hold only the threads the load needs. Vert.x's own pool is a fixed
 * {@link ThreadPoolExecutor}, which starts a new thread for every task until it has them all: after 400 requests
 * the service kept 400 request threads (about 100 KB of stack each) even with 8 callers (measured: 489 threads).
 *
 * <p>Here a task gets a new thread at once only while fewer than {@code eager} threads run (and none is idle among
 * them). Beyond that, tasks wait in line, and the pool grows by one thread every {@code patienceMillis} while the
 * first in line has waited that long (its threads are blocked on MongoDB, or the cores are all busy): one thread at
 * a time, not one a task. A request's route runs in short stretches (it waits for its provider on no thread), so
 * 300 requests arriving at once need few threads: the footprint benchmark's service had 119 right after them,
 * where growing whenever no thread was idle left 240. A thread idle for a minute ends.
 *
 * <p>Vert.x finds it through its service provider interface (an {@link ExecutorServiceFactory} listed in
 * {@code META-INF/services/io.vertx.core.spi.VertxServiceProvider}), so every Vert.x instance of the process
 * (Vert.x's own and platform-http's) takes it; {@code VertxOptions.setWorkerPoolSize} stays the upper bound.
 */
public final class OnDemandWorkers implements ExecutorServiceFactory {

    /** Looks again at lines that were waiting; one daemon thread for every pool. */
    private static final ScheduledExecutorService CHECKS = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "worker-pool-check");
        thread.setDaemon(true);
        return thread;
    });

    /** A thread idle this long ends. */
    private static final long IDLE_MILLIS = 60_000;

    private final long idleMillis;

    /** As Vert.x's service loader makes it (META-INF/services/io.vertx.core.spi.VertxServiceProvider). */
    public OnDemandWorkers() {
        this(IDLE_MILLIS);
    }

    OnDemandWorkers(long idleMillis) {
        this.idleMillis = idleMillis;
    }

    @Override
    public ExecutorService createExecutor(ThreadFactory threadFactory, Integer concurrency, Integer maxConcurrency) {
        return pool(threadFactory, maxConcurrency, idleMillis);
    }

    /** Eagerly up to two threads a core (at least 4); then one more every 50 ms while the line waits. */
    static ThreadPoolExecutor pool(ThreadFactory threadFactory, int size, long idleMillis) {
        return pool(threadFactory, size, idleMillis, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), 50);
    }

    static ThreadPoolExecutor pool(ThreadFactory threadFactory, int size, long idleMillis, int eager,
            long patienceMillis) {
        Line line = new Line(Math.min(eager, size), TimeUnit.MILLISECONDS.toNanos(patienceMillis));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, size, idleMillis, TimeUnit.MILLISECONDS, line,
                threadFactory, (task, full) -> {
                    if (full.isShutdown()) {
                        throw new RejectedExecutionException("the worker pool is shut down");
                    }
                    line.put(task);
                }) {
            @Override
            public void execute(Runnable task) {
                line.waiting.incrementAndGet();
                super.execute(new Queued(task));
            }

            @Override
            protected void afterExecute(Runnable task, Throwable failure) {
                line.waiting.decrementAndGet();
            }
        };
        line.pool = pool;
        return pool;
    }

    /** A task and when it was handed to the pool. */
    private record Queued(Runnable task, long since) implements Runnable {

        Queued(Runnable task) {
            this(task, System.nanoTime());
        }

        @Override
        public void run() {
            task.run();
        }
    }

    /**
     * The tasks waiting for a thread. A {@link ThreadPoolExecutor} adds a thread only when its queue refuses a
     * task: this one refuses while there are more tasks than threads and the pool may grow, if the pool is under
     * its eager size or a check found the line waiting.
     */
    private static final class Line extends LinkedBlockingQueue<Runnable> {

        /** Tasks handed to the pool and not finished (running or waiting). */
        final AtomicInteger waiting = new AtomicInteger();
        private final int eager;
        private final long patienceNanos;
        private final AtomicBoolean checking = new AtomicBoolean();
        /** Set by a check that found the line waiting: the next task handed to the pool gets a new thread. */
        private final AtomicBoolean grow = new AtomicBoolean();
        volatile ThreadPoolExecutor pool;

        Line(int eager, long patienceNanos) {
            this.eager = eager;
            this.patienceNanos = patienceNanos;
        }

        @Override
        public boolean offer(Runnable task) {
            int threads = pool.getPoolSize();
            if (waiting.get() > threads && threads < pool.getMaximumPoolSize()
                    && (threads < eager || grow.compareAndSet(true, false))) {
                return false;
            }
            super.offer(task);
            checkLater();
            return true;
        }

        @Override
        public void put(Runnable task) {
            // the pool is full: the task waits in line (never refused, as with Vert.x's own pool)
            super.offer(task);
        }

        private boolean waitedPastPatience() {
            Runnable first = peek();
            return first instanceof Queued queued && System.nanoTime() - queued.since() >= patienceNanos;
        }

        /**
         * While there is a line and the pool may grow, looks at it after each patience: if its first task has waited
         * that long, a no-op task gets a new thread (see offer), which then takes the line's first task.
         */
        private void checkLater() {
            if (checking.compareAndSet(false, true)) {
                CHECKS.schedule(() -> {
                    checking.set(false);
                    if (!isEmpty() && !pool.isShutdown() && pool.getPoolSize() < pool.getMaximumPoolSize()) {
                        if (waitedPastPatience()) {
                            grow.set(true);
                            pool.execute(() -> { });
                        }
                        checkLater();
                    }
                }, patienceNanos, TimeUnit.NANOSECONDS);
            }
        }
    }
}

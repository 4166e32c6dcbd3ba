package voipgateway.api;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.spi.ExecutorServiceFactory;

/**
 * Vert.x's worker pools, made so they hold only the threads the load needs. Vert.x's own pool is a fixed
 * {@link ThreadPoolExecutor}, which starts a new thread for every task until it has them all: after 400 requests
 * the service kept 400 request threads (about 120 KB of stack each) even with 8 callers (measured: 489 threads).
 * Here a task gets a new thread only when none is idle, up to the pool's size; beyond it, tasks wait in line as
 * before; a thread idle for {@code idleMillis} ends.
 */
public final class OnDemandWorkers implements ExecutorServiceFactory {

    private final long idleMillis;

    public OnDemandWorkers(long idleMillis) {
        this.idleMillis = idleMillis;
    }

    @Override
    public ExecutorService createExecutor(ThreadFactory threadFactory, Integer concurrency, Integer maxConcurrency) {
        return pool(threadFactory, maxConcurrency, idleMillis);
    }

    static ThreadPoolExecutor pool(ThreadFactory threadFactory, int size, long idleMillis) {
        Line line = new Line();
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
                super.execute(task);
            }

            @Override
            protected void afterExecute(Runnable task, Throwable failure) {
                line.waiting.decrementAndGet();
            }
        };
        line.pool = pool;
        return pool;
    }

    /**
     * The tasks waiting for a thread. A {@link ThreadPoolExecutor} adds a thread only when its queue refuses a
     * task: this one refuses while there are more tasks than threads and the pool may grow.
     */
    private static final class Line extends LinkedBlockingQueue<Runnable> {

        /** Tasks handed to the pool and not finished (running or waiting). */
        final AtomicInteger waiting = new AtomicInteger();
        volatile ThreadPoolExecutor pool;

        @Override
        public boolean offer(Runnable task) {
            int threads = pool.getPoolSize();
            if (waiting.get() > threads && threads < pool.getMaximumPoolSize()) {
                return false;
            }
            return super.offer(task);
        }

        @Override
        public void put(Runnable task) {
            // the pool is full: the task waits in line (never refused, as with Vert.x's own pool)
            super.offer(task);
        }
    }
}

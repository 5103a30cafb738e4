package dev.fusedstep.internal.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads that run the indices {@code 0..count-1} of a task, the caller
 * taking part. Nothing is allocated per run: the job is published through fields and one
 * atomic word holding (generation, next index), so a late worker can never claim an index of
 * a newer job with an older task.
 *
 * <p>Kernels are element-wise over fixed chunks, so which thread runs which chunk never
 * changes a result.
 */
public final class WorkerPool implements AutoCloseable {

    /** The work for one index. */
    @FunctionalInterface
    public interface Task {
        void run(int index);
    }

    /** Spins before parking: back-to-back steps find the workers awake (~tens of microseconds). */
    private static final int SPINS = 1 << 12;

    private final Thread[] workers;
    private final Object runLock = new Object();
    /** High 32 bits: generation; low 32 bits: next index to claim. */
    private final AtomicLong cursor = new AtomicLong();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile int count;
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean closed;

    /** A pool running on {@code threads} threads in all (the caller is one of them). */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: got " + threads + ", expected >= 1");
        }
        workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            Thread t = new Thread(this::workerLoop, "fusedstep-worker-" + w);
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    /** Threads in all, the caller included. */
    public int threads() {
        return workers.length + 1;
    }

    /**
     * Whether the workers may touch {@code segment}: false for memory confined to one thread
     * (an {@code Arena.ofConfined()}), which then has to be processed on the caller's thread.
     */
    public boolean shareable(java.lang.foreign.MemorySegment segment) {
        return workers.length == 0 || segment.isAccessibleBy(workers[0]);
    }

    /** Runs {@code task} for every index in {@code [0, count)} and returns when all are done. */
    public void run(int count, Task task) {
        run(count, task, true);
    }

    /**
     * Runs {@code task} for every index in {@code [0, count)}, on the workers too if
     * {@code parallel} (pass false when a segment is confined to the calling thread).
     */
    public void run(int count, Task task, boolean parallel) {
        if (count <= 0) {
            return;
        }
        if (workers.length == 0 || count == 1 || !parallel) {
            for (int i = 0; i < count; i++) {
                task.run(i);
            }
            return;
        }
        synchronized (runLock) {
            if (closed) {
                throw new IllegalStateException("worker pool: closed");
            }
            this.task = task;
            this.count = count;
            this.failure = null;
            this.caller = Thread.currentThread();
            pending.set(count);
            long generation = (cursor.get() >>> 32) + 1;
            cursor.set(generation << 32); // publishes task and count
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            drain(generation);
            int spins = 0;
            while (pending.get() > 0) {
                if (spins++ < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            this.task = null;
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException r) {
                    throw r;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(f);
            }
        }
    }

    private void drain(long generation) {
        while (true) {
            long c = cursor.get();
            if ((c >>> 32) != generation) {
                return;
            }
            // Read the job after seeing its generation; the CAS below fails if a newer job replaced it.
            Task t = task;
            int n = count;
            int index = (int) c;
            if (index >= n || !cursor.compareAndSet(c, c + 1)) {
                if (index >= n) {
                    return;
                }
                continue;
            }
            try {
                t.run(index);
            } catch (Throwable e) {
                failure = e;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    private void workerLoop() {
        long seen = 0;
        int spins = 0;
        while (!closed) {
            long generation = cursor.get() >>> 32;
            if (generation != seen) {
                seen = generation;
                drain(generation);
                spins = 0;
            } else if (spins++ < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}

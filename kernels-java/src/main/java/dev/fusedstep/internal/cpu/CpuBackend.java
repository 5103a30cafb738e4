package dev.fusedstep.internal.cpu;

import dev.fusedstep.internal.vectorization.VectorizationProvider;

/**
 * The CPU backend: which loops to run (Vector API or scalar) and the worker pool that runs
 * chunks of them. One shared instance serves every caller that does not ask for its own.
 */
public final class CpuBackend implements AutoCloseable {

    /**
     * Elements per chunk: the unit of work a thread takes. Fixed, so the split never depends on
     * the thread count; a multiple of every vector width and of a cache line; small enough that
     * a 64K-element tensor spreads over several threads, large enough that claiming one is noise.
     */
    public static final int CHUNK = 1 << 14;

    /**
     * Fewer elements than this in all, however many tensors they are spread over, and a
     * multi-tensor pass runs on the caller's thread alone. Many small tensors make many chunks,
     * but their work (a few microseconds) is less than waking workers that parked between
     * training steps; two whole chunks are the least worth splitting.
     */
    public static final long MIN_PARALLEL_ELEMENTS = 2L * CHUNK;

    /**
     * The least estimated one-thread time of a step, in nanoseconds, that is split over the
     * workers ({@link #worthSplitting}). Splitting costs a hand-over to the workers and a wait for
     * the last chunk, and chunks claimed by whichever thread comes first move between the cores'
     * caches from one step to the next; measured here as a few microseconds, so a step must be
     * worth about twice that before two threads finish it sooner than one.
     */
    public static final double MIN_PARALLEL_NANOS = 12_000;

    /**
     * Whether a pass estimated at {@code oneThreadNanos} on one thread (e.g. elements times
     * {@link OptimizerKernel#nanosPerElement}) is worth splitting over the workers: cheap rules
     * on small models stay on the caller's thread, expensive ones split as soon as it pays.
     */
    public static boolean worthSplitting(double oneThreadNanos) {
        return oneThreadNanos >= MIN_PARALLEL_NANOS;
    }

    private static final class Shared {
        static final CpuBackend INSTANCE = new CpuBackend(VectorizationProvider.getInstance().vectorized(), defaultThreads());
    }

    private final boolean vectorized;
    private final WorkerPool pool;

    /** A backend with its own pool; {@code vectorized} requires the Vector API to be available. */
    public CpuBackend(boolean vectorized, int threads) {
        if (vectorized && !VectorizationProvider.getInstance().vectorized()) {
            throw new IllegalArgumentException("vectorized: got true, but " + VectorizationProvider.getInstance().describe());
        }
        this.vectorized = vectorized;
        this.pool = new WorkerPool(threads);
    }

    /** The process-wide backend: vector loops when available, {@link #defaultThreads()} threads. */
    public static CpuBackend shared() {
        return Shared.INSTANCE;
    }

    /** All cores, or {@code -Dfusedstep.threads=N}. */
    public static int defaultThreads() {
        String p = System.getProperty("fusedstep.threads");
        if (p == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(p.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("fusedstep.threads: got \"" + p + "\", expected an integer >= 1");
    }

    public boolean vectorized() {
        return vectorized;
    }

    public int threads() {
        return pool.threads();
    }

    public WorkerPool pool() {
        return pool;
    }

    /** Runs one kernel's loop over {@code [from, to)} of {@code target}: the vector loop if this backend vectorizes. */
    public void update(OptimizerKernel kernel, float[] scalars, StepTarget target, long from, long to) {
        if (vectorized) {
            kernel.vector(scalars, target, from, to);
        } else {
            kernel.scalar(scalars, target, from, to);
        }
    }

    @Override
    public void close() {
        if (this != Shared.INSTANCE) {
            pool.close();
        }
    }
}

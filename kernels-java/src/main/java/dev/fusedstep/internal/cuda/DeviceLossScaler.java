package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fusedstep.DeviceArena;
import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.bindings.KernelArgs;
import dev.fusedstep.clip.GradClipping;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@link GradScaler}'s dynamic loss scaling with its state in device memory: the float32 scale,
 * the growth tracker, the found-inf flag and the step's gradient multiplier, so that a
 * loss-scaled (and clipped) step is queued with no host synchronization and can be captured in a
 * graph. The arithmetic is GradScaler's, bit for bit (kernels in {@code tensor/amp.cu}): found-inf
 * from the read-only norm pass over every gradient, the clip coefficient from the unscaled norm
 * {@code total / scale} in double, the multiplier {@code (float) (1.0 / scale) * coefficient} in
 * float32, and PyTorch's {@code _amp_update_scale_} with the floor at {@link Float#MIN_NORMAL}.
 *
 * <p>{@code GradScaler.step(opt)} / {@code step(opt, maxNorm, normType)} on CUDA queues, in order
 * on the backend's stream:
 * <pre>{@code
 * scaler.queueBeginStep();                               // found_inf = 0
 * scaler.queueUnscale(gradTables);                       // or queueUnscale(gradTables, maxNorm, normType):
 *                                                        //   norm of the raw gradients, found_inf, multiplier
 * for (DeviceOptimizerGroup g : groups) {
 *     g.step(scaler.gradMultiplier(), scaler.foundInf());  // skips (no write, no step count) on found_inf
 * }
 * scaler.queueUpdate();                                  // scale and growth tracker for the next step
 * }</pre>
 * {@code gradTables} are the gradients as {@link TensorTable#of} builds them (each row's first
 * pointer the gradient, with its dtype), one table per group or one for all: the norm covers
 * them all together. Nothing ever writes the gradients. GradScaler's return value (whether the
 * optimizer stepped) is {@code !readSkipped()} and its {@code lastNorm()} is
 * {@link #readUnscaledNorm()}; both synchronize, so a loop that needs neither never waits.
 *
 * <p>The norm's partial sums live in a buffer from the arena that grows when a call covers more
 * chunks than any before it: make the first call outside graph capture. Not thread-safe, like
 * the optimizer it drives; the arena must outlive the scaler's use.
 */
public final class DeviceLossScaler {

    // One device block: the kernels' scalars, next to each other.
    private static final long SCALE = 0;           // float: the loss scale
    private static final long GROWTH_TRACKER = 4;  // int: consecutive finite steps
    private static final long FOUND_INF = 8;       // float: non-zero = skip this step
    private static final long MULTIPLIER = 12;     // float: 1/scale (x clip coefficient)
    private static final long TOTAL = 16;          // double: norm of the raw (scaled) gradients
    private static final long UNSCALED_NORM = 24;  // double: total / scale
    private static final long BLOCK_BYTES = 32;

    private final CudaBackend backend;
    private final DeviceArena arena;
    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private final MemorySegment block;
    private MemorySegment partials;
    private long partialCapacity;

    private DeviceLossScaler(CudaBackend backend, DeviceArena arena, double growthFactor, double backoffFactor,
            int growthInterval) {
        this.backend = backend;
        this.arena = arena;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
        this.block = arena.allocateBytes(BLOCK_BYTES);
    }

    /**
     * A scaler on {@code backend}'s device with its state in {@code arena}, starting at
     * {@code initScale} with a growth tracker of 0; the four parameters as {@link GradScaler}'s
     * constructor takes and checks them. Waits for the initial state to reach the device.
     */
    public static DeviceLossScaler create(CudaBackend backend, DeviceArena arena, double initScale, double growthFactor,
            double backoffFactor, int growthInterval) {
        if (backend == null) {
            throw new IllegalArgumentException("backend: got null, expected a CudaBackend");
        }
        if (arena == null || !arena.device().equals(backend.device())) {
            throw new IllegalArgumentException("arena: got " + (arena == null ? "null" : "an arena on " + arena.device())
                    + ", expected an arena on " + backend.device() + " (the backend's device)");
        }
        // GradScaler checks the parameters with its messages, and rounds the scale to float32 as it keeps it.
        GradScaler checked = new GradScaler(initScale, growthFactor, backoffFactor, growthInterval);
        DeviceLossScaler s = new DeviceLossScaler(backend, arena, growthFactor, backoffFactor, growthInterval);
        s.write(checked.scale(), 0);
        return s;
    }

    /** Queues found_inf = 0: the start of a step. */
    public void queueBeginStep() {
        backend.makeCurrent();
        Cuda.memsetAsync(foundInf(), 0, 4, backend.stream());
    }

    /**
     * Queues the read-only L2 norm pass over {@code grads} (found-inf raised when it is not finite)
     * and the gradient multiplier {@code (float) (1.0 / scale)}: {@code GradScaler.step(opt)}'s unscale.
     */
    public void queueUnscale(List<TensorTable> grads) {
        queue(grads, 0, GradClipping.L2);  // max_norm 0: no clipping (the public overload requires > 0)
    }

    /**
     * As {@link #queueUnscale(List)} with the {@code normType}-norm, and the multiplier also times
     * the clip coefficient {@code min(1, maxNorm / (total / scale + 1e-6))} (float32, as
     * {@link GradClipping#clipCoefficient}): {@code GradScaler.step(opt, maxNorm, normType)}'s
     * unscale and clip, folded into the step.
     */
    public void queueUnscale(List<TensorTable> grads, double maxNorm, double normType) {
        GradClipping.requireMaxNorm(maxNorm);
        queue(grads, maxNorm, normType);
    }

    private void queue(List<TensorTable> grads, double maxNorm, double normType) {
        GradClipping.requireNormType(normType);
        if (grads == null || grads.contains(null)) {
            throw new IllegalArgumentException("grads: got " + (grads == null ? "null" : "a null table")
                    + ", expected a list of gradient tables");
        }
        long chunks = 0;
        for (TensorTable t : grads) {
            chunks += t.totalChunks();
        }
        MemorySegment buffer = partials(chunks);
        int kind = DeviceOps.normKind(normType);
        long offset = 0;
        for (TensorTable t : grads) {
            DeviceOps.normPartials(backend, t, kind, normType, MemorySegment.NULL,
                    MemorySegment.ofAddress(buffer.address() + 8 * offset));
            offset += t.totalChunks();
        }
        DeviceOps.normFinish(backend, buffer, chunks, kind, normType, at(TOTAL), foundInf());
        try (Arena a = Arena.ofConfined()) {
            backend.launch("fs_amp_multiplier", 1, 1, new KernelArgs(a).pointer(at(SCALE)).pointer(at(TOTAL)).f64(maxNorm)
                    .pointer(gradMultiplier()).pointer(at(UNSCALED_NORM)));
        }
    }

    /** Queues the scale update (backoff on found-inf, growth after growthInterval finite steps): the end of a step. */
    public void queueUpdate() {
        try (Arena a = Arena.ofConfined()) {
            backend.launch("fs_amp_update_scale", 1, 1, new KernelArgs(a).pointer(at(SCALE)).pointer(at(GROWTH_TRACKER))
                    .pointer(foundInf()).f64(growthFactor).f64(backoffFactor).i32(growthInterval));
        }
    }

    /** Device address of the float32 gradient multiplier the step kernels read ({@code grad_scale}). */
    public MemorySegment gradMultiplier() {
        return at(MULTIPLIER);
    }

    /** Device address of the float32 found-inf flag the step kernels read (non-zero: skip). */
    public MemorySegment foundInf() {
        return at(FOUND_INF);
    }

    /** Device address of the float32 loss scale, for a kernel that scales the loss. */
    public MemorySegment lossScale() {
        return at(SCALE);
    }

    /** The current scale; waits for queued work. */
    public float readScale() {
        return read().get(JAVA_FLOAT, SCALE);
    }

    /** The current growth tracker; waits for queued work. */
    public int readGrowthTracker() {
        return read().get(JAVA_INT, GROWTH_TRACKER);
    }

    /** Whether the last queued norm pass found a non-finite gradient (the step was skipped); waits for queued work. */
    public boolean readSkipped() {
        return read().get(JAVA_FLOAT, FOUND_INF) != 0f;
    }

    /** The last norm pass's unscaled norm (GradScaler.lastNorm(); NaN before any); waits for queued work. */
    public double readUnscaledNorm() {
        return read().get(JAVA_DOUBLE, UNSCALED_NORM);
    }

    /**
     * Sets the scale and growth tracker from a checkpoint (checked as {@link GradScaler#load}), in
     * stream order, and waits for them to land.
     */
    public void restore(float scale, int growthTracker) {
        new GradScaler(GradScaler.DEFAULT_INIT_SCALE, growthFactor, backoffFactor, growthInterval).load(scale, growthTracker);
        write(scale, growthTracker);
    }

    /** Writes the whole block: scale, tracker, found_inf 0, multiplier 1/scale, total 0, unscaled norm NaN. */
    private void write(float scale, int growthTracker) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(BLOCK_BYTES, 8);
            host.set(JAVA_FLOAT, SCALE, scale);
            host.set(JAVA_INT, GROWTH_TRACKER, growthTracker);
            host.set(JAVA_FLOAT, FOUND_INF, 0f);
            host.set(JAVA_FLOAT, MULTIPLIER, (float) (1.0 / scale));
            host.set(JAVA_DOUBLE, TOTAL, 0.0);
            host.set(JAVA_DOUBLE, UNSCALED_NORM, Double.NaN);
            backend.copyAndWait(block, host, BLOCK_BYTES, CudaRuntime.cudaMemcpyHostToDevice);
        }
    }

    /** A heap copy of the block, after everything queued so far. */
    private MemorySegment read() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(BLOCK_BYTES, 8);
            backend.copyAndWait(host, block, BLOCK_BYTES, CudaRuntime.cudaMemcpyDeviceToHost);
            return MemorySegment.ofArray(host.toArray(JAVA_LONG));
        }
    }

    /** The partials buffer, grown (from the arena) to at least {@code chunks} doubles. */
    private MemorySegment partials(long chunks) {
        long needed = Math.max(1, chunks);
        if (needed > partialCapacity) {
            partials = arena.allocateBytes(8 * needed);
            partialCapacity = needed;
        }
        return partials;
    }

    private MemorySegment at(long offset) {
        return MemorySegment.ofAddress(block.address() + offset);
    }
}

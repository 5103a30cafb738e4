package dev.fusedstep.clip;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.cpu.NormKernel;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Gradient clipping with torch.nn.utils semantics: the global norm over many tensors
 * ({@link #totalNorm}), clipping by it ({@link #clipGradNorm}: coefficient
 * {@code min(1, max_norm / (total + 1e-6))}, in float32 as PyTorch computes it) and by value
 * ({@link #clipGradValue}).
 *
 * <p>The norm is deterministic: every tensor is cut into fixed chunks, each chunk's partial sum is
 * kept in double, and partials are added in chunk order, so the result has the same bits for any
 * thread count. It is also more accurate than PyTorch's float32 reduction. A non-finite
 * gradient makes the norm non-finite (infinity or NaN), which is how a loss scaler learns of it
 * (for L2, 1 and the max norm the converse holds too: a double never overflows on finite float32
 * gradients; a p-norm with a large p of huge gradients can).
 *
 * <p>Gradients may be F32, BF16 or F16, mixed freely: half values widen to float32 exactly for the
 * norm, and the in-place passes compute in float32 and write half values back rounded to
 * nearest-even. (PyTorch reduces half gradients in their own dtype; this is more accurate.)
 *
 * <p>Gradients may be on the CPU or on one CUDA device (all tensors of a call on the same one;
 * a mix is rejected, naming the tensor). On CUDA the same passes run as kernels: the norm agrees
 * with the CPU's to double rounding (the partial sums inside a chunk go in another order), the
 * coefficient and the in-place results have the CPU's bits for that norm (except that a scaled NaN
 * may come out as another NaN: the GPU's arithmetic makes canonical NaNs). Each call waits for its
 * kernels: the gradients are in place, and the norm returned, when it returns.
 */
public final class GradClipping {
    private GradClipping() {}

    /** The L2 norm: {@code normType} for {@link #totalNorm}. */
    public static final double L2 = 2.0;
    /** The max norm: {@code normType} for {@link #totalNorm}. */
    public static final double INF = Double.POSITIVE_INFINITY;

    /**
     * The {@code normType}-norm of all {@code grads} together (p > 0, or {@link #INF}). On CUDA
     * gradients this synchronizes: the host waits for the norm kernels to read the result.
     */
    public static double totalNorm(List<Tensor> grads, double normType) {
        return totalNorm(CpuBackend.shared(), grads, normType);
    }

    /**
     * Scales {@code grads} in place so that their total {@code normType}-norm is at most
     * {@code maxNorm}, as torch.nn.utils.clip_grad_norm_; returns the total norm before clipping.
     * On CUDA gradients the norm, the coefficient and the scaling all run on the device, and the
     * host reads the norm once, at the end.
     */
    public static double clipGradNorm(List<Tensor> grads, double maxNorm, double normType) {
        return clipGradNorm(CpuBackend.shared(), grads, maxNorm, normType);
    }

    /** Clamps every gradient element into {@code [-clipValue, clipValue]}, as torch.nn.utils.clip_grad_value_. */
    public static void clipGradValue(List<Tensor> grads, double clipValue) {
        if (!(clipValue >= 0) || Double.isInfinite(clipValue)) {
            throw new IllegalArgumentException("clip_value: got " + clipValue + ", expected a finite value >= 0");
        }
        CpuBackend backend = CpuBackend.shared();
        Device device = check(grads, true);
        float c = (float) clipValue;
        if (device.kind() == Device.Kind.CUDA) {
            ClippingOnDevice.clipGradValue(device, grads, c);
            return;
        }
        forEachChunk(backend, grads, (g, d, from, to) -> NormKernel.clamp(g, d, -c, c, from, to, backend.vectorized()));
    }

    static double totalNorm(CpuBackend backend, List<Tensor> grads, double normType) {
        requireNormType(normType);
        Device device = check(grads, false);
        if (device.kind() == Device.Kind.CUDA) {
            return ClippingOnDevice.totalNorm(device, grads, normType);
        }
        int[] firstChunk = new int[grads.size() + 1];
        for (int t = 0; t < grads.size(); t++) {
            firstChunk[t + 1] = firstChunk[t] + chunks(grads.get(t));
        }
        int count = firstChunk[grads.size()];
        if (PARTIALS.get().length < count) {
            PARTIALS.set(new double[count]);
        }
        double[] partial = PARTIALS.get();
        boolean vectorized = backend.vectorized();
        backend.pool().run(count, c -> partial[c] = chunkPartial(grads, firstChunk, c, normType, vectorized),
                parallel(backend, grads));
        if (normType == INF) {
            double max = 0;
            for (int c = 0; c < count; c++) {
                double p = partial[c];
                max = Double.isNaN(p) || Double.isNaN(max) ? Double.NaN : Math.max(max, p);
            }
            return max;
        }
        double sum = 0;
        for (int c = 0; c < count; c++) {
            sum += partial[c];
        }
        return normType == L2 ? Math.sqrt(sum) : Math.pow(sum, 1.0 / normType);
    }

    /** Chunk {@code c}'s partial: its max |g|, sum of squares or sum of |g|^p. */
    private static double chunkPartial(List<Tensor> grads, int[] firstChunk, int c, double normType, boolean vectorized) {
        int t = tensorOf(firstChunk, c);
        MemorySegment g = grads.get(t).segment();
        DType d = grads.get(t).dtype();
        long from = (long) (c - firstChunk[t]) * CpuBackend.CHUNK;
        long to = Math.min(from + CpuBackend.CHUNK, grads.get(t).numel());
        return normType == INF ? NormKernel.maxAbs(g, d, from, to, vectorized)
                : normType == L2 ? NormKernel.sumOfSquares(g, d, from, to, vectorized)
                : NormKernel.sumOfPowers(g, d, from, to, normType);
    }

    /** Each calling thread's partials, grown to the most chunks it has seen: a norm allocates no partials per call. */
    private static final ThreadLocal<double[]> PARTIALS = ThreadLocal.withInitial(() -> new double[0]);

    static double clipGradNorm(CpuBackend backend, List<Tensor> grads, double maxNorm, double normType) {
        requireMaxNorm(maxNorm);
        Device device = check(grads, true);
        if (device.kind() == Device.Kind.CUDA) {
            requireNormType(normType);
            return ClippingOnDevice.clipGradNorm(device, grads, maxNorm, normType);
        }
        double total = totalNorm(backend, grads, normType);
        float coefficient = clipCoefficient(maxNorm, total);
        if (coefficient != 1f) { // multiplying by exactly 1 changes nothing: skip the pass
            forEachChunk(backend, grads, (g, d, from, to) -> NormKernel.scale(g, d, coefficient, from, to, backend.vectorized()));
        }
        return total;
    }

    /** Rejects a {@code max_norm} that is not finite and positive (0 would zero every gradient: never meant). */
    public static void requireMaxNorm(double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("max_norm: got " + maxNorm + ", expected a finite value > 0");
        }
    }

    /** Rejects a {@code norm_type} that is not p > 0 or infinity. */
    public static void requireNormType(double normType) {
        if (!(normType > 0)) {
            throw new IllegalArgumentException("norm_type: got " + normType + ", expected p > 0 or infinity");
        }
    }

    /** PyTorch's float32 {@code clamp(max_norm / (total_norm + 1e-6), max=1)}; NaN for a NaN norm, 0 for an infinite one. */
    public static float clipCoefficient(double maxNorm, double totalNorm) {
        float c = (float) maxNorm / ((float) totalNorm + 1e-6f);
        return Float.isNaN(c) ? c : Math.min(c, 1f);
    }

    private interface ChunkWork {
        void run(MemorySegment g, DType d, long from, long to);
    }

    private static void forEachChunk(CpuBackend backend, List<Tensor> grads, ChunkWork work) {
        int[] firstChunk = new int[grads.size() + 1];
        for (int t = 0; t < grads.size(); t++) {
            firstChunk[t + 1] = firstChunk[t] + chunks(grads.get(t));
        }
        backend.pool().run(firstChunk[grads.size()], c -> {
            int t = tensorOf(firstChunk, c);
            long from = (long) (c - firstChunk[t]) * CpuBackend.CHUNK;
            work.run(grads.get(t).segment(), grads.get(t).dtype(), from, Math.min(from + CpuBackend.CHUNK, grads.get(t).numel()));
        }, parallel(backend, grads));
    }

    private static int chunks(Tensor t) {
        return (int) ((t.numel() + CpuBackend.CHUNK - 1) / CpuBackend.CHUNK);
    }

    /** The tensor owning chunk {@code c}: the last t with firstChunk[t] <= c (binary search). */
    private static int tensorOf(int[] firstChunk, int c) {
        int lo = 0, hi = firstChunk.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (firstChunk[mid] <= c) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Whether the workers may share the pass: every segment reachable by them, and enough elements to split. */
    private static boolean parallel(CpuBackend backend, List<Tensor> grads) {
        long elements = 0;
        for (Tensor g : grads) {
            elements += g.numel();
        }
        if (elements < CpuBackend.MIN_PARALLEL_ELEMENTS) {
            return false;
        }
        for (Tensor g : grads) {
            if (!backend.pool().shareable(g.segment())) {
                return false;
            }
        }
        return true;
    }

    /** Checks every gradient (and, when {@code written}, that none overlaps another); returns their one device. */
    private static Device check(List<Tensor> grads, boolean written) {
        if (grads == null) {
            throw new IllegalArgumentException("grads: got null, expected a list of tensors");
        }
        String[] names = new String[grads.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = "grads[" + i + "]";
        }
        Device device = TensorChecks.requireOneDevice(names, grads.toArray(Tensor[]::new));
        for (int i = 0; i < grads.size(); i++) {
            TensorChecks.requireUsableOn(names[i], grads.get(i), device, names[0], DType.F32, DType.BF16, DType.F16);
            if (written) {
                TensorChecks.requireWritable(names[i], grads.get(i));
            }
        }
        if (written) {
            List<TensorChecks.Buffer> buffers = new java.util.ArrayList<>();
            for (int i = 0; i < grads.size(); i++) {
                buffers.add(new TensorChecks.Buffer(names[i], grads.get(i).segment(), true));
            }
            TensorChecks.requireNoOverlap(buffers);
        }
        return device;
    }
}

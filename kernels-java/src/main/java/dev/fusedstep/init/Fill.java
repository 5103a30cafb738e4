package dev.fusedstep.init;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.CastKernel;
import dev.fusedstep.internal.cpu.CpuBackend;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs a {@link Samplers.ChunkSource} over a tensor in fixed chunks of {@link CpuBackend#CHUNK}
 * elements on the backend's workers: each chunk is generated in float32 into a per-thread buffer
 * and stored, rounded to the tensor's dtype with the casts' round-to-nearest-even. Values depend
 * only on the element index, so the result is the same for any thread count.
 */
final class Fill {
    private Fill() {}

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CpuBackend.CHUNK]);

    /** The checks every initializer runs on its target (on the CPU or a CUDA device) before writing anything. */
    static void requireTarget(Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException("tensor: got null, expected a tensor");
        }
        if (t.dtype() != DType.F32 && t.dtype() != DType.BF16 && t.dtype() != DType.F16) {
            throw new IllegalArgumentException("tensor: got dtype " + t.dtype() + ", expected F32, BF16 or F16");
        }
        TensorChecks.requireAlive("tensor", t.segment());
        TensorChecks.requireWritable("tensor", t);
    }

    static void run(CpuBackend backend, Tensor t, Samplers.ChunkSource source) {
        if (t.device().kind() != Device.Kind.CPU) {  // a device address written from the host would crash the JVM
            throw new IllegalStateException("tensor: on " + t.device() + ", expected cpu for the CPU fill (Init dispatches"
                    + " device tensors to the CUDA kernels)");
        }
        long n = t.numel();
        MemorySegment segment = t.segment();
        DType dtype = t.dtype();
        boolean vectorized = backend.vectorized();
        Samplers.SegmentSource twin = vectorized ? source.vectorTwin() : null;
        int chunks = Math.toIntExact((n + CpuBackend.CHUNK - 1) / CpuBackend.CHUNK);
        backend.pool().run(chunks, c -> {
            long from = (long) c * CpuBackend.CHUNK;
            int len = (int) Math.min(CpuBackend.CHUNK, n - from);
            if (twin != null) {
                vectorChunk(twin, segment, dtype, from, len);
                return;
            }
            float[] buffer = SCRATCH.get();
            source.generate(from, buffer, len);
            store(buffer, len, segment, dtype, from, vectorized);
        }, backend.pool().shareable(segment));
    }

    /** Floats per cast step of a half tensor: the scratch slice stays in L1 between generation and cast. */
    private static final int HALF_STEP = 2048;

    /**
     * The vector path's scratch for half tensors: native, like the tensors it usually sits
     * beside. The Vector API's segment stores profile the segment class inside the JDK, shared
     * by every caller; a heap scratch next to native tensors was measured to make those stores
     * 3-4x slower (a virtual call per store).
     */
    private static final ThreadLocal<MemorySegment> NATIVE_SCRATCH =
            ThreadLocal.withInitial(() -> java.lang.foreign.Arena.ofAuto().allocate((long) HALF_STEP * 4, 64));

    /**
     * The vector path: float32 tensors get the values written in place (no scratch copy); half
     * tensors get them through an L1-sized slice of the scratch and the vector cast.
     */
    private static void vectorChunk(Samplers.SegmentSource twin, MemorySegment dst, DType dtype, long from, int len) {
        if (dtype == DType.F32) {
            twin.generate(from, dst.asSlice(from * 4, (long) len * 4), len);
            return;
        }
        CastKernel cast = CastKernel.between(DType.F32, dtype);
        MemorySegment scratch = NATIVE_SCRATCH.get();
        for (int at = 0; at < len; at += HALF_STEP) {
            int count = Math.min(HALF_STEP, len - at);
            twin.generate(from + at, scratch, count);
            cast.vector(scratch, dst.asSlice((from + at) * 2, (long) count * 2), 0, count);
        }
    }

    private static void store(float[] values, int len, MemorySegment dst, DType dtype, long from, boolean vectorized) {
        if (dtype == DType.F32) {
            MemorySegment.copy(values, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED, from * 4, len);
            return;
        }
        CastKernel cast = CastKernel.between(DType.F32, dtype);
        MemorySegment src = MemorySegment.ofArray(values);
        MemorySegment out = dst.asSlice(from * 2, (long) len * 2);
        if (vectorized) {
            cast.vector(src, out, 0, len);
        } else {
            cast.scalar(src, out, 0, len);
        }
    }
}

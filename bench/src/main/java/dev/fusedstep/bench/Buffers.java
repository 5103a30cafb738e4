package dev.fusedstep.bench;

import dev.fusedstep.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Native buffers for the benchmarks: 64-byte aligned and placed at chosen residues
 * modulo 4096, so that no two buffers a kernel streams through start at the same page offset.
 * Buffers sharing a page offset make loads wait on unrelated earlier stores (4K aliasing),
 * which would measure the placement, not the kernel.
 */
final class Buffers {
    private Buffers() {}

    static final long PAGE = 4096;

    /**
     * Page residues the benchmarks give param and grad. The Optimizer's own StateStagger then
     * puts exp_avg at 1024 and exp_avg_sq at 3072 (the residues farthest from these), and
     * the probes use those same residues for their state buffers.
     */
    static final long PARAM = 0, GRAD = 2048, STATE0 = 1024, STATE1 = 3072;

    /**
     * Where the probes put a master copy: the Optimizer's StateStagger gives the master 1024 and
     * the states 3072 and 512, after param 0 and grad 2048. The probes use the same three.
     */
    static final long MASTER = 1024, MASTER_STATE0 = 3072, MASTER_STATE1 = 512;

    /** {@code n} floats at {@code residue} modulo 4096, zero-filled. */
    static MemorySegment floats(Arena arena, long n, long residue) {
        return of(arena, n, DType.F32, residue);
    }

    /** {@code n} elements of {@code dtype} at {@code residue} modulo 4096, zero-filled. */
    static MemorySegment of(Arena arena, long n, DType dtype, long residue) {
        if (residue % 64 != 0 || residue < 0 || residue >= PAGE) {
            throw new IllegalArgumentException("residue: got " + residue + ", expected a multiple of 64 in [0, 4096)");
        }
        long bytes = n * dtype.byteSize();
        return arena.allocate(bytes + PAGE, PAGE).asSlice(residue, bytes);
    }

    /** Fills {@code s} with uniform values in [lo, hi) from a fixed seed (same data in every fork). */
    static void fill(MemorySegment s, long seed, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = s.byteSize() / Float.BYTES;
        for (long i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, lo + (hi - lo) * (float) r.nextDouble());
        }
    }

    /**
     * Fills {@code s}, holding {@code dtype} elements, with {@link #fill}'s values rounded to
     * {@code dtype}. Scalar on purpose: calling the library's Vector API cast here would run
     * short-vector code in the benchmark JVM before the probe, and such earlier use of other
     * vector shapes has been measured to make the half probes ~100x slower (type-profile
     * pollution inside the Vector API, see bench/README.md).
     */
    static void fill(MemorySegment s, DType dtype, long seed, float lo, float hi) {
        if (dtype == DType.F32) {
            fill(s, seed, lo, hi);
            return;
        }
        SplittableRandom r = new SplittableRandom(seed);
        long n = s.byteSize() / dtype.byteSize();
        for (long i = 0; i < n; i++) {
            float x = lo + (hi - lo) * (float) r.nextDouble();
            short bits = dtype == DType.F16 ? Float.floatToFloat16(x) : bf16(x);
            s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, bits);
        }
    }

    /** Round-to-nearest-even bfloat16 bits of a finite float. */
    private static short bf16(float x) {
        int b = Float.floatToRawIntBits(x);
        return (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
    }

    /** Same values as {@link #fill} on the heap. */
    static float[] array(int n, long seed, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + (hi - lo) * (float) r.nextDouble();
        }
        return a;
    }
}

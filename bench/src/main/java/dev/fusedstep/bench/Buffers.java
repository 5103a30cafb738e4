package dev.fusedstep.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Native float32 buffers for the benchmarks: 64-byte aligned and placed at chosen residues
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

    /** {@code n} floats at {@code residue} modulo 4096, zero-filled. */
    static MemorySegment floats(Arena arena, long n, long residue) {
        if (residue % 64 != 0 || residue < 0 || residue >= PAGE) {
            throw new IllegalArgumentException("residue: got " + residue + ", expected a multiple of 64 in [0, 4096)");
        }
        long bytes = n * Float.BYTES;
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

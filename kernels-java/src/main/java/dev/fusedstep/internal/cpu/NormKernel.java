package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;

import dev.fusedstep.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Read-only reductions over gradients (F32, BF16 or F16) for norms and clipping: per chunk, a
 * partial sum of squares or of {@code |g|^p} in double, or a maximum of {@code |g|}. Half values
 * widen to float32 exactly, so a half gradient's partials are those of its float32 values.
 * Callers combine the partials of fixed chunks in chunk order, so a norm has the same bits for
 * any thread count. A NaN or an infinity anywhere propagates into the partial (the loss scaler
 * relies on that); a finite float32 squared never overflows a double, so for L2 a non-finite
 * partial means a non-finite element.
 *
 * <p>The in-place passes ({@link #scale}, {@link #clamp}) compute in float32 and write half
 * gradients back rounded to nearest-even.
 */
public final class NormKernel {
    private NormKernel() {}

    /** Sum of g*g over {@code [from, to)}, in double. */
    public static double sumOfSquares(MemorySegment g, DType d, long from, long to, boolean vectorized) {
        if (vectorized) {
            return Vectorized.sumOfSquares(g, d, from, to);
        }
        return scalarSumOfSquares(g, d, from, to, 0);
    }

    private static double scalarSumOfSquares(MemorySegment g, DType d, long from, long to, double acc) {
        for (long i = from; i < to; i++) {
            double x = Storage.load(g, d, i);
            acc = Math.fma(x, x, acc);
        }
        return acc;
    }

    /** Max of |g| over {@code [from, to)}; NaN if any element is NaN. */
    public static double maxAbs(MemorySegment g, DType d, long from, long to, boolean vectorized) {
        return vectorized ? Vectorized.maxAbs(g, d, from, to) : scalarMaxAbs(g, d, from, to, 0f);
    }

    private static float scalarMaxAbs(MemorySegment g, DType d, long from, long to, float max) {
        for (long i = from; i < to; i++) {
            max = Math.max(max, Math.abs(Storage.load(g, d, i)));
        }
        return max;
    }

    /** Sum of |g|^p over {@code [from, to)} in double (p = 1 without pow). Scalar: rare norms need no vector loop. */
    public static double sumOfPowers(MemorySegment g, DType d, long from, long to, double p) {
        double acc = 0;
        if (p == 1) {
            for (long i = from; i < to; i++) {
                acc += Math.abs(Storage.load(g, d, i));
            }
        } else {
            for (long i = from; i < to; i++) {
                acc += Math.pow(Math.abs(Storage.load(g, d, i)), p);
            }
        }
        return acc;
    }

    /**
     * g = g * scale over {@code [from, to)}: a float32 multiply (as PyTorch's mul_ by a float32
     * coefficient), rounded to nearest-even for half gradients.
     */
    public static void scale(MemorySegment g, DType d, float scale, long from, long to, boolean vectorized) {
        long i = from;
        if (vectorized) {
            i = Vectorized.scale(g, d, scale, from, to);
        }
        for (; i < to; i++) {
            Storage.store(g, d, i, Storage.load(g, d, i) * scale);
        }
    }

    /**
     * g = min(max(g, lo), hi) over {@code [from, to)}; NaN stays NaN, as torch.clamp does. For half
     * gradients the result is rounded to nearest-even, which gives PyTorch's clamp against the
     * bounds rounded to the gradient's dtype: no half value lies strictly between a bound and its
     * nearest half.
     */
    public static void clamp(MemorySegment g, DType d, float lo, float hi, long from, long to, boolean vectorized) {
        long i = from;
        if (vectorized) {
            i = Vectorized.clamp(g, d, lo, hi, from, to);
        }
        for (; i < to; i++) {
            Storage.store(g, d, i, Math.min(Math.max(Storage.load(g, d, i), lo), hi));
        }
    }

    private static final class Vectorized {
        private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorShape.forBitSize(F.vectorBitSize()));

        /**
         * Elements per block: a half gradient's block is widened into 16 KiB of scratch that stays
         * in L1. Blocks of 1024 were measured 2x slower on BF16 at 16M (the widening pass stalls on
         * memory between short sum passes); 4096 runs as fast as a loop that widens in registers.
         */
        private static final int BLOCK = 4096;
        /** Elements per iteration of the block loops: two vectors. */
        private static final int STEP = 2 * F.length();
        /** Native, like the gradients beside it (a heap scratch makes the JDK's segment accesses virtual calls). */
        private static final ThreadLocal<MemorySegment> SCRATCH =
                ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(BLOCK * (long) Float.BYTES, 64));

        /**
         * Blocks of {@link #BLOCK} elements from {@code from}, each summed by {@link #squares},
         * the block sums added in order, then the scalar tail: the order depends on {@code from}
         * alone, so a chunk's partial has the same bits whoever computes it. Half blocks are
         * widened (exactly) into scratch first, so a half gradient's partial is that of its
         * float32 values, and the one sum loop only ever sees float32: a loop that loads every
         * dtype itself was measured 5x slower on BF16 once it had run on F32 in the same JVM
         * (C2 recompiled it with both paths and boxed the vectors).
         */
        static double sumOfSquares(MemorySegment g, DType d, long from, long to) {
            long end = from + (to - from) / STEP * STEP;
            MemorySegment scratch = d == DType.F32 ? null : SCRATCH.get();
            double sum = 0;
            for (long at = from; at < end; at += BLOCK) {
                long n = Math.min(BLOCK, end - at);
                sum += d == DType.F32 ? squares(g, at * Float.BYTES, n) : squares(widen(g, d, at, n, scratch), 0, n);
            }
            return scalarSumOfSquares(g, d, end, to, sum);
        }

        /** Max of |g| by the blocks of {@link #sumOfSquares}; a maximum is exact, so any order gives the same bits. */
        static float maxAbs(MemorySegment g, DType d, long from, long to) {
            long end = from + (to - from) / STEP * STEP;
            MemorySegment scratch = d == DType.F32 ? null : SCRATCH.get();
            float max = 0f;
            for (long at = from; at < end; at += BLOCK) {
                long n = Math.min(BLOCK, end - at);
                max = Math.max(max, d == DType.F32 ? maxAbs(g, at * Float.BYTES, n)
                        : maxAbs(widen(g, d, at, n, scratch), 0, n));
            }
            return scalarMaxAbs(g, d, end, to, max);
        }

        /** Elements {@code [at, at + n)} of half gradient {@code g} widened into {@code scratch} from byte 0. */
        private static MemorySegment widen(MemorySegment g, DType d, long at, long n, MemorySegment scratch) {
            if (d == DType.BF16) {
                VectorCasts.bf16ToF32(g, at, scratch, 0, n);
            } else {
                VectorCasts.f16ToF32(g, at, scratch, 0, n);
            }
            return scratch;
        }

        /**
         * Sum of squares of {@code n} float32 elements ({@code n} a multiple of {@link #STEP}) from
         * byte {@code offset} of {@code s}, in four independent chains: two vectors per iteration,
         * each widened into a low and a high half of doubles with an accumulator of its own. One
         * chain per half (as before) left the loop bound by the add latency, not by loads. A float
         * squared is exact in double, so fma(x, x, acc) rounds once, like the scalar loop's fma.
         * The chains meet pairwise and their lanes are added in lane order ({@code reduceLanes}
         * leaves its order to the implementation, which may change it between compilations).
         */
        private static double squares(MemorySegment s, long offset, long n) {
            DoubleVector lo0 = DoubleVector.zero(D), hi0 = lo0, lo1 = lo0, hi1 = lo0;
            long bytes = n * Float.BYTES, stride = F.vectorByteSize();
            for (long o = offset; o < offset + bytes; o += 2 * stride) {
                FloatVector x = FloatVector.fromMemorySegment(F, s, o, Lanes.LE);
                FloatVector y = FloatVector.fromMemorySegment(F, s, o + stride, Lanes.LE);
                DoubleVector xl = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 0);
                DoubleVector xh = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 1);
                DoubleVector yl = (DoubleVector) y.convertShape(VectorOperators.F2D, D, 0);
                DoubleVector yh = (DoubleVector) y.convertShape(VectorOperators.F2D, D, 1);
                lo0 = xl.fma(xl, lo0);
                hi0 = xh.fma(xh, hi0);
                lo1 = yl.fma(yl, lo1);
                hi1 = yh.fma(yh, hi1);
            }
            DoubleVector v = lo0.add(hi0).add(lo1.add(hi1));
            double sum = 0;
            for (int k = 0; k < D.length(); k++) {
                sum += v.lane(k);
            }
            return sum;
        }

        /** Max of |x| over {@code n} float32 elements from byte {@code offset} of {@code s}, two chains; NaN if any is. */
        private static float maxAbs(MemorySegment s, long offset, long n) {
            FloatVector max0 = FloatVector.zero(F), max1 = max0;
            long bytes = n * Float.BYTES, stride = F.vectorByteSize();
            for (long o = offset; o < offset + bytes; o += 2 * stride) {
                max0 = max0.max(FloatVector.fromMemorySegment(F, s, o, Lanes.LE).abs());
                max1 = max1.max(FloatVector.fromMemorySegment(F, s, o + stride, Lanes.LE).abs());
            }
            return max0.max(max1).reduceLanes(VectorOperators.MAX);
        }

        static long scale(MemorySegment g, DType d, float scale, long from, long to) {
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                VectorStorage.store(g, d, i, VectorStorage.load(g, d, i).mul(scale));
            }
            return i;
        }

        static long clamp(MemorySegment g, DType d, float lo, float hi, long from, long to) {
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                VectorStorage.store(g, d, i, VectorStorage.load(g, d, i).max(lo).min(hi));
            }
            return i;
        }
    }
}

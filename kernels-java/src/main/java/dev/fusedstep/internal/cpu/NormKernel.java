package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;

import dev.fusedstep.DType;
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

        static double sumOfSquares(MemorySegment g, DType d, long from, long to) {
            DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector x = VectorStorage.load(g, d, i);
                DoubleVector a = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 0);
                DoubleVector b = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 1);
                // A float squared is exact in double, so mul + add rounds once, as the scalar fma
                // does: the same bits, and the add's shorter latency bounds this dependent chain.
                lo = a.mul(a).add(lo);
                hi = b.mul(b).add(hi);
            }
            return scalarSumOfSquares(g, d, i, to, lo.add(hi).reduceLanes(VectorOperators.ADD));
        }

        static float maxAbs(MemorySegment g, DType d, long from, long to) {
            FloatVector max = FloatVector.zero(F);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                max = max.max(VectorStorage.load(g, d, i).abs());
            }
            return scalarMaxAbs(g, d, i, to, max.reduceLanes(VectorOperators.MAX));
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

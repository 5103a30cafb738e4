package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.Lanes.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Read-only reductions over float32 gradients for norms and clipping: per chunk, a partial
 * sum of squares or of {@code |g|^p} in double, or a maximum of {@code |g|}. Callers combine the
 * partials of fixed chunks in chunk order, so a norm has the same bits for any thread count.
 * A NaN or an infinity anywhere propagates into the partial (the loss scaler relies on that).
 */
public final class NormKernel {
    private NormKernel() {}

    /** Sum of g*g over {@code [from, to)}, in double. */
    public static double sumOfSquares(MemorySegment g, long from, long to, boolean vectorized) {
        if (vectorized) {
            return Vectorized.sumOfSquares(g, from, to);
        }
        double acc = 0;
        for (long i = from; i < to; i++) {
            double x = F32.get(g, i);
            acc = Math.fma(x, x, acc);
        }
        return acc;
    }

    /** Max of |g| over {@code [from, to)}; NaN if any element is NaN. */
    public static double maxAbs(MemorySegment g, long from, long to, boolean vectorized) {
        return vectorized ? Vectorized.maxAbs(g, from, to) : scalarMaxAbs(g, from, to, 0f);
    }

    private static float scalarMaxAbs(MemorySegment g, long from, long to, float max) {
        for (long i = from; i < to; i++) {
            max = Math.max(max, Math.abs(F32.get(g, i)));
        }
        return max;
    }

    /** Sum of |g|^p over {@code [from, to)} in double (p = 1 without pow). Scalar: rare norms need no vector loop. */
    public static double sumOfPowers(MemorySegment g, long from, long to, double p) {
        double acc = 0;
        if (p == 1) {
            for (long i = from; i < to; i++) {
                acc += Math.abs(F32.get(g, i));
            }
        } else {
            for (long i = from; i < to; i++) {
                acc += Math.pow(Math.abs(F32.get(g, i)), p);
            }
        }
        return acc;
    }

    /** g = g * scale over {@code [from, to)} (float32 multiply, as PyTorch's mul_ by a float32 coefficient). */
    public static void scale(MemorySegment g, float scale, long from, long to, boolean vectorized) {
        long i = from;
        if (vectorized) {
            i = Vectorized.scale(g, scale, from, to);
        }
        for (; i < to; i++) {
            F32.set(g, i, F32.get(g, i) * scale);
        }
    }

    /** g = min(max(g, lo), hi) over {@code [from, to)}; NaN stays NaN, as torch.clamp does. */
    public static void clamp(MemorySegment g, float lo, float hi, long from, long to, boolean vectorized) {
        long i = from;
        if (vectorized) {
            i = Vectorized.clamp(g, lo, hi, from, to);
        }
        for (; i < to; i++) {
            F32.set(g, i, Math.min(Math.max(F32.get(g, i), lo), hi));
        }
    }

    private static final class Vectorized {
        private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorShape.forBitSize(F.vectorBitSize()));

        static double sumOfSquares(MemorySegment g, long from, long to) {
            DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector x = FloatVector.fromMemorySegment(F, g, i * 4, LE);
                DoubleVector a = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 0);
                DoubleVector b = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 1);
                lo = a.fma(a, lo);
                hi = b.fma(b, hi);
            }
            double acc = lo.add(hi).reduceLanes(VectorOperators.ADD);
            for (; i < to; i++) {
                double x = F32.get(g, i);
                acc = Math.fma(x, x, acc);
            }
            return acc;
        }

        static float maxAbs(MemorySegment g, long from, long to) {
            FloatVector max = FloatVector.zero(F);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                max = max.max(FloatVector.fromMemorySegment(F, g, i * 4, LE).abs());
            }
            return scalarMaxAbs(g, i, to, max.reduceLanes(VectorOperators.MAX));
        }

        static long scale(MemorySegment g, float scale, long from, long to) {
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector.fromMemorySegment(F, g, i * 4, LE).mul(scale).intoMemorySegment(g, i * 4, LE);
            }
            return i;
        }

        static long clamp(MemorySegment g, float lo, float hi, long from, long to) {
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector.fromMemorySegment(F, g, i * 4, LE).max(lo).min(hi).intoMemorySegment(g, i * 4, LE);
            }
            return i;
        }
    }
}

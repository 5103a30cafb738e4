package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

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
        if (!vectorized) {
            return scalarSumOfSquares(g, d, from, to, 0);
        }
        return NativeSegments.castable(g)
                ? Vectorized.sumOfSquares(g, d, from, to)
                : Vectorized.sumOfSquares(nativeCopy(g, d, from, to), d, 0, to - from);
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
        if (!vectorized) {
            return scalarMaxAbs(g, d, from, to, 0f);
        }
        return NativeSegments.castable(g)
                ? Vectorized.maxAbs(g, d, from, to)
                : Vectorized.maxAbs(nativeCopy(g, d, from, to), d, 0, to - from);
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
        if (vectorized && NativeSegments.castable(g)) {
            i = Vectorized.scale(g, d, scale, from, to);
        } else if (vectorized) {
            MemorySegment copy = nativeCopy(g, d, from, to);
            i = from + Vectorized.scale(copy, d, scale, 0, to - from);
            MemorySegment.copy(copy, 0, g, from * d.byteSize(), (i - from) * d.byteSize());
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
        if (vectorized && NativeSegments.castable(g)) {
            i = Vectorized.clamp(g, d, lo, hi, from, to);
        } else if (vectorized) {
            MemorySegment copy = nativeCopy(g, d, from, to);
            i = from + Vectorized.clamp(copy, d, lo, hi, 0, to - from);
            MemorySegment.copy(copy, 0, g, from * d.byteSize(), (i - from) * d.byteSize());
        }
        for (; i < to; i++) {
            Storage.store(g, d, i, Math.min(Math.max(Storage.load(g, d, i), lo), hi));
        }
    }

    /**
     * This thread's native copy of elements {@code [from, to)} of heap segment {@code g}, for the
     * vector loops, which take native segments only ({@link NativeSegments}). The loops run over
     * the copy from element 0: the same lanes meet the same elements, so the bits are those of a
     * native tensor.
     */
    private static MemorySegment nativeCopy(MemorySegment g, DType d, long from, long to) {
        long bytes = (to - from) * d.byteSize();
        MemorySegment copy = NativeSegments.scratch(0, bytes);
        MemorySegment.copy(g, from * d.byteSize(), copy, 0, bytes);
        return copy;
    }

    private static final class Vectorized {
        private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorShape.forBitSize(F.vectorBitSize()));
        /** Floats with as many lanes as {@link #D}. */
        private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

        // One loop per dtype, each loading its dtype directly. The shared VectorStorage.load,
        // once hot with two dtypes, compiles too big to inline, and a vector returned from a call
        // is boxed: BF16 at 64K ran at 0.41 ns per element after the same JVM had run the F32
        // norm, against 0.068 alone; with these loops, 0.069 either way.

        static double sumOfSquares(MemorySegment g, DType d, long from, long to) {
            return switch (d) {
                case F32 -> sumOfSquaresF32(g, from, to);
                case BF16 -> sumOfSquaresBf16(g, from, to);
                default -> sumOfSquaresF16(g, from, to);
            };
        }

        private static double sumOfSquaresF32(MemorySegment g, long from, long to) {
            g = NATIVE.cast(g);
            DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
            long i = from;
            long half = (long) HALF.vectorByteSize();
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                // two half-width loads, each widened whole: the loads fold into the conversions
                // (one instruction fewer per vector than splitting a full load), the same lanes
                // in the same chains. 16M: 0.093-0.097 ns/element against 0.097-0.104 (CPU time).
                lo = addSquaresOfHalf(FloatVector.fromMemorySegment(HALF, g, i * 4, Lanes.LE), lo);
                hi = addSquaresOfHalf(FloatVector.fromMemorySegment(HALF, g, i * 4 + half, Lanes.LE), hi);
            }
            return scalarSumOfSquares(g, DType.F32, i, to, sumInLaneOrder(lo.add(hi)));
        }

        private static double sumOfSquaresBf16(MemorySegment g, long from, long to) {
            g = NATIVE.cast(g);
            DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector x = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(g, i));
                lo = addSquares(x, 0, lo);
                hi = addSquares(x, 1, hi);
            }
            return scalarSumOfSquares(g, DType.BF16, i, to, sumInLaneOrder(lo.add(hi)));
        }

        private static double sumOfSquaresF16(MemorySegment g, long from, long to) {
            g = NATIVE.cast(g);
            DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector x = VectorStorage.f16ToFloat(VectorStorage.loadHalves(g, i));
                lo = addSquares(x, 0, lo);
                hi = addSquares(x, 1, hi);
            }
            return scalarSumOfSquares(g, DType.F16, i, to, sumInLaneOrder(lo.add(hi)));
        }

        /**
         * The lanes' sum, first lane first. reduceLanes(ADD) leaves the order of a floating-point
         * sum unspecified, and its bits were seen to change with the JIT tier running it: a norm
         * must have the same bits on every call.
         */
        private static double sumInLaneOrder(DoubleVector v) {
            double sum = 0;
            for (int lane = 0; lane < v.length(); lane++) {
                sum += v.lane(lane);
            }
            return sum;
        }

        /** {@code acc + x*x} over half {@code part} of {@code x}'s lanes, widened to double. */
        private static DoubleVector addSquares(FloatVector x, int part, DoubleVector acc) {
            DoubleVector w = (DoubleVector) x.convertShape(VectorOperators.F2D, D, part);
            // A float squared is exact in double, so this fma rounds once, as the scalar fma does.
            // mul + add gives the same bits with a shorter chain latency, but at 16M it ran at
            // 0.26 ns/element against 0.10 for the fma (thread CPU time): fewer operations per
            // element let more loads be in flight.
            return w.fma(w, acc);
        }

        /**
         * {@link #addSquares} of a {@link #HALF}-width vector: its own method, so that the
         * conversion call site sees one vector class (a site that saw two would be inlined
         * behind a type check, one more way to a boxed vector).
         */
        private static DoubleVector addSquaresOfHalf(FloatVector x, DoubleVector acc) {
            DoubleVector w = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 0);
            return w.fma(w, acc);
        }

        static float maxAbs(MemorySegment g, DType d, long from, long to) {
            return switch (d) {
                case F32 -> maxAbsF32(g, from, to);
                case BF16 -> maxAbsBf16(g, from, to);
                default -> maxAbsF16(g, from, to);
            };
        }

        private static float maxAbsF32(MemorySegment g, long from, long to) {
            g = NATIVE.cast(g);
            FloatVector max = FloatVector.zero(F);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                max = max.max(FloatVector.fromMemorySegment(F, g, i * 4, Lanes.LE).abs());
            }
            return scalarMaxAbs(g, DType.F32, i, to, max.reduceLanes(VectorOperators.MAX));
        }

        private static float maxAbsBf16(MemorySegment g, long from, long to) {
            g = NATIVE.cast(g);
            FloatVector max = FloatVector.zero(F);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                max = max.max(VectorStorage.bf16ToFloat(VectorStorage.loadHalves(g, i)).abs());
            }
            return scalarMaxAbs(g, DType.BF16, i, to, max.reduceLanes(VectorOperators.MAX));
        }

        private static float maxAbsF16(MemorySegment g, long from, long to) {
            g = NATIVE.cast(g);
            FloatVector max = FloatVector.zero(F);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                max = max.max(VectorStorage.f16ToFloat(VectorStorage.loadHalves(g, i)).abs());
            }
            return scalarMaxAbs(g, DType.F16, i, to, max.reduceLanes(VectorOperators.MAX));
        }

        // scale and clamp read and write in place, one loop per dtype for the same reason.

        static long scale(MemorySegment g, DType d, float scale, long from, long to) {
            return switch (d) {
                case F32 -> scaleF32(g, scale, from, to);
                case BF16 -> scaleBf16(g, scale, from, to);
                default -> scaleF16(g, scale, from, to);
            };
        }

        private static long scaleF32(MemorySegment g, float scale, long from, long to) {
            g = NATIVE.cast(g);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector.fromMemorySegment(F, g, i * 4, Lanes.LE).mul(scale).intoMemorySegment(g, i * 4, Lanes.LE);
            }
            return i;
        }

        private static long scaleBf16(MemorySegment g, float scale, long from, long to) {
            g = NATIVE.cast(g);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector x = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(g, i));
                VectorStorage.storeHalves(VectorStorage.floatToBf16(x.mul(scale)), g, i);
            }
            return i;
        }

        private static long scaleF16(MemorySegment g, float scale, long from, long to) {
            g = NATIVE.cast(g);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector x = VectorStorage.f16ToFloat(VectorStorage.loadHalves(g, i));
                VectorStorage.storeHalves(VectorStorage.floatToF16(x.mul(scale)), g, i);
            }
            return i;
        }

        static long clamp(MemorySegment g, DType d, float lo, float hi, long from, long to) {
            return switch (d) {
                case F32 -> clampF32(g, lo, hi, from, to);
                case BF16 -> clampBf16(g, lo, hi, from, to);
                default -> clampF16(g, lo, hi, from, to);
            };
        }

        private static long clampF32(MemorySegment g, float lo, float hi, long from, long to) {
            g = NATIVE.cast(g);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector.fromMemorySegment(F, g, i * 4, Lanes.LE).max(lo).min(hi).intoMemorySegment(g, i * 4, Lanes.LE);
            }
            return i;
        }

        private static long clampBf16(MemorySegment g, float lo, float hi, long from, long to) {
            g = NATIVE.cast(g);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector x = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(g, i));
                VectorStorage.storeHalves(VectorStorage.floatToBf16(x.max(lo).min(hi)), g, i);
            }
            return i;
        }

        private static long clampF16(MemorySegment g, float lo, float hi, long from, long to) {
            g = NATIVE.cast(g);
            long i = from;
            for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector x = VectorStorage.f16ToFloat(VectorStorage.loadHalves(g, i));
                VectorStorage.storeHalves(VectorStorage.floatToF16(x.max(lo).min(hi)), g, i);
            }
            return i;
        }
    }
}

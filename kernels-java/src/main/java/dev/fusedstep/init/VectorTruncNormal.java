package dev.fusedstep.init;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The truncated normal's math lane-wise ({@link FdlibmLog}, {@link NormalQuantile} and
 * {@link Samplers.Truncation#value}), the same bits: each lane takes its case's operations in
 * the scalar order (fma exactly where the scalar calls {@code Math.fma}); where the cases of a
 * vector's lanes differ, each is computed for every lane and the lane's own blended in. The
 * tail elements (|v| > 0.85) are compressed into a dense array first, so the log, the square
 * root and the tail rationals run on them alone. Loaded only when the Vector API is in use.
 *
 * <p>Each pass is one method over arrays with its math written in the loop, no helper methods:
 * a helper that C2 compiles on its own first (it is hot before the loop around it is) becomes
 * "already compiled into a big method", is not inlined, and passes boxed vectors (measured: 72 B
 * allocated and 5-30 ns per element); a helper over 325 bytes of bytecode is not inlined either.
 */
final class VectorTruncNormal {
    private VectorTruncNormal() {}

    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED.withShape(VectorPhilox.L.vectorShape());
    private static final VectorSpecies<Long> L = VectorPhilox.L;
    /** As many float lanes as {@link #D} has doubles: the values rounded to float. */
    private static final VectorSpecies<Float> F_HALF =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * {@code out[i] = FdlibmLog.log(m[i])} for {@code i < count} (a multiple of {@link #D}'s
     * length; {@code out} may be {@code m}): the Taylor start and both forms of the main case
     * for every lane, blended by the scalar tests. Every lane, tail or not: skipping vectors
     * without a tail lane (39% of them for bounds at +-2 std) measured no faster (the branch is
     * unpredictable).
     */
    static void logs(double[] m, double[] out, int count) {
        DoubleVector half = DoubleVector.broadcast(D, 0.5), two = DoubleVector.broadcast(D, 2.0);
        LongVector bandHigh = LongVector.broadcast(L, 0x6b851);
        for (int i = 0; i < count; i += D.length()) {
            LongVector bits = DoubleVector.fromArray(D, m, i).reinterpretAsLongs();
            LongVector hx = bits.lanewise(VectorOperators.LSHR, 32); // the high word; x > 0, so no sign
            LongVector k = hx.lanewise(VectorOperators.ASHR, 20).sub(1023);
            hx = hx.and(0x000fffff);
            LongVector i0 = hx.add(0x95f64).and(0x100000);
            DoubleVector reduced = hx.or(i0.lanewise(VectorOperators.XOR, 0x3ff00000)).lanewise(VectorOperators.LSHL, 32)
                    .or(bits.and(0xFFFFFFFFL)).reinterpretAsDoubles();
            DoubleVector dk = (DoubleVector) k.add(i0.lanewise(VectorOperators.ASHR, 20)).convert(VectorOperators.L2D, 0);
            DoubleVector f = reduced.sub(1.0);
            DoubleVector hi = dk.mul(FdlibmLog.LN2_HI);
            DoubleVector lo = dk.mul(FdlibmLog.LN2_LO);
            // |f| < 2^-20
            DoubleVector taylorR = f.mul(f).mul(half.sub(f.mul(FdlibmLog.THIRD)));
            DoubleVector taylor = hi.sub(taylorR.sub(lo).sub(f));
            // the main case: the hfsq form in fdlibm's middle band, the plain one elsewhere
            DoubleVector s = f.div(two.add(f));
            DoubleVector z = s.mul(s);
            DoubleVector w = z.mul(z);
            DoubleVector t1 = w.mul(w.mul(w.mul(FdlibmLog.LG6).add(FdlibmLog.LG4)).add(FdlibmLog.LG2));
            DoubleVector t2 = z.mul(w.mul(w.mul(w.mul(FdlibmLog.LG7).add(FdlibmLog.LG5)).add(FdlibmLog.LG3))
                    .add(FdlibmLog.LG1));
            DoubleVector r = t2.add(t1);
            DoubleVector hfsq = f.mul(0.5).mul(f);
            DoubleVector banded = hi.sub(hfsq.sub(s.mul(hfsq.add(r)).add(lo)).sub(f));
            DoubleVector plain = hi.sub(s.mul(f.sub(r)).sub(lo).sub(f));
            VectorMask<Double> band = hx.sub(0x6147a).or(bandHigh.sub(hx)).compare(VectorOperators.GT, 0).cast(D);
            VectorMask<Double> small = hx.add(2).and(0x000fffff).compare(VectorOperators.LT, 3).cast(D);
            plain.blend(banded, band).blend(taylor, small).intoArray(out, i);
        }
    }

    /**
     * Copies the tail elements of {@code v[0, count)} ({@code |v| / 2 > 0.425}), in order, to the
     * front of {@code tails} and their {@code (1 - |v|) / 2} to {@code tailLogs}; returns how
     * many. Both arrays need {@code count + }{@link #D}'s length entries (a compress stores a
     * whole vector). Only these go through the log and the tail rationals: 11% of the elements
     * for bounds at +-2 std.
     */
    static int compactTails(double[] v, double[] tails, double[] tailLogs, int count) {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        int n = 0;
        for (int i = 0; i < count; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, v, i);
            VectorMask<Double> tail = x.mul(0.5).abs().compare(VectorOperators.GT, NormalQuantile.SPLIT_CENTRAL);
            x.compress(tail).intoArray(tails, n);
            one.sub(x.abs()).mul(0.5).compress(tail).intoArray(tailLogs, n);
            n += tail.trueCount();
        }
        return n;
    }

    /**
     * {@link NormalQuantile#ofErf} of the tail arguments {@code tails[0, count)} (count rounded up
     * to {@link #D}'s length), in place, given {@code tailLogs} = {@code log((1 - |v|) / 2)}: the
     * near tail's rational, with the far tail's coefficients blended in only for a vector with a
     * lane beyond r = 5 (rare: 1 - |v| < 3e-11).
     */
    static void tailQuantiles(double[] tails, double[] tailLogs, int count) {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        DoubleVector infinity = DoubleVector.broadcast(D, Double.POSITIVE_INFINITY);
        for (int i = 0; i < count; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, tails, i);
            DoubleVector radius = DoubleVector.fromArray(D, tailLogs, i).neg().sqrt();
            VectorMask<Double> negative = x.compare(VectorOperators.LT, 0.0); // q < 0
            VectorMask<Double> far = radius.compare(VectorOperators.GT, NormalQuantile.SPLIT_FAR);
            boolean anyFar = far.anyTrue(); // rare: then the far tail's coefficients are blended in
            DoubleVector r = radius.sub(NormalQuantile.NEAR_SHIFT).blend(radius.sub(NormalQuantile.SPLIT_FAR), far);
            DoubleVector num = DoubleVector.broadcast(D, NormalQuantile.C[0]);
            DoubleVector den = DoubleVector.broadcast(D, NormalQuantile.D[0]);
            if (anyFar) {
                num = num.blend(NormalQuantile.E[0], far);
                den = den.blend(NormalQuantile.F[0], far);
            }
            for (int k = 1; k < NormalQuantile.C.length; k++) { // a loop: C2 unrolls it after intrinsifying
                DoubleVector cn = DoubleVector.broadcast(D, NormalQuantile.C[k]);
                DoubleVector cd = DoubleVector.broadcast(D, NormalQuantile.D[k]);
                if (anyFar) {
                    cn = cn.blend(NormalQuantile.E[k], far);
                    cd = cd.blend(NormalQuantile.F[k], far);
                }
                num = num.fma(r, cn);
                den = den.fma(r, cd);
            }
            one.blend(-1.0, negative).mul(num).div(den)
                    .blend(infinity.blend(Double.NEGATIVE_INFINITY, negative), x.abs().compare(VectorOperators.EQ, 1.0))
                    .intoArray(tails, i);
        }
    }

    /**
     * {@link NormalQuantile#ofErf} of {@code v[0, count)}, in place: the central rational for
     * every lane, and the quantiles of the tail elements, packed in order in {@code tails}
     * ({@link #compactTails}, {@link #tailQuantiles}), put back in their lanes by an expand.
     */
    static void quantiles(double[] v, double[] tails, int count) {
        DoubleVector shift = DoubleVector.broadcast(D, NormalQuantile.CENTRAL_SHIFT);
        int n = 0;
        for (int i = 0; i < count; i += D.length()) {
            DoubleVector q = DoubleVector.fromArray(D, v, i).mul(0.5);
            VectorMask<Double> tail = q.abs().compare(VectorOperators.GT, NormalQuantile.SPLIT_CENTRAL);
            if (tail.allTrue()) { // bounds in one tail: every vector (predictable)
                DoubleVector.fromArray(D, tails, n).intoArray(v, i);
                n += D.length();
                continue;
            }
            DoubleVector c = shift.sub(q.mul(q));
            DoubleVector num = DoubleVector.broadcast(D, NormalQuantile.A[0]);
            DoubleVector den = DoubleVector.broadcast(D, NormalQuantile.B[0]);
            for (int k = 1; k < NormalQuantile.A.length; k++) { // a loop: C2 unrolls it after intrinsifying
                num = num.fma(c, DoubleVector.broadcast(D, NormalQuantile.A[k]));
                den = den.fma(c, DoubleVector.broadcast(D, NormalQuantile.B[k]));
            }
            q.mul(num).div(den).blend(DoubleVector.fromArray(D, tails, n).expand(tail), tail).intoArray(v, i);
            n += tail.trueCount();
        }
    }

    /**
     * {@link Samplers.Truncation#value}'s last steps for elements {@code [0, count)}, stored as
     * float32 at element {@code at} of {@code out}: {@code fma(z, std, mean)} clamped to [a, b],
     * rounded to float.
     */
    static void values(double[] z, Samplers.Truncation t, MemorySegment out, int at, int count) {
        DoubleVector std = DoubleVector.broadcast(D, t.std()), mean = DoubleVector.broadcast(D, t.mean());
        DoubleVector a = DoubleVector.broadcast(D, t.a()), b = DoubleVector.broadcast(D, t.b());
        for (int i = 0; i < count; i += D.length()) {
            DoubleVector.fromArray(D, z, i).fma(std, mean).max(a).min(b).convertShape(VectorOperators.D2F, F_HALF, 0)
                    .reinterpretAsFloats().intoMemorySegment(out, (long) (at + i) * 4, LE);
        }
    }
}

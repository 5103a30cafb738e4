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
 * {@link Samplers.Truncation#value}), the same bits: every branch of the scalar code is computed
 * for every lane and the lane's own case blended in, its operations and their order unchanged
 * (fma exactly where the scalar calls {@code Math.fma}). The three rationals share one Horner
 * loop whose coefficients are blended per lane. Loaded only when the Vector API is in use.
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
     * {@link Samplers.Truncation#value} of elements {@code [0, count)}, stored as float32 at
     * element {@code at} of {@code out}: {@code v} their uniforms in erf space,
     * {@code logs} {@code log((1 - |v|) / 2)} from {@link #logs} (read only in the tail lanes).
     * The central and the tail's rationals for every vector (a branch on "all lanes central"
     * measured slower: it is unpredictable), the tail's with the far coefficients blended in only
     * for a vector with a lane beyond r = 5 (rare: 1 - |v| < 3e-11); then each lane's numerator
     * and denominator, one division.
     */
    static void values(double[] v, double[] logs, Samplers.Truncation t, MemorySegment out, int at, int count) {
        DoubleVector std = DoubleVector.broadcast(D, t.std()), mean = DoubleVector.broadcast(D, t.mean());
        DoubleVector a = DoubleVector.broadcast(D, t.a()), b = DoubleVector.broadcast(D, t.b());
        DoubleVector one = DoubleVector.broadcast(D, 1.0), shift = DoubleVector.broadcast(D, NormalQuantile.CENTRAL_SHIFT);
        DoubleVector infinity = DoubleVector.broadcast(D, Double.POSITIVE_INFINITY);
        for (int i = 0; i < count; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, v, i);
            DoubleVector q = x.mul(0.5);
            VectorMask<Double> central = q.abs().compare(VectorOperators.LE, NormalQuantile.SPLIT_CENTRAL);
            DoubleVector c = shift.sub(q.mul(q));
            DoubleVector num = DoubleVector.broadcast(D, NormalQuantile.A[0]);
            DoubleVector den = DoubleVector.broadcast(D, NormalQuantile.B[0]);
            for (int k = 1; k < NormalQuantile.A.length; k++) { // loops: C2 unrolls them after intrinsifying
                num = num.fma(c, DoubleVector.broadcast(D, NormalQuantile.A[k]));
                den = den.fma(c, DoubleVector.broadcast(D, NormalQuantile.B[k]));
            }
            num = q.mul(num);
            DoubleVector radius = DoubleVector.fromArray(D, logs, i).neg().sqrt();
            VectorMask<Double> negative = q.compare(VectorOperators.LT, 0.0);
            VectorMask<Double> far = radius.compare(VectorOperators.GT, NormalQuantile.SPLIT_FAR);
            boolean anyFar = far.anyTrue(); // rare: then the far tail's coefficients are blended in
            DoubleVector r = radius.sub(NormalQuantile.NEAR_SHIFT).blend(radius.sub(NormalQuantile.SPLIT_FAR), far);
            DoubleVector tailNum = DoubleVector.broadcast(D, NormalQuantile.C[0]);
            DoubleVector tailDen = DoubleVector.broadcast(D, NormalQuantile.D[0]);
            if (anyFar) {
                tailNum = tailNum.blend(NormalQuantile.E[0], far);
                tailDen = tailDen.blend(NormalQuantile.F[0], far);
            }
            for (int k = 1; k < NormalQuantile.C.length; k++) {
                DoubleVector cn = DoubleVector.broadcast(D, NormalQuantile.C[k]);
                DoubleVector cd = DoubleVector.broadcast(D, NormalQuantile.D[k]);
                if (anyFar) {
                    cn = cn.blend(NormalQuantile.E[k], far);
                    cd = cd.blend(NormalQuantile.F[k], far);
                }
                tailNum = tailNum.fma(r, cn);
                tailDen = tailDen.fma(r, cd);
            }
            num = one.blend(-1.0, negative).mul(tailNum).blend(num, central);
            den = tailDen.blend(den, central);
            DoubleVector z = num.div(den).blend(infinity.blend(Double.NEGATIVE_INFINITY, x.compare(VectorOperators.LT, 0.0)),
                    x.abs().compare(VectorOperators.EQ, 1.0));
            z.fma(std, mean).max(a).min(b).convertShape(VectorOperators.D2F, F_HALF, 0).reinterpretAsFloats()
                    .intoMemorySegment(out, (long) (at + i) * 4, LE);
        }
    }
}

package dev.fusedstep.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fastest honest way to move a kernel's bytes: the Vector API over the same kind of
 * buffers, each input loaded before any store (so no load waits on a store of the same
 * iteration), outputs stored in place after one add each. Plus STREAM's copy and triad.
 * Sizes are multiples of the vector length in every benchmark; the scalar tails are there
 * for correctness only.
 */
final class Probes {
    private Probes() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Shorts (BF16/F16 bits), as many lanes as {@link #F}: half buffers are loaded and stored as shorts. */
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Shorts at full width, for the probes that touch only half buffers. */
    static final VectorSpecies<Short> HW = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat E = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt J = ValueLayout.JAVA_INT_UNALIGNED;
    private static final short ONE_S = 1;

    /** AdamW's traffic: read p, g, m, v; write p, m, v (28 bytes per element). */
    static void adamw(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            long off = i * Float.BYTES;
            FloatVector gv = FloatVector.fromMemorySegment(F, g, off, LE);
            FloatVector pv = FloatVector.fromMemorySegment(F, p, off, LE);
            FloatVector mv = FloatVector.fromMemorySegment(F, m, off, LE);
            FloatVector vv = FloatVector.fromMemorySegment(F, v, off, LE);
            pv.add(gv).intoMemorySegment(p, off, LE);
            mv.add(gv).intoMemorySegment(m, off, LE);
            vv.add(gv).intoMemorySegment(v, off, LE);
        }
        for (; i < n; i++) {
            float gi = g.getAtIndex(E, i);
            p.setAtIndex(E, i, p.getAtIndex(E, i) + gi);
            m.setAtIndex(E, i, m.getAtIndex(E, i) + gi);
            v.setAtIndex(E, i, v.getAtIndex(E, i) + gi);
        }
    }

    /** SGD with momentum's traffic: read p, g, buf; write p, buf (20 bytes per element). */
    static void sgdMomentum(MemorySegment p, MemorySegment g, MemorySegment buf, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            long off = i * Float.BYTES;
            FloatVector gv = FloatVector.fromMemorySegment(F, g, off, LE);
            FloatVector pv = FloatVector.fromMemorySegment(F, p, off, LE);
            FloatVector bv = FloatVector.fromMemorySegment(F, buf, off, LE);
            pv.add(gv).intoMemorySegment(p, off, LE);
            bv.add(gv).intoMemorySegment(buf, off, LE);
        }
        for (; i < n; i++) {
            float gi = g.getAtIndex(E, i);
            p.setAtIndex(E, i, p.getAtIndex(E, i) + gi);
            buf.setAtIndex(E, i, buf.getAtIndex(E, i) + gi);
        }
    }

    // The mixed-dtype probes below add g to the outputs of g's own dtype and a constant to the
    // others: a conversion would add work the probe is meant not to have, and every input is
    // still loaded and every output stored once.

    /** AdamW, all BF16 (or F16): read p, g, m, v; write p, m, v as shorts (14 bytes per element). */
    static void adamwHalf(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long n) {
        long bound = HW.loopBound(n);
        long i = 0;
        for (; i < bound; i += HW.length()) {
            long off = i * Short.BYTES;
            ShortVector gv = ShortVector.fromMemorySegment(HW, g, off, LE);
            ShortVector pv = ShortVector.fromMemorySegment(HW, p, off, LE);
            ShortVector mv = ShortVector.fromMemorySegment(HW, m, off, LE);
            ShortVector vv = ShortVector.fromMemorySegment(HW, v, off, LE);
            pv.add(gv).intoMemorySegment(p, off, LE);
            mv.add(gv).intoMemorySegment(m, off, LE);
            vv.add(gv).intoMemorySegment(v, off, LE);
        }
        for (; i < n; i++) {
            short gi = g.getAtIndex(S, i);
            p.setAtIndex(S, i, (short) (p.getAtIndex(S, i) + gi));
            m.setAtIndex(S, i, (short) (m.getAtIndex(S, i) + gi));
            v.setAtIndex(S, i, (short) (v.getAtIndex(S, i) + gi));
        }
    }

    /**
     * AdamW with float32 master weights: read half g, master, m, v; write master, m, v and the
     * half parameter (28 bytes per element).
     */
    static void adamwMaster(MemorySegment half, MemorySegment g, MemorySegment master, MemorySegment m,
            MemorySegment v, long n) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            long off = i * Float.BYTES, hoff = i * Short.BYTES;
            ShortVector gv = ShortVector.fromMemorySegment(H, g, hoff, LE);
            FloatVector wv = FloatVector.fromMemorySegment(F, master, off, LE);
            FloatVector mv = FloatVector.fromMemorySegment(F, m, off, LE);
            FloatVector vv = FloatVector.fromMemorySegment(F, v, off, LE);
            wv.add(one).intoMemorySegment(master, off, LE);
            mv.add(one).intoMemorySegment(m, off, LE);
            vv.add(one).intoMemorySegment(v, off, LE);
            gv.add(ONE_S).intoMemorySegment(half, hoff, LE);
        }
        for (; i < n; i++) {
            short gi = g.getAtIndex(S, i);
            master.setAtIndex(E, i, master.getAtIndex(E, i) + 1f);
            m.setAtIndex(E, i, m.getAtIndex(E, i) + 1f);
            v.setAtIndex(E, i, v.getAtIndex(E, i) + 1f);
            half.setAtIndex(S, i, (short) (gi + 1));
        }
    }

    /** AdamW, float32 p and g, half states: read p, g, m, v; write p, m, v (20 bytes per element). */
    static void adamwHalfStates(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            long off = i * Float.BYTES, hoff = i * Short.BYTES;
            FloatVector gv = FloatVector.fromMemorySegment(F, g, off, LE);
            FloatVector pv = FloatVector.fromMemorySegment(F, p, off, LE);
            ShortVector mv = ShortVector.fromMemorySegment(H, m, hoff, LE);
            ShortVector vv = ShortVector.fromMemorySegment(H, v, hoff, LE);
            pv.add(gv).intoMemorySegment(p, off, LE);
            mv.add(ONE_S).intoMemorySegment(m, hoff, LE);
            vv.add(ONE_S).intoMemorySegment(v, hoff, LE);
        }
        for (; i < n; i++) {
            p.setAtIndex(E, i, p.getAtIndex(E, i) + g.getAtIndex(E, i));
            m.setAtIndex(S, i, (short) (m.getAtIndex(S, i) + 1));
            v.setAtIndex(S, i, (short) (v.getAtIndex(S, i) + 1));
        }
    }

    /** SGD momentum, all half: read p, g, buf; write p, buf (10 bytes per element). */
    static void sgdHalf(MemorySegment p, MemorySegment g, MemorySegment buf, long n) {
        long bound = HW.loopBound(n);
        long i = 0;
        for (; i < bound; i += HW.length()) {
            long off = i * Short.BYTES;
            ShortVector gv = ShortVector.fromMemorySegment(HW, g, off, LE);
            ShortVector pv = ShortVector.fromMemorySegment(HW, p, off, LE);
            ShortVector bv = ShortVector.fromMemorySegment(HW, buf, off, LE);
            pv.add(gv).intoMemorySegment(p, off, LE);
            bv.add(gv).intoMemorySegment(buf, off, LE);
        }
        for (; i < n; i++) {
            short gi = g.getAtIndex(S, i);
            p.setAtIndex(S, i, (short) (p.getAtIndex(S, i) + gi));
            buf.setAtIndex(S, i, (short) (buf.getAtIndex(S, i) + gi));
        }
    }

    /** SGD momentum with master weights: read half g, master, buf; write master, buf, half p (20 bytes). */
    static void sgdMaster(MemorySegment half, MemorySegment g, MemorySegment master, MemorySegment buf, long n) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            long off = i * Float.BYTES, hoff = i * Short.BYTES;
            ShortVector gv = ShortVector.fromMemorySegment(H, g, hoff, LE);
            FloatVector wv = FloatVector.fromMemorySegment(F, master, off, LE);
            FloatVector bv = FloatVector.fromMemorySegment(F, buf, off, LE);
            wv.add(one).intoMemorySegment(master, off, LE);
            bv.add(one).intoMemorySegment(buf, off, LE);
            gv.add(ONE_S).intoMemorySegment(half, hoff, LE);
        }
        for (; i < n; i++) {
            short gi = g.getAtIndex(S, i);
            master.setAtIndex(E, i, master.getAtIndex(E, i) + 1f);
            buf.setAtIndex(E, i, buf.getAtIndex(E, i) + 1f);
            half.setAtIndex(S, i, (short) (gi + 1));
        }
    }

    /** SGD momentum, float32 p and g, half buf: read p, g, buf; write p, buf (16 bytes per element). */
    static void sgdHalfStates(MemorySegment p, MemorySegment g, MemorySegment buf, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            long off = i * Float.BYTES, hoff = i * Short.BYTES;
            FloatVector gv = FloatVector.fromMemorySegment(F, g, off, LE);
            FloatVector pv = FloatVector.fromMemorySegment(F, p, off, LE);
            ShortVector bv = ShortVector.fromMemorySegment(H, buf, hoff, LE);
            pv.add(gv).intoMemorySegment(p, off, LE);
            bv.add(ONE_S).intoMemorySegment(buf, hoff, LE);
        }
        for (; i < n; i++) {
            p.setAtIndex(E, i, p.getAtIndex(E, i) + g.getAtIndex(E, i));
            buf.setAtIndex(S, i, (short) (buf.getAtIndex(S, i) + 1));
        }
    }

    /**
     * A cast's traffic, wide to narrow: read 4 bytes, write 2 per element. The narrowing
     * conversion (one instruction, e.g. vpmovdw) stands for the rounding the cast must do.
     */
    static void narrow(MemorySegment src, MemorySegment dst, long n) {
        long bound = I.loopBound(n);
        long i = 0;
        for (; i < bound; i += I.length()) {
            IntVector.fromMemorySegment(I, src, i * Integer.BYTES, LE)
                    .convertShape(VectorOperators.I2S, H, 0)
                    .intoMemorySegment(dst, i * Short.BYTES, LE);
        }
        for (; i < n; i++) {
            dst.setAtIndex(S, i, (short) src.getAtIndex(J, i));
        }
    }

    /** A cast's traffic, narrow to wide: read 2 bytes, write 4 per element (one widening instruction). */
    static void widen(MemorySegment src, MemorySegment dst, long n) {
        long bound = I.loopBound(n);
        long i = 0;
        for (; i < bound; i += I.length()) {
            ShortVector.fromMemorySegment(H, src, i * Short.BYTES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)
                    .intoMemorySegment(dst, i * Integer.BYTES, LE);
        }
        for (; i < n; i++) {
            dst.setAtIndex(J, i, src.getAtIndex(S, i));
        }
    }

    /** A norm's traffic: read 4 bytes per element, sum of squares in four independent accumulators. */
    static float sumOfSquares(MemorySegment g, long n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int step = 4 * F.length();
        long bound = n - n % step;
        long i = 0;
        for (; i < bound; i += step) {
            long off = i * Float.BYTES, w = (long) F.length() * Float.BYTES;
            FloatVector x0 = FloatVector.fromMemorySegment(F, g, off, LE);
            FloatVector x1 = FloatVector.fromMemorySegment(F, g, off + w, LE);
            FloatVector x2 = FloatVector.fromMemorySegment(F, g, off + 2 * w, LE);
            FloatVector x3 = FloatVector.fromMemorySegment(F, g, off + 3 * w, LE);
            a0 = x0.fma(x0, a0);
            a1 = x1.fma(x1, a1);
            a2 = x2.fma(x2, a2);
            a3 = x3.fma(x3, a3);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float x = g.getAtIndex(E, i);
            s += x * x;
        }
        return s;
    }

    /** A half-precision norm's traffic: read 2 bytes per element, summed as shorts in four accumulators. */
    static float sumOfHalves(MemorySegment g, long n) {
        ShortVector a0 = ShortVector.zero(HW), a1 = a0, a2 = a0, a3 = a0;
        int step = 4 * HW.length();
        long bound = n - n % step;
        long i = 0;
        long w = (long) HW.length() * Short.BYTES;
        for (; i < bound; i += step) {
            long off = i * Short.BYTES;
            a0 = a0.add(ShortVector.fromMemorySegment(HW, g, off, LE));
            a1 = a1.add(ShortVector.fromMemorySegment(HW, g, off + w, LE));
            a2 = a2.add(ShortVector.fromMemorySegment(HW, g, off + 2 * w, LE));
            a3 = a3.add(ShortVector.fromMemorySegment(HW, g, off + 3 * w, LE));
        }
        int s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += g.getAtIndex(S, i);
        }
        return s;
    }

    /** An initializer's traffic: write 4 bytes per element (a vector store of a constant), nothing read. */
    static void fill(MemorySegment out, float value, long n) {
        FloatVector v = FloatVector.broadcast(F, value);
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            v.intoMemorySegment(out, i * Float.BYTES, LE);
        }
        for (; i < n; i++) {
            out.setAtIndex(E, i, value);
        }
    }

    /** STREAM copy {@code c = a} (8 bytes per element, write-allocate not counted). */
    static void copy(MemorySegment a, MemorySegment c, long n) {
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            long off = i * Float.BYTES;
            FloatVector.fromMemorySegment(F, a, off, LE).intoMemorySegment(c, off, LE);
        }
        for (; i < n; i++) {
            c.setAtIndex(E, i, a.getAtIndex(E, i));
        }
    }

    /** STREAM triad {@code a = b + s*c} (12 bytes per element, write-allocate not counted). */
    static void triad(MemorySegment a, MemorySegment b, MemorySegment c, float s, long n) {
        FloatVector sv = FloatVector.broadcast(F, s);
        long bound = F.loopBound(n);
        long i = 0;
        for (; i < bound; i += F.length()) {
            long off = i * Float.BYTES;
            FloatVector.fromMemorySegment(F, c, off, LE).fma(sv, FloatVector.fromMemorySegment(F, b, off, LE))
                    .intoMemorySegment(a, off, LE);
        }
        for (; i < n; i++) {
            a.setAtIndex(E, i, Math.fma(c.getAtIndex(E, i), s, b.getAtIndex(E, i)));
        }
    }
}

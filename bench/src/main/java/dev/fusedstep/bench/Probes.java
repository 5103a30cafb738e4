package dev.fusedstep.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
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
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat E = ValueLayout.JAVA_FLOAT_UNALIGNED;

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

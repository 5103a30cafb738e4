package dev.fusedstep.bench;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The same-traffic probe of one optimizer step, for any state count (0 to 3) and {@link Layout}:
 * read the gradient, the parameter (or master copy) and every state; write the parameter (or
 * master) and every state, and under master weights the half parameter; nothing more. One fused
 * Vector API loop per state count and per layout's element widths, each loading every input
 * before it stores each output once, so that all streams are in flight together: the way
 * {@link Probes#adamw} reaches the memory system's speed. The one- and two-state loops are
 * {@link Probes}' SGD-momentum and AdamW probes themselves; the zero-state (plain SGD) and
 * three-state (AMSGrad) loops are here.
 *
 * <p>It replaces a blocked probe that served every state count from one method by streaming one
 * buffer at a time in 512-element blocks: fair in cache, but at 16M it moved only 25-28 GB/s
 * where these fused loops move 46-52 (bench/README.md).
 *
 * <p>As in {@link Probes}, outputs of the gradient's dtype get g added, the others a constant.
 */
final class StepProbe {
    private StepProbe() {}

    /** State buffers the widest rule has (Adam with AMSGrad). */
    static final int MAX_STATES = 3;

    private static final VectorSpecies<Float> F = Probes.F;
    private static final VectorSpecies<Short> H = Probes.H;
    private static final VectorSpecies<Short> HW = Probes.HW;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final short ONE_S = 1;

    /**
     * The probe for one step over {@code n} elements, its loop chosen now so that the timed call is
     * one monomorphic {@code run()}.
     *
     * @param param  the caller's parameter ({@code layout}'s dtype): read and written, or under master weights written only
     * @param grad   the caller's gradient ({@code layout}'s dtype): read only
     * @param master the float32 master copy under {@link Layout#MASTER_BF16}, read and written; null otherwise
     * @param states the state buffers ({@link Layout#stateBytes()} per element), each read and written
     * @param n      elements per buffer, a positive multiple of the widest vector's lane count
     */
    static Runnable of(Layout layout, MemorySegment param, MemorySegment grad, MemorySegment master,
            List<MemorySegment> states, long n) {
        check(layout, param, grad, master, states, n);
        MemorySegment p = param, g = grad, w = master;
        MemorySegment s0 = states.size() > 0 ? states.get(0) : null;
        MemorySegment s1 = states.size() > 1 ? states.get(1) : null;
        MemorySegment s2 = states.size() > 2 ? states.get(2) : null;
        return switch (layout) {
            case F32 -> switch (states.size()) {
                case 0 -> () -> f32(p, g, n);
                case 1 -> () -> Probes.sgdMomentum(p, g, s0, n);
                case 2 -> () -> Probes.adamw(p, g, s0, s1, n);
                default -> () -> f32(p, g, s0, s1, s2, n);
            };
            case BF16, F16 -> switch (states.size()) {
                case 0 -> () -> half(p, g, n);
                case 1 -> () -> Probes.sgdHalf(p, g, s0, n);
                case 2 -> () -> Probes.adamwHalf(p, g, s0, s1, n);
                default -> () -> half(p, g, s0, s1, s2, n);
            };
            case MASTER_BF16 -> switch (states.size()) {
                case 0 -> () -> master(p, g, w, n);
                case 1 -> () -> Probes.sgdMaster(p, g, w, s0, n);
                case 2 -> () -> Probes.adamwMaster(p, g, w, s0, s1, n);
                default -> () -> master(p, g, w, s0, s1, s2, n);
            };
            case F32_BF16_STATES -> switch (states.size()) {
                case 0 -> () -> f32(p, g, n); // no state to store in half precision: the float32 loop
                case 1 -> () -> Probes.sgdHalfStates(p, g, s0, n);
                case 2 -> () -> Probes.adamwHalfStates(p, g, s0, s1, n);
                default -> () -> halfStates(p, g, s0, s1, s2, n);
            };
        };
    }

    private static void check(Layout layout, MemorySegment param, MemorySegment grad, MemorySegment master,
            List<MemorySegment> states, long n) {
        if (n <= 0 || n % HW.length() != 0) {
            throw new IllegalArgumentException("n: got " + n + ", expected a positive multiple of " + HW.length());
        }
        if (states.size() > MAX_STATES) {
            throw new IllegalArgumentException("states: got " + states.size() + " buffers, expected 0 to " + MAX_STATES);
        }
        if ((master != null) != (layout == Layout.MASTER_BF16)) {
            throw new IllegalArgumentException("master: got " + (master == null ? "none" : "a buffer") + " for layout "
                    + layout.label() + ", expected one exactly under master_bf16");
        }
        long paramBytes = n * layout.paramDtype().byteSize();
        requireBytes("param", param, paramBytes);
        requireBytes("grad", grad, paramBytes);
        if (master != null) {
            requireBytes("master", master, n * Float.BYTES);
        }
        for (int i = 0; i < states.size(); i++) {
            requireBytes("states[" + i + "]", states.get(i), n * layout.stateBytes());
        }
    }

    private static void requireBytes(String name, MemorySegment s, long bytes) {
        if (s.byteSize() < bytes) {
            throw new IllegalArgumentException(name + ": got " + s.byteSize() + " bytes, expected at least " + bytes);
        }
    }

    private static FloatVector f(MemorySegment s, long off) {
        return FloatVector.fromMemorySegment(F, s, off, LE);
    }

    /** Half-width shorts, as many lanes as {@link #F}: for half buffers beside float32 ones. */
    private static ShortVector h(MemorySegment s, long off) {
        return ShortVector.fromMemorySegment(H, s, off, LE);
    }

    /** Full-width shorts: for the layouts whose buffers are all half. */
    private static ShortVector hw(MemorySegment s, long off) {
        return ShortVector.fromMemorySegment(HW, s, off, LE);
    }

    /** Plain SGD, float32: read p, g; write p (12 bytes per element). */
    static void f32(MemorySegment p, MemorySegment g, long n) {
        for (long i = 0; i < n; i += F.length()) {
            long off = i * Float.BYTES;
            FloatVector gv = f(g, off);
            f(p, off).add(gv).intoMemorySegment(p, off, LE);
        }
    }

    /** Three states, float32: read p, g, a, b, c; write p, a, b, c (36 bytes per element). */
    static void f32(MemorySegment p, MemorySegment g, MemorySegment a, MemorySegment b, MemorySegment c, long n) {
        for (long i = 0; i < n; i += F.length()) {
            long off = i * Float.BYTES;
            FloatVector gv = f(g, off), pv = f(p, off), av = f(a, off), bv = f(b, off), cv = f(c, off);
            pv.add(gv).intoMemorySegment(p, off, LE);
            av.add(gv).intoMemorySegment(a, off, LE);
            bv.add(gv).intoMemorySegment(b, off, LE);
            cv.add(gv).intoMemorySegment(c, off, LE);
        }
    }

    /** Plain SGD, all half: read p, g; write p (6 bytes per element). */
    static void half(MemorySegment p, MemorySegment g, long n) {
        for (long i = 0; i < n; i += HW.length()) {
            long off = i * Short.BYTES;
            ShortVector gv = hw(g, off);
            hw(p, off).add(gv).intoMemorySegment(p, off, LE);
        }
    }

    /** Three states, all half: read p, g, a, b, c; write p, a, b, c (18 bytes per element). */
    static void half(MemorySegment p, MemorySegment g, MemorySegment a, MemorySegment b, MemorySegment c, long n) {
        for (long i = 0; i < n; i += HW.length()) {
            long off = i * Short.BYTES;
            ShortVector gv = hw(g, off), pv = hw(p, off), av = hw(a, off), bv = hw(b, off), cv = hw(c, off);
            pv.add(gv).intoMemorySegment(p, off, LE);
            av.add(gv).intoMemorySegment(a, off, LE);
            bv.add(gv).intoMemorySegment(b, off, LE);
            cv.add(gv).intoMemorySegment(c, off, LE);
        }
    }

    /** Plain SGD with master weights: read half g, master; write master, half p (12 bytes per element). */
    static void master(MemorySegment half, MemorySegment g, MemorySegment master, long n) {
        for (long i = 0; i < n; i += F.length()) {
            long off = i * Float.BYTES, hoff = i * Short.BYTES;
            ShortVector gv = h(g, hoff);
            f(master, off).add(1f).intoMemorySegment(master, off, LE);
            gv.add(ONE_S).intoMemorySegment(half, hoff, LE);
        }
    }

    /** Three states with master weights: read half g, master, a, b, c; write master, a, b, c, half p (36 bytes). */
    static void master(MemorySegment half, MemorySegment g, MemorySegment master, MemorySegment a, MemorySegment b,
            MemorySegment c, long n) {
        for (long i = 0; i < n; i += F.length()) {
            long off = i * Float.BYTES, hoff = i * Short.BYTES;
            ShortVector gv = h(g, hoff);
            FloatVector wv = f(master, off), av = f(a, off), bv = f(b, off), cv = f(c, off);
            wv.add(1f).intoMemorySegment(master, off, LE);
            av.add(1f).intoMemorySegment(a, off, LE);
            bv.add(1f).intoMemorySegment(b, off, LE);
            cv.add(1f).intoMemorySegment(c, off, LE);
            gv.add(ONE_S).intoMemorySegment(half, hoff, LE);
        }
    }

    /** Three half states beside float32 p and g: read p, g, a, b, c; write p, a, b, c (24 bytes per element). */
    static void halfStates(MemorySegment p, MemorySegment g, MemorySegment a, MemorySegment b, MemorySegment c, long n) {
        for (long i = 0; i < n; i += F.length()) {
            long off = i * Float.BYTES, hoff = i * Short.BYTES;
            FloatVector gv = f(g, off), pv = f(p, off);
            ShortVector av = h(a, hoff), bv = h(b, hoff), cv = h(c, hoff);
            pv.add(gv).intoMemorySegment(p, off, LE);
            av.add(ONE_S).intoMemorySegment(a, hoff, LE);
            bv.add(ONE_S).intoMemorySegment(b, hoff, LE);
            cv.add(ONE_S).intoMemorySegment(c, hoff, LE);
        }
    }
}

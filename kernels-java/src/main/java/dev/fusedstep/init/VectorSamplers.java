package dev.fusedstep.init;

import static dev.fusedstep.init.VectorPhilox.ELEMENTS;
import static dev.fusedstep.init.VectorPhilox.I;
import static dev.fusedstep.init.VectorPhilox.words;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API twins of {@link Samplers}' formulas, lane-wise in the same order (fma exactly
 * where the scalar code calls {@code Math.fma}), so they give the same bits; elements before the
 * first whole Philox block and after the last whole vector go through the scalar source. They
 * write float32 values, little-endian, to {@code out} from byte 0. Loaded only when the Vector API
 * is in use.
 */
final class VectorSamplers {
    private VectorSamplers() {}

    private static final VectorSpecies<Float> F = I.withLanes(float.class);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    // Indexes into two vectors (a, b) for selectFrom: the pairs' first words (radius), their
    // second words (angle), and z0/z1 back into element order, first and second half.
    private static final IntVector FIRSTS = IntVector.zero(I).addIndex(2);
    private static final IntVector SECONDS = FIRSTS.add(1);
    private static final IntVector INTERLEAVE_LOW = IntVector.zero(I).addIndex(1).lanewise(VectorOperators.LSHR, 1)
            .add(IntVector.zero(I).addIndex(1).and(1).mul(ELEMENTS));
    private static final IntVector INTERLEAVE_HIGH = INTERLEAVE_LOW.add(ELEMENTS / 2);

    /** Bounds {@code [head, end)} of the whole vectors after a scalar head up to the next Philox block. */
    private static int head(long from, int len) {
        return (int) Math.min(len, (-from) & 3);
    }

    private static int vectorEnd(int head, int len) {
        return head + (len - head) / ELEMENTS * ELEMENTS;
    }

    /** Elements {@code [at, at + count)} of the call through the scalar source. */
    private static void scalar(Samplers.ChunkSource source, long from, MemorySegment out, int at, int count) {
        if (count > 0) {
            float[] values = new float[count];
            source.generate(from + at, values, count);
            MemorySegment.copy(values, 0, out, FLOAT, (long) at * 4, count);
        }
    }

    static void uniform(Samplers.ChunkSource source, long seed, long stream, float a, float b, long from,
            MemorySegment out, int len) {
        int head = head(from, len), end = vectorEnd(head, len);
        scalar(source, from, out, 0, head);
        float range = b - a;
        LongVector m = VectorPhilox.multipliers(), step = VectorPhilox.counterStep();
        IntVector key = VectorPhilox.key(seed), weyl = VectorPhilox.weyl();
        FloatVector vRange = FloatVector.broadcast(F, range), vA = FloatVector.broadcast(F, a);
        LongVector counter = VectorPhilox.counters((from + head) >>> 2, stream);
        for (int at = head; at < end; at += ELEMENTS) {
            IntVector w = words(counter, m, key, weyl);
            counter = counter.add(step);
            FloatVector v = unit(w).fma(vRange, vA);
            v = v.blend(vA, v.compare(VectorOperators.GE, b));
            v.intoMemorySegment(out, (long) at * 4, LE);
        }
        scalar(source, from, out, end, len - end);
    }

    /** {@link Samplers#unit} lane-wise: {@code (w >>> 8) 2^-24}. */
    private static FloatVector unit(IntVector w) {
        return ((FloatVector) w.lanewise(VectorOperators.LSHR, 8).convert(VectorOperators.I2F, 0)).mul(0x1p-24f);
    }

    /** Elements per block of {@link #normal}: its arrays stay in L1 from one phase to the next. */
    private static final int NORMAL_BLOCK = 1024;

    /** One block of {@link #normal} as it goes through the phases; one per thread. */
    private static final class NormalBlock {
        final int[] words = new int[NORMAL_BLOCK];
        final float[] radii = new float[NORMAL_BLOCK / 2];
        long seed, stream, group;
        float mean, std;
        MemorySegment out;
        int at, count;
    }

    private static final ThreadLocal<NormalBlock> NORMAL_BLOCKS = ThreadLocal.withInitial(NormalBlock::new);

    /** A pass of {@link #normal} over one block. */
    private abstract static class Phase {
        abstract void run(NormalBlock b);
    }

    /**
     * The passes, called through one call site that sees three classes, so that C2 calls them
     * rather than inlining them into the block loop: inlined together they pass its inlining node
     * budget (it parses each Vector API call into many nodes before it intrinsifies them), the
     * rest is left as calls, and every vector between those calls is boxed (3x slower). Each pass
     * alone compiles whole.
     */
    private static final Phase[] NORMAL_PHASES = {
        new Phase() {
            @Override
            void run(NormalBlock b) {
                philoxWords(b.seed, b.stream, b.group, b.words, b.count);
            }
        },
        new Phase() {
            @Override
            void run(NormalBlock b) {
                radii(b.words, b.radii, b.count);
            }
        },
        new Phase() {
            @Override
            void run(NormalBlock b) {
                angles(b.words, b.radii, b.mean, b.std, b.out, b.at, b.count);
            }
        },
    };

    /**
     * {@link Samplers#pair} lane-wise. Two vectors of words hold {@code ELEMENTS} pairs (w0, w1);
     * a two-vector permute gathers their first words, whose radii take one vector of logs, and
     * their second words, whose angles take one remainder and one sine and cosine polynomial
     * each; {@code sin2pi(t)} is {@code cos2pi}'s quadrant case {@code (q + 3) & 3} with the same
     * remainder. Two more permutes put (z0, z1) back in element order. Three passes (Philox
     * words, radii, angles and output) over L1-sized blocks, see {@link #NORMAL_PHASES}.
     */
    static void normal(Samplers.ChunkSource source, long seed, long stream, float mean, float std, long from,
            MemorySegment out, int len) {
        int head = head(from, len);
        int end = head + (len - head) / (2 * ELEMENTS) * (2 * ELEMENTS);
        scalar(source, from, out, 0, head);
        NormalBlock b = NORMAL_BLOCKS.get();
        b.seed = seed;
        b.stream = stream;
        b.mean = mean;
        b.std = std;
        b.out = out;
        for (int at = head; at < end; at += NORMAL_BLOCK) {
            b.at = at;
            b.count = Math.min(NORMAL_BLOCK, end - at);
            b.group = (from + at) >>> 2;
            for (Phase phase : NORMAL_PHASES) {
                phase.run(b);
            }
        }
        b.out = null; // do not keep the tensor reachable from the thread
        scalar(source, from, out, end, len - end);
    }

    /** The words of elements {@code 4 group ..} into {@code words[0..count)}, count a multiple of the vector width. */
    static void philoxWords(long seed, long stream, long group, int[] words, int count) {
        LongVector m = VectorPhilox.multipliers(), step = VectorPhilox.counterStep();
        IntVector key = VectorPhilox.key(seed), weyl = VectorPhilox.weyl();
        LongVector counter = VectorPhilox.counters(group, stream);
        for (int at = 0; at < count; at += ELEMENTS) {
            words(counter, m, key, weyl).intoArray(words, at);
            counter = counter.add(step);
        }
    }

    /** The radius of pair {@code p} into {@code radii[p]}; count a multiple of two vectors. */
    static void radii(int[] words, float[] radii, int count) {
        for (int at = 0; at < count; at += 2 * ELEMENTS) {
            IntVector firsts = FIRSTS.selectFrom(IntVector.fromArray(I, words, at), IntVector.fromArray(I, words, at + ELEMENTS));
            radius(firsts).intoArray(radii, at / 2);
        }
    }

    /** {@code fma(r cos, std, mean)} and {@code fma(r sin, std, mean)} of each pair, stored in element order. */
    static void angles(int[] words, float[] radii, float mean, float std, MemorySegment out, int at, int count) {
        FloatVector vStd = FloatVector.broadcast(F, std), vMean = FloatVector.broadcast(F, mean);
        for (int i = 0; i < count; i += 2 * ELEMENTS) {
            IntVector turns = SECONDS.selectFrom(IntVector.fromArray(I, words, i), IntVector.fromArray(I, words, i + ELEMENTS))
                    .lanewise(VectorOperators.LSHR, 8);
            IntVector q = turns.add(1 << 21).lanewise(VectorOperators.LSHR, 22);
            FloatVector f = ((FloatVector) turns.sub(q.lanewise(VectorOperators.LSHL, 22)).convert(VectorOperators.I2F, 0))
                    .mul(0x1p-24f);
            FloatVector f2 = f.mul(f);
            FloatVector sinTurns = horner(SIN, f2).mul(f);
            FloatVector cosTurns = horner(COS, f2);
            FloatVector r = FloatVector.fromArray(F, radii, i / 2);
            IntVector z0 = r.mul(pick(q, sinTurns, cosTurns)).fma(vStd, vMean).reinterpretAsInts();
            IntVector z1 = r.mul(pick(q.add(3), sinTurns, cosTurns)).fma(vStd, vMean).reinterpretAsInts();
            INTERLEAVE_LOW.selectFrom(z0, z1).reinterpretAsFloats().intoMemorySegment(out, (long) (at + i) * 4, LE);
            INTERLEAVE_HIGH.selectFrom(z0, z1).reinterpretAsFloats()
                    .intoMemorySegment(out, (long) (at + i + ELEMENTS) * 4, LE);
        }
    }

    /** {@code sqrt(-2 log(u1))} with {@code u1 = ((w >>> 8) + 1) 2^-24}. */
    private static FloatVector radius(IntVector w) {
        FloatVector u1 = ((FloatVector) w.lanewise(VectorOperators.LSHR, 8).add(1).convert(VectorOperators.I2F, 0))
                .mul(0x1p-24f);
        return log(u1).mul(-2f).sqrt();
    }

    /** {@link Float32Math#log} lane-wise. */
    static FloatVector log(FloatVector value) {
        IntVector bits = value.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(126);
        FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
        VectorMask<Float> small = m.compare(VectorOperators.LT, Float32Math.SQRT_HALF);
        e = e.sub(1, small.cast(I));
        FloatVector x = m.sub(1f).blend(m.add(m).sub(1f), small);
        FloatVector z = x.mul(x);
        FloatVector p = horner(LOG, x);
        FloatVector fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector y = p.mul(x).mul(z);
        y = fe.fma(c(Float32Math.LN2_LO), y);
        y = z.fma(c(-0.5f), y);
        FloatVector r = x.add(y);
        return fe.fma(c(Float32Math.LN2_HI), r);
    }

    /**
     * Per lane, {@link Float32Math#cos2pi} of {@code turns24} with its quadrant case advanced by
     * {@code shift} (0: the cosine, 3: the sine), as {@link #angles} computes it.
     */
    static FloatVector cos2piShifted(IntVector turns24, IntVector shift) {
        IntVector q = turns24.add(1 << 21).lanewise(VectorOperators.LSHR, 22);
        FloatVector f = ((FloatVector) turns24.sub(q.lanewise(VectorOperators.LSHL, 22)).convert(VectorOperators.I2F, 0))
                .mul(0x1p-24f);
        FloatVector f2 = f.mul(f);
        return pick(q.add(shift), horner(SIN, f2).mul(f), horner(COS, f2));
    }

    /**
     * cos2pi's quadrant table: case {@code q & 3} of (cos, -sin, -cos, sin) of the remainder. The
     * sign flip is an xor of the sign bit, as the scalar negation is.
     */
    private static FloatVector pick(IntVector q, FloatVector sinTurns, FloatVector cosTurns) {
        VectorMask<Float> sine = q.and(1).compare(VectorOperators.NE, 0).cast(F);
        IntVector sign = q.add(1).and(2).lanewise(VectorOperators.LSHL, 30);
        return cosTurns.blend(sinTurns, sine).reinterpretAsInts().lanewise(VectorOperators.XOR, sign).reinterpretAsFloats();
    }

    static void constant(float value, MemorySegment out, int len) {
        FloatVector v = FloatVector.broadcast(F, value);
        int end = len / ELEMENTS * ELEMENTS;
        for (int at = 0; at < end; at += ELEMENTS) {
            v.intoMemorySegment(out, (long) at * 4, LE);
        }
        for (int at = end; at < len; at++) {
            out.setAtIndex(FLOAT, at, value);
        }
    }

    private static FloatVector c(float value) {
        return FloatVector.broadcast(F, value);
    }

    // Float32Math's polynomials, highest degree first, for horner().
    private static final float[] LOG = {Float32Math.L8, Float32Math.L7, Float32Math.L6, Float32Math.L5,
        Float32Math.L4, Float32Math.L3, Float32Math.L2, Float32Math.L1, Float32Math.L0};
    private static final float[] SIN = {Float32Math.S9, Float32Math.S7, Float32Math.S5, Float32Math.S3, Float32Math.S1};
    private static final float[] COS = {Float32Math.C10, Float32Math.C8, Float32Math.C6, Float32Math.C4,
        Float32Math.C2, 1f};

    /**
     * {@code p = c[0]; p = fma(p, x, c[k])} for the rest: the scalar Horner steps. A loop, as
     * in {@link VectorPhilox#words}, to stay inside C2's inlining node budget.
     */
    private static FloatVector horner(float[] c, FloatVector x) {
        FloatVector p = FloatVector.broadcast(F, c[0]);
        for (int k = 1; k < c.length; k++) {
            p = p.fma(x, FloatVector.broadcast(F, c[k]));
        }
        return p;
    }
}

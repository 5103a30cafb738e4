package dev.fusedstep.init;

import static dev.fusedstep.init.VectorPhilox.ELEMENTS;
import static dev.fusedstep.init.VectorPhilox.I;
import static dev.fusedstep.init.VectorPhilox.WORDS;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API twins of {@link Samplers}' formulas, lane-wise in the same order (fma exactly
 * where the scalar code calls {@code Math.fma}), so they give the same bits; elements before the
 * first whole Philox block and after the last whole {@link VectorPhilox#WORDS} step go through the
 * scalar source. They write float32 values, little-endian, to {@code out} from byte 0. Loaded
 * only when the Vector API is in use.
 */
final class VectorSamplers {
    private VectorSamplers() {}

    private static final VectorSpecies<Float> F = I.withLanes(float.class);
    private static final VectorSpecies<Double> D = VectorTruncNormal.D;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    // Indexes into two vectors (a, b) for selectFrom: a0 b0 a1 b1 ..., the first half and the
    // second: pairs' firsts and seconds, or z0 and z1, back into element order.
    private static final IntVector INTERLEAVE_LOW = IntVector.zero(I).addIndex(1).lanewise(VectorOperators.LSHR, 1)
            .add(IntVector.zero(I).addIndex(1).and(1).mul(ELEMENTS));
    private static final IntVector INTERLEAVE_HIGH = INTERLEAVE_LOW.add(ELEMENTS / 2);

    /** The elements before the next Philox block, which the scalar source computes. */
    private static int head(long from, int len) {
        return (int) Math.min(len, (-from) & 3);
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
        blocks(UNIFORM_PHASES, source, seed, stream, a, b, from, out, len);
    }

    /** The uniforms of elements {@code [at, at + count)} from the block's words, stored in element order. */
    static void uniforms(int[] firsts, int[] seconds, float a, float b, MemorySegment out, int at, int count) {
        FloatVector vRange = FloatVector.broadcast(F, b - a), vA = FloatVector.broadcast(F, a);
        for (int i = 0; i < count; i += WORDS) {
            IntVector f = IntVector.fromArray(I, firsts, i / 2), s = IntVector.fromArray(I, seconds, i / 2);
            uniform(INTERLEAVE_LOW.selectFrom(f, s), vRange, vA, b).intoMemorySegment(out, (long) (at + i) * 4, LE);
            uniform(INTERLEAVE_HIGH.selectFrom(f, s), vRange, vA, b)
                    .intoMemorySegment(out, (long) (at + i + ELEMENTS) * 4, LE);
        }
    }

    /** {@link Samplers#uniform}'s formula lane-wise: {@code fma(unit(w), b - a, a)}, {@code a} where it rounds up to {@code b}. */
    private static FloatVector uniform(IntVector w, FloatVector vRange, FloatVector vA, float b) {
        FloatVector v = unit(w).fma(vRange, vA);
        return v.blend(vA, v.compare(VectorOperators.GE, b));
    }

    /** {@link Samplers#unit} lane-wise: {@code (w >>> 8) 2^-24}. */
    private static FloatVector unit(IntVector w) {
        return ((FloatVector) w.lanewise(VectorOperators.LSHR, 8).convert(VectorOperators.I2F, 0)).mul(0x1p-24f);
    }

    /** Elements per block: its arrays stay in L1 from one phase to the next. */
    private static final int BLOCK = 1024;

    /** One block of a sampler as it goes through the phases; one per thread. */
    private static final class Block {
        final int[] keys = new int[VectorPhilox.KEYS];
        final int[] firsts = new int[BLOCK / 2];
        final int[] seconds = new int[BLOCK / 2];
        final float[] radii = new float[BLOCK / 2];
        /** The normal's values, in element order, before they are copied to the tensor. */
        final float[] values = new float[BLOCK];
        /**
         * The truncated normal's uniforms in erf space v in element order; its tail elements' v
         * (then their quantiles) and log((1 - |v|) / 2), packed, {@code tailCount} of them.
         */
        final double[] erfSpace = new double[BLOCK];
        final double[] tails = new double[BLOCK + ELEMENTS];
        final double[] tailLogs = new double[BLOCK + ELEMENTS];
        int tailCount;
        long stream, group;
        /** uniform: a and b; normal: mean and std. */
        float x, y;
        Samplers.Truncation truncation;
        MemorySegment out;
        int at, count;
    }

    private static final ThreadLocal<Block> BLOCKS = ThreadLocal.withInitial(Block::new);

    /**
     * The passes over a block, called through method handles read from an array: a handle that
     * is not a constant is never inlined by C2, so each pass compiles on its own. Inlined
     * together they pass C2's inlining node budget (it parses each Vector API call into many
     * nodes before it intrinsifies them) and every vector between them is boxed: measured 5x
     * slower for the uniform in a JVM that ran no other sampler, when its two passes were
     * virtual calls on two classes (C2 inlines a call site that has seen two receiver classes).
     */
    private static final MethodHandle[] UNIFORM_PHASES = phases("philoxPhase", "uniformPhase");
    private static final MethodHandle[] NORMAL_PHASES = phases("philoxPhase", "radiiPhase", "anglesPhase");
    private static final MethodHandle[] TRUNC_NORMAL_PHASES =
            phases("philoxPhase", "erfSpacePhase", "tailLogsPhase", "tailQuantilesPhase", "quantilesPhase",
                    "truncValuesPhase");

    private static MethodHandle[] phases(String... names) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodType type = MethodType.methodType(void.class, Block.class);
        MethodHandle[] out = new MethodHandle[names.length];
        try {
            for (int k = 0; k < names.length; k++) {
                out[k] = lookup.findStatic(VectorSamplers.class, names[k], type);
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static void philoxPhase(Block b) {
        VectorPhilox.words(b.keys, b.stream, b.group, b.firsts, b.seconds, b.count);
    }

    private static void uniformPhase(Block b) {
        uniforms(b.firsts, b.seconds, b.x, b.y, b.out, b.at, b.count);
    }

    private static void radiiPhase(Block b) {
        radii(b.firsts, b.radii, b.count);
    }

    private static void anglesPhase(Block b) {
        angles(b.seconds, b.radii, b.x, b.y, b.values, b.count);
        MemorySegment.copy(b.values, 0, b.out, FLOAT, (long) b.at * 4, b.count);
    }

    private static void erfSpacePhase(Block b) {
        erfSpace(b.firsts, b.seconds, b.truncation, b.erfSpace, b.count);
        b.tailCount = VectorTruncNormal.compactTails(b.erfSpace, b.tails, b.tailLogs, b.count);
    }

    private static void tailLogsPhase(Block b) {
        VectorTruncNormal.logs(b.tailLogs, b.tailLogs, b.tailCount);
    }

    private static void tailQuantilesPhase(Block b) {
        VectorTruncNormal.tailQuantiles(b.tails, b.tailLogs, b.tailCount);
    }

    private static void quantilesPhase(Block b) {
        VectorTruncNormal.quantiles(b.erfSpace, b.tails, b.count);
    }

    private static void truncValuesPhase(Block b) {
        VectorTruncNormal.values(b.erfSpace, b.truncation, b.out, b.at, b.count);
    }

    /**
     * Runs {@code phases} over L1-sized blocks of whole Philox steps; the elements before the
     * first block boundary and after the last whole step go through the scalar {@code source}.
     */
    private static void blocks(MethodHandle[] phases, Samplers.ChunkSource source, long seed, long stream, float x, float y,
            long from, MemorySegment out, int len) {
        Block b = BLOCKS.get();
        b.x = x;
        b.y = y;
        blocks(b, phases, source, seed, stream, from, out, len);
    }

    /** {@link #blocks} with the sampler's parameters already in {@code b}. */
    private static void blocks(Block b, MethodHandle[] phases, Samplers.ChunkSource source, long seed, long stream,
            long from, MemorySegment out, int len) {
        int head = head(from, len);
        int end = head + (len - head) / WORDS * WORDS;
        scalar(source, from, out, 0, head);
        VectorPhilox.roundKeys(seed, b.keys);
        b.stream = stream;
        b.out = out;
        for (int at = head; at < end; at += BLOCK) {
            b.at = at;
            b.count = Math.min(BLOCK, end - at);
            b.group = (from + at) >>> 2;
            for (MethodHandle phase : phases) {
                try {
                    phase.invokeExact(b);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new AssertionError(t); // the passes throw nothing checked
                }
            }
        }
        b.out = null; // do not keep the tensor reachable from the thread
        scalar(source, from, out, end, len - end);
    }

    /**
     * {@link Samplers#pair} lane-wise. A pair's first word gives its radius: a vector of them
     * takes one vector of logs; its second word gives its angle: one remainder and one sine and
     * cosine polynomial each; {@code sin2pi(t)} is {@code cos2pi}'s quadrant case
     * {@code (q + 3) & 3} with the same remainder (the same polynomials, swapped and negated in
     * other quadrants). Two permutes put (z0, z1) back in element order. Three passes (Philox
     * words, radii, angles and output) over L1-sized blocks, see {@link #NORMAL_PHASES}; the
     * radius inside the angles' loop made C2 box every vector (36 B/element, 4.7x slower).
     */
    static void normal(Samplers.ChunkSource source, long seed, long stream, float mean, float std, long from,
            MemorySegment out, int len) {
        blocks(NORMAL_PHASES, source, seed, stream, mean, std, from, out, len);
    }

    /** The radius of pair {@code p} into {@code radii[p]}; count (elements) a multiple of two vectors. */
    static void radii(int[] firsts, float[] radii, int count) {
        for (int p = 0; p < count / 2; p += ELEMENTS) {
            radius(IntVector.fromArray(I, firsts, p)).intoArray(radii, p);
        }
    }

    /**
     * {@code fma(r cos, std, mean)} and {@code fma(r sin, std, mean)} of each pair, in element
     * order into {@code values}. An array, copied to the tensor once per block: each Vector API
     * store to a segment costs some forty scalar instructions of checks (the segment's class,
     * read-only, bounds, liveness), as many as the vector work of its sixteen values.
     */
    static void angles(int[] seconds, float[] radii, float mean, float std, float[] values, int count) {
        FloatVector vStd = FloatVector.broadcast(F, std), vMean = FloatVector.broadcast(F, mean);
        for (int i = 0; i < count; i += 2 * ELEMENTS) {
            IntVector turns = IntVector.fromArray(I, seconds, i / 2).lanewise(VectorOperators.LSHR, 8);
            IntVector q = quadrants(turns);
            FloatVector f = remainders(turns, q);
            FloatVector f2 = f.mul(f);
            FloatVector sinTurns = horner(SIN, f2).mul(f);
            FloatVector cosTurns = horner(COS, f2);
            VectorMask<Float> odd = odd(q);
            FloatVector r = FloatVector.fromArray(F, radii, i / 2);
            IntVector z0 = r.mul(cos2pi(q, sinTurns, cosTurns, odd)).fma(vStd, vMean).reinterpretAsInts();
            IntVector z1 = r.mul(sin2pi(q, sinTurns, cosTurns, odd)).fma(vStd, vMean).reinterpretAsInts();
            INTERLEAVE_LOW.selectFrom(z0, z1).reinterpretAsFloats().intoArray(values, i);
            INTERLEAVE_HIGH.selectFrom(z0, z1).reinterpretAsFloats().intoArray(values, i + ELEMENTS);
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
        FloatVector x = m.blend(m.add(m), small).sub(1f); // (m + m) - 1 or m - 1: one subtraction for both
        FloatVector z = x.mul(x);
        FloatVector p = horner(LOG, x);
        FloatVector fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector y = p.mul(x).mul(z);
        y = fe.fma(c(Float32Math.LN2_LO), y);
        y = z.fma(c(-0.5f), y);
        FloatVector r = x.add(y);
        return fe.fma(c(Float32Math.LN2_HI), r);
    }

    /** {@link Float32Math#quadrant} lane-wise, before its {@code & 3}: 0 to 4, 4 meaning 0. */
    private static IntVector quadrants(IntVector turns24) {
        return turns24.add(1 << 21).lanewise(VectorOperators.LSHR, 22);
    }

    /** {@link Float32Math#remainder} lane-wise, given the lanes' {@link #quadrants}. */
    private static FloatVector remainders(IntVector turns24, IntVector q) {
        return ((FloatVector) turns24.sub(q.lanewise(VectorOperators.LSHL, 22)).convert(VectorOperators.I2F, 0))
                .mul(0x1p-24f);
    }

    /** The lanes of an odd quadrant, where cos2pi takes the sine polynomial and sin2pi the cosine. */
    private static VectorMask<Float> odd(IntVector q) {
        return q.and(1).compare(VectorOperators.NE, 0).cast(F);
    }

    /** {@link Float32Math#cos2pi} lane-wise: case {@code q & 3} of (cos, -sin, -cos, sin) of the remainder. */
    private static FloatVector cos2pi(IntVector q, FloatVector sinTurns, FloatVector cosTurns, VectorMask<Float> odd) {
        return negatedWhereBit1(cosTurns.blend(sinTurns, odd), q.add(1));
    }

    /** {@link Float32Math#sin2pi} lane-wise: case {@code q & 3} of (sin, cos, -sin, -cos) of the remainder. */
    private static FloatVector sin2pi(IntVector q, FloatVector sinTurns, FloatVector cosTurns, VectorMask<Float> odd) {
        return negatedWhereBit1(sinTurns.blend(cosTurns, odd), q);
    }

    /**
     * {@code v} negated in the lanes where bit 1 of {@code k} is set: that bit shifted to the
     * sign and xor-ed in, as the scalar negation flips it (C2 makes the and and the xor one
     * {@code vpternlogd}).
     */
    private static FloatVector negatedWhereBit1(FloatVector v, IntVector k) {
        IntVector sign = k.lanewise(VectorOperators.LSHL, 30).and(0x8000_0000);
        return v.reinterpretAsInts().lanewise(VectorOperators.XOR, sign).reinterpretAsFloats();
    }

    /** {@link Float32Math#cos2pi} of {@code turns24} lane-wise, through {@link #angles}' steps. */
    static FloatVector cos2pi(IntVector turns24) {
        IntVector q = quadrants(turns24);
        FloatVector f = remainders(turns24, q);
        FloatVector f2 = f.mul(f);
        return cos2pi(q, horner(SIN, f2).mul(f), horner(COS, f2), odd(q));
    }

    /** {@link Float32Math#sin2pi} of {@code turns24} lane-wise, through {@link #angles}' steps. */
    static FloatVector sin2pi(IntVector turns24) {
        IntVector q = quadrants(turns24);
        FloatVector f = remainders(turns24, q);
        FloatVector f2 = f.mul(f);
        return sin2pi(q, horner(SIN, f2).mul(f), horner(COS, f2), odd(q));
    }

    /**
     * {@link Samplers#truncNormal} lane-wise, in five passes after Philox's: the words to erf
     * space v (in element order, as doubles) and the tail elements packed, the log of their
     * {@code (1 - |v|) / 2}, their quantiles, every element's quantile (the central rational or
     * its tail's), then {@code fma(z, std, mean)}, the clamp and the rounding to float
     * ({@link VectorTruncNormal}). The quantiles pass apart from the last keeps the doubles
     * where a test can compare them bit for bit (the float rounding hides most one-ulp slips).
     */
    static void truncNormal(Samplers.ChunkSource source, long seed, long stream, Samplers.Truncation t, long from,
            MemorySegment out, int len) {
        Block b = BLOCKS.get();
        b.truncation = t;
        blocks(b, TRUNC_NORMAL_PHASES, source, seed, stream, from, out, len);
    }

    /** {@code v = fma(unit(w), width, lo)} of elements {@code [0, count)} in element order, into {@code v}. */
    static void erfSpace(int[] firsts, int[] seconds, Samplers.Truncation t, double[] v, int count) {
        DoubleVector width = DoubleVector.broadcast(D, t.width()), lo = DoubleVector.broadcast(D, t.lo());
        for (int i = 0; i < count; i += WORDS) {
            IntVector f = IntVector.fromArray(I, firsts, i / 2), s = IntVector.fromArray(I, seconds, i / 2);
            for (int half = 0; half < 2; half++) {
                IntVector top = (half == 0 ? INTERLEAVE_LOW : INTERLEAVE_HIGH).selectFrom(f, s)
                        .lanewise(VectorOperators.LSHR, 8);
                // the int lanes as doubles, D's length at a time: unit(w) is exact in either
                for (int part = 0; part < ELEMENTS / D.length(); part++) {
                    ((DoubleVector) top.convertShape(VectorOperators.I2D, D, part)).mul(0x1p-24).fma(width, lo)
                            .intoArray(v, i + half * ELEMENTS + part * D.length());
                }
            }
        }
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

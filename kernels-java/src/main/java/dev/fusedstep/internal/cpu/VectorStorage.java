package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.HalfFloats.F16_DENORM_MAGIC;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_EXP_SHIFTED;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_INF_NAN_EXTRA;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_REBIAS;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_SUBNORMAL_MAGIC;
import static dev.fusedstep.internal.cpu.HalfFloats.F32_INFINITY;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.Lanes.LE;

import dev.fusedstep.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector element access in any storage dtype: {@link Storage}'s steps lane-wise, so both give
 * the same bits. JDK 25 has no half-float lanes, so the half formats are integer arithmetic on
 * int lanes ({@link HalfFloats} spells the steps out in scalar form). Loaded only when the
 * Vector API is in use; {@code i} is an element index.
 */
final class VectorStorage {
    private VectorStorage() {}

    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** Shorts with as many lanes as {@link #I}: half the bits. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final float SUBNORMAL_MAGIC = Float.intBitsToFloat(F16_SUBNORMAL_MAGIC);
    private static final float DENORM_MAGIC = Float.intBitsToFloat(F16_DENORM_MAGIC);
    private static final IntVector IOTA = IntVector.zero(I).addIndex(1);

    static FloatVector load(MemorySegment s, DType d, long i) {
        return switch (d) {
            case F32 -> FloatVector.fromMemorySegment(F, s, i * 4, LE);
            case BF16 -> bf16ToFloat(loadHalves(s, i));
            case F16 -> f16ToFloat(loadHalves(s, i));
            case F64 -> throw new AssertionError("F64 is never stored by a kernel");
        };
    }

    static void store(MemorySegment s, DType d, long i, FloatVector v) {
        switch (d) {
            case F32 -> v.intoMemorySegment(s, i * 4, LE);
            case BF16 -> storeHalves(floatToBf16(v), s, i);
            case F16 -> storeHalves(floatToF16(v), s, i);
            case F64 -> throw new AssertionError("F64 is never stored by a kernel");
        }
    }

    /** Float32 lanes at element {@code i} of a block that starts {@code at} bytes into {@code s}. */
    static FloatVector loadF32(MemorySegment s, long at, long i) {
        return FloatVector.fromMemorySegment(F, s, at + i * Float.BYTES, LE);
    }

    static void storeF32(MemorySegment s, long at, long i, FloatVector v) {
        v.intoMemorySegment(s, at + i * Float.BYTES, LE);
    }

    static IntVector loadHalves(MemorySegment src, long i) {
        return (IntVector) ShortVector.fromMemorySegment(S, src, i * 2, LE).convertShape(VectorOperators.S2I, I, 0);
    }

    static void storeHalves(IntVector bits, MemorySegment dst, long i) {
        bits.convertShape(VectorOperators.I2S, S, 0).intoMemorySegment(dst, i * 2, LE);
    }

    static FloatVector bf16ToFloat(IntVector h) {
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    // floatToBf16's constants as vectors, for the reason given at floatToF16's: fewer nodes for
    // C2's inlining budget in the loops that round inline (the kernels' fused loops).
    private static final IntVector LOW_BIT = IntVector.broadcast(I, 1);
    private static final IntVector HALF_ULP_BELOW = IntVector.broadcast(I, 0x7FFF);
    private static final IntVector BF16_NAN = IntVector.broadcast(I, 0x7FC0);

    static IntVector floatToBf16(FloatVector f) {
        IntVector bits = f.reinterpretAsInts();
        IntVector bias = bits.lanewise(VectorOperators.LSHR, 16).and(LOW_BIT).add(HALF_ULP_BELOW);
        return bits.add(bias).lanewise(VectorOperators.LSHR, 16).blend(BF16_NAN, isNaN(bits));
    }

    static IntVector floatToBf16Stochastic(FloatVector f, IntVector random) {
        IntVector bits = f.reinterpretAsInts();
        return bits.add(random.lanewise(VectorOperators.LSHR, 16))
                .lanewise(VectorOperators.LSHR, 16).blend(BF16_NAN, isNaN(bits));
    }

    /** NaN lanes of float bits, as an int compare: no float-to-int mask conversion in the loop. */
    private static VectorMask<Integer> isNaN(IntVector bits) {
        return bits.and(ABS).compare(VectorOperators.GT, INFINITY_BITS);
    }

    static FloatVector f16ToFloat(IntVector h) {
        IntVector o = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        IntVector exp = o.and(F16_EXP_SHIFTED);
        o = o.add(F16_REBIAS);
        IntVector infNan = o.add(F16_INF_NAN_EXTRA);
        IntVector subnormal = o.add(1 << 23).reinterpretAsFloats().sub(SUBNORMAL_MAGIC).reinterpretAsInts();
        o = o.blend(infNan, exp.eq(F16_EXP_SHIFTED)).blend(subnormal, exp.eq(0));
        return o.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    // floatToF16's constants as vectors: a broadcast inside the loop body costs C2 as many parse
    // nodes as the operation it feeds, and with them the f32 -> F16 cast loop passed C2's
    // node-count inlining cutoff, which left its store un-inlined and its vectors boxed.
    private static final IntVector ABS = IntVector.broadcast(I, 0x7FFFFFFF);
    private static final FloatVector DENORM_MAGIC_F = FloatVector.broadcast(F, DENORM_MAGIC);
    private static final IntVector DENORM_MAGIC_I = IntVector.broadcast(I, F16_DENORM_MAGIC);
    private static final IntVector ONE = IntVector.broadcast(I, 1);
    private static final IntVector NORMAL_BIAS = IntVector.broadcast(I, ((15 - 127) << 23) + 0xFFF);
    private static final IntVector F16_INFINITY = IntVector.broadcast(I, 0x7C00);
    private static final IntVector F16_NAN = IntVector.broadcast(I, 0x7E00);
    private static final IntVector SUBNORMAL_LIMIT = IntVector.broadcast(I, F16_SUBNORMAL_MAGIC);
    private static final IntVector INFINITY_BITS = IntVector.broadcast(I, F32_INFINITY);
    private static final IntVector SIGN16 = IntVector.broadcast(I, 0x8000);

    /**
     * {@link HalfFloats#floatToF16} lane-wise, with its overflow branch folded into a min: the
     * normal path's result grows past 0x7C00 for every magnitude from 65536 up to infinity, so
     * clamping it gives infinity there; NaN lanes are then set to 0x7E00. Checked equal to the
     * scalar steps on all 2^32 inputs.
     */
    static IntVector floatToF16(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        IntVector f = bits.and(ABS);
        IntVector subnormal = v.abs().add(DENORM_MAGIC_F).reinterpretAsInts().sub(DENORM_MAGIC_I);
        IntVector mantissaOdd = f.lanewise(VectorOperators.LSHR, 13).and(ONE);
        IntVector normal = f.add(NORMAL_BIAS).add(mantissaOdd).lanewise(VectorOperators.LSHR, 13).min(F16_INFINITY);
        IntVector o = normal.blend(subnormal, f.compare(VectorOperators.LT, SUBNORMAL_LIMIT))
                .blend(F16_NAN, f.compare(VectorOperators.GT, INFINITY_BITS));
        return o.or(bits.lanewise(VectorOperators.LSHR, 16).and(SIGN16));
    }

    /** {@link Storage#randomBits} for the lanes' elements {@code index, index+1, ...}. */
    static IntVector randomBits(int key, int index) {
        IntVector x = IOTA.add(index).mul(0x9E3779B9).add(key);
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16)).mul(0x7FEB352D);
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 15)).mul(0x846CA68B);
        return x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
    }
}

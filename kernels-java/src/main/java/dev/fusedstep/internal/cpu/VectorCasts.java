package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.HalfFloats.F16_DENORM_MAGIC;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_EXP_SHIFTED;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_INF_NAN_EXTRA;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_OVERFLOW;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_REBIAS;
import static dev.fusedstep.internal.cpu.HalfFloats.F16_SUBNORMAL_MAGIC;
import static dev.fusedstep.internal.cpu.HalfFloats.F32_INFINITY;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.Lanes.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API halves of {@link CastKernel}: the steps of {@link HalfFloats}, lane-wise, with
 * masks and blends in place of branches. Each method returns where the scalar tail starts.
 * Loaded only when the Vector API is in use.
 */
final class VectorCasts {
    private VectorCasts() {}

    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** Shorts with as many lanes as {@link #I}: half the bits. */
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final float SUBNORMAL_MAGIC = Float.intBitsToFloat(F16_SUBNORMAL_MAGIC);
    private static final float DENORM_MAGIC = Float.intBitsToFloat(F16_DENORM_MAGIC);

    private static IntVector loadHalves(MemorySegment src, long i) {
        return (IntVector) ShortVector.fromMemorySegment(S, src, i * 2, LE).convertShape(VectorOperators.S2I, I, 0);
    }

    private static void storeHalves(IntVector bits, MemorySegment dst, long i) {
        bits.convertShape(VectorOperators.I2S, S, 0).intoMemorySegment(dst, i * 2, LE);
    }

    static long bf16ToF32(MemorySegment src, MemorySegment dst, long start, long end) {
        long i = start;
        for (long bound = start + F.loopBound(end - start); i < bound; i += F.length()) {
            loadHalves(src, i).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoMemorySegment(dst, i * 4, LE);
        }
        return i;
    }

    static long f32ToBf16(MemorySegment src, MemorySegment dst, long start, long end) {
        long i = start;
        for (long bound = start + F.loopBound(end - start); i < bound; i += F.length()) {
            FloatVector f = FloatVector.fromMemorySegment(F, src, i * 4, LE);
            VectorMask<Integer> nan = f.test(VectorOperators.IS_NAN).cast(I);
            IntVector bits = f.reinterpretAsInts();
            IntVector bias = bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7FFF);
            storeHalves(bits.add(bias).lanewise(VectorOperators.LSHR, 16).blend(0x7FC0, nan), dst, i);
        }
        return i;
    }

    static long f16ToF32(MemorySegment src, MemorySegment dst, long start, long end) {
        long i = start;
        for (long bound = start + F.loopBound(end - start); i < bound; i += F.length()) {
            IntVector h = loadHalves(src, i);
            IntVector o = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            IntVector exp = o.and(F16_EXP_SHIFTED);
            o = o.add(F16_REBIAS);
            IntVector infNan = o.add(F16_INF_NAN_EXTRA);
            IntVector subnormal = o.add(1 << 23).reinterpretAsFloats().sub(SUBNORMAL_MAGIC).reinterpretAsInts();
            o = o.blend(infNan, exp.eq(F16_EXP_SHIFTED)).blend(subnormal, exp.eq(0));
            o.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().intoMemorySegment(dst, i * 4, LE);
        }
        return i;
    }

    static long f32ToF16(MemorySegment src, MemorySegment dst, long start, long end) {
        long i = start;
        for (long bound = start + F.loopBound(end - start); i < bound; i += F.length()) {
            IntVector f = FloatVector.fromMemorySegment(F, src, i * 4, LE).reinterpretAsInts();
            IntVector sign = f.and(0x80000000);
            f = f.lanewise(VectorOperators.XOR, sign);
            IntVector overflow = IntVector.broadcast(I, 0x7C00).blend(0x7E00, f.compare(VectorOperators.GT, F32_INFINITY));
            IntVector subnormal = f.reinterpretAsFloats().add(DENORM_MAGIC).reinterpretAsInts().sub(F16_DENORM_MAGIC);
            IntVector mantissaOdd = f.lanewise(VectorOperators.LSHR, 13).and(1);
            IntVector normal = f.add(((15 - 127) << 23) + 0xFFF).add(mantissaOdd).lanewise(VectorOperators.LSHR, 13);
            IntVector o = normal.blend(subnormal, f.compare(VectorOperators.LT, F16_SUBNORMAL_MAGIC))
                    .blend(overflow, f.compare(VectorOperators.GE, F16_OVERFLOW));
            storeHalves(o.or(sign.lanewise(VectorOperators.LSHR, 16)), dst, i);
        }
        return i;
    }
}

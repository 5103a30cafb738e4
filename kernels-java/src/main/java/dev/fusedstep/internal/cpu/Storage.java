package dev.fusedstep.internal.cpu;

import dev.fusedstep.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar element access in any storage dtype, widening to float32 on load and rounding on store
 * (nearest-even, or stochastic for BF16 parameters). The dtype switches are loop-invariant, so
 * the JIT hoists or predicts them.
 */
final class Storage {
    private Storage() {}

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;

    static float load(MemorySegment s, DType d, long i) {
        return switch (d) {
            case F32 -> F32.get(s, i);
            case BF16 -> HalfFloats.bf16ToFloat(s.getAtIndex(HALF, i));
            case F16 -> HalfFloats.f16ToFloat(s.getAtIndex(HALF, i));
            case F64 -> throw new AssertionError("F64 is never stored by a kernel");
        };
    }

    static void store(MemorySegment s, DType d, long i, float v) {
        switch (d) {
            case F32 -> F32.set(s, i, v);
            case BF16 -> s.setAtIndex(HALF, i, HalfFloats.floatToBf16(v));
            case F16 -> s.setAtIndex(HALF, i, HalfFloats.floatToF16(v));
            case F64 -> throw new AssertionError("F64 is never stored by a kernel");
        }
    }

    static void storeParam(MemorySegment s, DType d, long i, float v, boolean stochastic, int key) {
        if (stochastic && d == DType.BF16) {
            s.setAtIndex(HALF, i, floatToBf16Stochastic(v, randomBits(key, (int) i)));
        } else {
            store(s, d, i, v);
        }
    }

    /**
     * Rounds to BF16 up or down with probability proportional to the distance, so that the
     * expected value is {@code v} (unbiased): add 16 random bits below the kept ones, truncate.
     * NaN stays a NaN (0x7FC0, as nearest-even gives).
     */
    static short floatToBf16Stochastic(float v, int random) {
        if (v != v) {
            return (short) 0x7FC0;
        }
        return (short) ((Float.floatToRawIntBits(v) + (random >>> 16)) >>> 16);
    }

    /**
     * 32 well-mixed bits for element {@code index} under {@code key} (the "lowbias32" integer
     * hash): a pure function, so every thread count and the vector loop draw the same bits.
     * Elements 2^32 apart share bits, which no rounding statistic can see.
     */
    static int randomBits(int key, int index) {
        int x = index * 0x9E3779B9 + key;
        x ^= x >>> 16;
        x *= 0x7FEB352D;
        x ^= x >>> 15;
        x *= 0x846CA68B;
        x ^= x >>> 16;
        return x;
    }
}

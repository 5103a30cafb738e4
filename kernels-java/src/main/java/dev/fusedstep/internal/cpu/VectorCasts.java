package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API loops of {@link CastKernel} and of the optimizers' half-precision staging
 * ({@link StagedLoop}), over {@link VectorStorage}'s conversions: {@code count} elements from
 * element {@code from} of {@code src} to element {@code to} of {@code dst}. Each returns how many
 * elements it converted (a multiple of the lane count); the caller's scalar loop does the rest.
 * Both segments must be native ({@link NativeSegments}). Loaded only when the Vector API is in use.
 */
final class VectorCasts {
    private VectorCasts() {}

    static long bf16ToF32(MemorySegment src, long from, MemorySegment dst, long to, long count) {
        long bound = F.loopBound(count);
        src = NATIVE.cast(src);
        dst = NATIVE.cast(dst);
        for (long i = 0; i < bound; i += F.length()) {
            VectorStorage.bf16ToFloat(VectorStorage.loadHalves(src, from + i)).intoMemorySegment(dst, (to + i) * 4, Lanes.LE);
        }
        return bound;
    }

    static long f32ToBf16(MemorySegment src, long from, MemorySegment dst, long to, long count) {
        long bound = F.loopBound(count);
        src = NATIVE.cast(src);
        dst = NATIVE.cast(dst);
        for (long i = 0; i < bound; i += F.length()) {
            VectorStorage.storeHalves(VectorStorage.floatToBf16(
                    FloatVector.fromMemorySegment(F, src, (from + i) * 4, Lanes.LE)), dst, to + i);
        }
        return bound;
    }

    /**
     * {@link #f32ToBf16} with stochastic rounding: the random bits of element {@code i} come from
     * {@code key} and its index {@code draw + i} in the destination tensor (which {@code dst} may
     * hold a copy of, from {@code to}), so they never depend on how a pass is split.
     */
    static long f32ToBf16Stochastic(MemorySegment src, long from, MemorySegment dst, long to, long count, int key,
            long draw) {
        long bound = F.loopBound(count);
        src = NATIVE.cast(src);
        dst = NATIVE.cast(dst);
        for (long i = 0; i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromMemorySegment(F, src, (from + i) * 4, Lanes.LE);
            VectorStorage.storeHalves(VectorStorage.floatToBf16Stochastic(v,
                    VectorStorage.randomBits(key, (int) (draw + i))), dst, to + i);
        }
        return bound;
    }

    static long f16ToF32(MemorySegment src, long from, MemorySegment dst, long to, long count) {
        long bound = F.loopBound(count);
        src = NATIVE.cast(src);
        dst = NATIVE.cast(dst);
        for (long i = 0; i < bound; i += F.length()) {
            VectorStorage.f16ToFloat(VectorStorage.loadHalves(src, from + i)).intoMemorySegment(dst, (to + i) * 4, Lanes.LE);
        }
        return bound;
    }

    static long f32ToF16(MemorySegment src, long from, MemorySegment dst, long to, long count) {
        long bound = F.loopBound(count);
        src = NATIVE.cast(src);
        dst = NATIVE.cast(dst);
        for (long i = 0; i < bound; i += F.length()) {
            VectorStorage.storeHalves(VectorStorage.floatToF16(
                    FloatVector.fromMemorySegment(F, src, (from + i) * 4, Lanes.LE)), dst, to + i);
        }
        return bound;
    }
}

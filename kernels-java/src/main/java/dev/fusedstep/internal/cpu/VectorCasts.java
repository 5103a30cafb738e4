package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API loops of {@link CastKernel}, over {@link VectorStorage}'s conversions. Each
 * returns where the scalar tail starts. Loaded only when the Vector API is in use.
 */
final class VectorCasts {
    private VectorCasts() {}

    static long bf16ToF32(MemorySegment src, MemorySegment dst, long start, long end) {
        long i = start;
        for (long bound = start + F.loopBound(end - start); i < bound; i += F.length()) {
            VectorStorage.bf16ToFloat(VectorStorage.loadHalves(src, i)).intoMemorySegment(dst, i * 4, Lanes.LE);
        }
        return i;
    }

    static long f32ToBf16(MemorySegment src, MemorySegment dst, long start, long end) {
        long i = start;
        for (long bound = start + F.loopBound(end - start); i < bound; i += F.length()) {
            VectorStorage.storeHalves(VectorStorage.floatToBf16(
                    FloatVector.fromMemorySegment(F, src, i * 4, Lanes.LE)), dst, i);
        }
        return i;
    }

    static long f16ToF32(MemorySegment src, MemorySegment dst, long start, long end) {
        long i = start;
        for (long bound = start + F.loopBound(end - start); i < bound; i += F.length()) {
            VectorStorage.f16ToFloat(VectorStorage.loadHalves(src, i)).intoMemorySegment(dst, i * 4, Lanes.LE);
        }
        return i;
    }

    static long f32ToF16(MemorySegment src, MemorySegment dst, long start, long end) {
        long i = start;
        for (long bound = start + F.loopBound(end - start); i < bound; i += F.length()) {
            VectorStorage.storeHalves(VectorStorage.floatToF16(
                    FloatVector.fromMemorySegment(F, src, i * 4, Lanes.LE)), dst, i);
        }
        return i;
    }
}

package dev.fusedstep.internal.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Scalar float32 element access shared by the scalar loops (little-endian, unaligned). */
final class F32 {
    private F32() {}

    static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static float get(MemorySegment s, long i) {
        return s.getAtIndex(LAYOUT, i);
    }

    static void set(MemorySegment s, long i, float v) {
        s.setAtIndex(LAYOUT, i, v);
    }
}

package dev.fusedstep.internal.cpu;

import dev.fusedstep.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Element casts between F32 and the half formats (BF16, F16), round-to-nearest-even, one pass,
 * scalar and Vector API loops with the same bits. The Vector API of JDK 25 has no half-float
 * lanes, so both directions are integer arithmetic on int lanes ({@link HalfFloats} spells out
 * the steps once, in scalar form).
 */
public enum CastKernel {
    BF16_TO_F32(DType.BF16, DType.F32),
    F32_TO_BF16(DType.F32, DType.BF16),
    F16_TO_F32(DType.F16, DType.F32),
    F32_TO_F16(DType.F32, DType.F16);

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final DType from;
    private final DType to;

    CastKernel(DType from, DType to) {
        this.from = from;
        this.to = to;
    }

    /** The cast from {@code src} to {@code dst}, or null if there is none (same dtype: a copy; F64 is read-only). */
    public static CastKernel between(DType src, DType dst) {
        for (CastKernel k : values()) {
            if (k.from == src && k.to == dst) {
                return k;
            }
        }
        return null;
    }

    public DType from() {
        return from;
    }

    public DType to() {
        return to;
    }

    /** Casts elements {@code [start, end)} of {@code src} into {@code dst}. */
    public void scalar(MemorySegment src, MemorySegment dst, long start, long end) {
        switch (this) {
            case BF16_TO_F32 -> {
                for (long i = start; i < end; i++) {
                    F32.set(dst, i, HalfFloats.bf16ToFloat(src.getAtIndex(HALF, i)));
                }
            }
            case F32_TO_BF16 -> {
                for (long i = start; i < end; i++) {
                    dst.setAtIndex(HALF, i, HalfFloats.floatToBf16(F32.get(src, i)));
                }
            }
            case F16_TO_F32 -> {
                for (long i = start; i < end; i++) {
                    F32.set(dst, i, HalfFloats.f16ToFloat(src.getAtIndex(HALF, i)));
                }
            }
            case F32_TO_F16 -> {
                for (long i = start; i < end; i++) {
                    dst.setAtIndex(HALF, i, HalfFloats.floatToF16(F32.get(src, i)));
                }
            }
        }
    }

    /** The Vector API loop; only call when the Vector API is available. */
    public void vector(MemorySegment src, MemorySegment dst, long start, long end) {
        if (!NativeSegments.castable(src) || !NativeSegments.castable(dst)) {
            throughNative(src, dst, start, end);
            return;
        }
        long done = start + vectorLoop(src, dst, start, end - start);
        scalar(src, dst, done, end);
    }

    /** The vector loop over {@code n} elements from {@code start} of native segments; returns how many it cast. */
    private long vectorLoop(MemorySegment src, MemorySegment dst, long start, long n) {
        return switch (this) {
            case BF16_TO_F32 -> VectorCasts.bf16ToF32(src, start, dst, start, n);
            case F32_TO_BF16 -> VectorCasts.f32ToBf16(src, start, dst, start, n);
            case F16_TO_F32 -> VectorCasts.f16ToF32(src, start, dst, start, n);
            case F32_TO_F16 -> VectorCasts.f32ToF16(src, start, dst, start, n);
        };
    }

    /** Elements per block of {@link #throughNative}: its two blocks (32 KiB) stay in L1 and L2. */
    private static final int STAGED = 4096;

    /**
     * {@link #vector} where {@code src} or {@code dst} is on the heap: each block is copied to
     * native scratch, cast there, and copied out, because the vector loops take native segments
     * only ({@link NativeSegments}).
     */
    private void throughNative(MemorySegment src, MemorySegment dst, long start, long end) {
        long inSize = from.byteSize(), outSize = to.byteSize();
        MemorySegment in = NativeSegments.scratch(0, STAGED * inSize);
        MemorySegment out = NativeSegments.scratch(1, STAGED * outSize);
        for (long at = start; at < end; at += STAGED) {
            long n = Math.min(STAGED, end - at);
            MemorySegment.copy(src, at * inSize, in, 0, n * inSize);
            scalar(in, out, vectorLoop(in, out, 0, n), n);
            MemorySegment.copy(out, 0, dst, at * outSize, n * outSize);
        }
    }
}

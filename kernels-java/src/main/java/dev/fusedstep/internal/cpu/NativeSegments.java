package dev.fusedstep.internal.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Tells C2, inside a vector loop, that a segment is native, so that the loop compiles the same
 * whatever else the JVM has run.
 *
 * <p>Why: every Vector API access to a segment goes through a few JDK methods whose type
 * profiles all callers share, and the JVM fills them with heap segments on its own. The
 * interpreter's fallback for {@code reinterpretAsInts()} and friends (any BF16 or F16 cast before
 * C2 compiles it) stores the vector to a {@code MemorySegment.ofArray(byte[])} and reloads it.
 * Once those profiles have seen a heap class, a loop compiled later checks the segment's class
 * at every access, and C2 no longer hoists the bounds and liveness checks out of the loop.
 * Measured (one thread, 64K elements): SGD with momentum on float32 buffers at 0.07 ns/param
 * alone, 0.37 in a JVM that had also stepped an F16 parameter; with the cast in the loop,
 * 0.13. A {@link Class#cast} to the native class gives the loop the type itself, and no profile
 * is read.
 *
 * <p>The loops that cast only ever see native segments: {@link StagedLoop}, {@link CastKernel}
 * and {@link NormKernel} copy the blocks of heap buffers through native scratch first (a heap
 * buffer reaching a loop would throw ClassCastException, not run slowly).
 */
final class NativeSegments {
    private NativeSegments() {}

    /**
     * The class of the segments arenas allocate (and of {@link MemorySegment#NULL}); mapped files
     * are a subclass. A loop casts with {@code NATIVE.cast(segment)} itself: {@link Class#cast}
     * is always inlined, where a helper method around it was not (C2 left it out of a loop's
     * compilation as a "low call site frequency" call, and the loop lost the type).
     */
    static final Class<? extends MemorySegment> NATIVE = MemorySegment.NULL.getClass();

    /** Whether {@code s} may go to a loop that casts it to {@link #NATIVE}. */
    static boolean castable(MemorySegment s) {
        return NATIVE.isInstance(s);
    }

    /** Scratch buffers per thread: where {@link CastKernel} and {@link NormKernel} copy heap blocks. */
    private static final int SLOTS = 2;

    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[SLOTS]);

    /**
     * This thread's native scratch buffer {@code slot} (0 or 1), at least {@code bytes} long: where
     * a heap block is copied for a vector loop to read or write. Grown on demand, never shrunk;
     * freed with the thread.
     */
    static MemorySegment scratch(int slot, long bytes) {
        MemorySegment[] buffers = SCRATCH.get();
        if (buffers[slot] == null || buffers[slot].byteSize() < bytes) {
            buffers[slot] = Arena.ofAuto().allocate(Math.max(bytes, 64 * 1024), 64);
        }
        return buffers[slot];
    }
}

package dev.fusedstep.internal.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What a kernel's float32 vector loop runs over: for each buffer (param, grad, states) a segment
 * and the byte offset of the block's first element in it. A native float32 buffer is the
 * caller's own memory; a half buffer, or a float32 buffer on the heap, is a slot of this thread's
 * scratch, filled by {@link StagedLoop}. One per thread, reused for every block: steps allocate
 * nothing.
 */
final class F32Block {
    /** Buffer roles, the indices of {@link #seg} and {@link #at}; state {@code s} is {@code STATE + s}. */
    static final int PARAM = 0, GRAD = 1, STATE = 2;
    /** Param, grad and at most three states (Adam with amsgrad, centered RMSprop with momentum). */
    static final int ROLES = STATE + 3;

    /**
     * Native segments only ({@link StagedLoop} copies heap buffers to scratch), so that the loops
     * may cast them to {@link NativeSegments#NATIVE}.
     */
    final MemorySegment[] seg = new MemorySegment[ROLES];
    final long[] at = new long[ROLES];
    /**
     * Slot spacing past a whole block, in floats (576 bytes, 9 cache lines): with slots a power of
     * two apart, the loop's loads and stores of element i would all share their address modulo
     * 4096, and the CPU would take each load for a possible reload of the stores before it
     * (4K aliasing). Measured: f32_bf16_states AdamW at 64K ran ~2x slower with 4096-byte slots.
     */
    private static final int STAGGER_FLOATS = 144;

    /** {@link #ROLES} slots of {@code blockFloats} floats each; native, as the vector loops require. */
    final MemorySegment scratch;
    /**
     * One block of half elements: the native copy of a heap half buffer's block, which the cast
     * loops read from or write to in its place (they take native segments only, see
     * {@link NativeSegments}).
     */
    final MemorySegment halves;
    private final long slotFloats;

    F32Block(int blockFloats) {
        this.slotFloats = blockFloats + STAGGER_FLOATS;
        Arena arena = Arena.ofAuto();
        this.scratch = arena.allocate(ROLES * slotFloats * Float.BYTES, 64);
        this.halves = arena.allocate((long) blockFloats * Short.BYTES, 64);
    }

    /** Points {@code role} at element {@code index} of a native float32 buffer. */
    void direct(int role, MemorySegment s, long index) {
        seg[role] = s;
        at[role] = index * Float.BYTES;
    }

    /** Points {@code role} at its scratch slot; returns the slot's first element index. */
    long slot(int role) {
        seg[role] = scratch;
        long first = role * slotFloats;
        at[role] = first * Float.BYTES;
        return first;
    }
}

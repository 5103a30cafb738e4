package dev.fusedstep.internal.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What a kernel's float32 vector loop runs over: for each buffer (param, grad, states) a segment
 * and the byte offset of the block's first element in it. A buffer stored in float32 is the
 * caller's own memory; a half buffer is a slot of this thread's scratch, widened there by
 * {@link StagedLoop}. One per thread, reused for every block: steps allocate nothing.
 */
final class F32Block {
    /** Buffer roles, the indices of {@link #seg} and {@link #at}; state {@code s} is {@code STATE + s}. */
    static final int PARAM = 0, GRAD = 1, STATE = 2;
    /** Param, grad and at most three states (Adam with amsgrad, centered RMSprop with momentum). */
    static final int ROLES = STATE + 3;

    final MemorySegment[] seg = new MemorySegment[ROLES];
    final long[] at = new long[ROLES];
    /** {@link #ROLES} slots of {@code slotFloats} floats each; native, as the tensors usually are. */
    final MemorySegment scratch;
    final int slotFloats;

    F32Block(int slotFloats) {
        this.slotFloats = slotFloats;
        // Native like the tensors it sits beside: the Vector API's segment accesses profile the
        // segment class, and one heap scratch among native tensors makes them virtual calls.
        this.scratch = Arena.ofAuto().allocate((long) ROLES * slotFloats * Float.BYTES, 64);
    }

    /** Points {@code role} at element {@code index} of a float32 buffer. */
    void direct(int role, MemorySegment s, long index) {
        seg[role] = s;
        at[role] = index * Float.BYTES;
    }

    /** Points {@code role} at its scratch slot; returns the slot's first element index. */
    long slot(int role) {
        seg[role] = scratch;
        long first = (long) role * slotFloats;
        at[role] = first * Float.BYTES;
        return first;
    }
}

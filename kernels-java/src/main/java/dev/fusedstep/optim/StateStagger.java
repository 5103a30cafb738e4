package dev.fusedstep.optim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Places state buffers so that no two buffers of one parameter start at the same address
 * modulo 4096. Buffers that do share that residue make the CPU's store-to-load disambiguation
 * (which compares only the low 12 address bits) stall loads behind unrelated stores: "4K
 * aliasing", measured here at about a third of a store-then-load kernel's speed.
 */
final class StateStagger {
    private StateStagger() {}

    static final long PAGE = 4096;
    private static final long STEP = 256;

    /** The page residue, a multiple of 256, farthest (circularly) from every residue already taken. */
    static long pick(long[] taken) {
        long best = 0;
        long bestDistance = -1;
        for (long r = 0; r < PAGE; r += STEP) {
            long nearest = PAGE;
            for (long t : taken) {
                long d = Math.abs(r - t);
                nearest = Math.min(nearest, Math.min(d, PAGE - d));
            }
            if (nearest > bestDistance) {
                bestDistance = nearest;
                best = r;
            }
        }
        return best;
    }

    /** A zeroed buffer of {@code bytes} whose address is {@code residue} modulo 4096 (so 64-byte aligned too). */
    static MemorySegment allocate(Arena arena, long bytes, long residue) {
        return arena.allocate(bytes + PAGE, PAGE).asSlice(residue, bytes);
    }
}

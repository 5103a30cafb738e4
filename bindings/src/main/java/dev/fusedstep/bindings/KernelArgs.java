package dev.fusedstep.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's arguments as {@code cudaLaunchKernel} takes them: an array of pointers, one to each
 * argument's value, in the kernel's parameter order. The values live in the caller's arena, which
 * must outlive the launch call (the runtime copies them when the launch is enqueued).
 * Add each argument with the method for its C type; a device pointer is {@link #pointer}.
 * {@link #signature()} spells the types added, one letter each, so a caller can check them
 * against the kernel's parameter list before launching (a mismatch corrupts the launch silently).
 */
public final class KernelArgs {
    private final Arena arena;
    private final List<MemorySegment> values = new ArrayList<>();
    private final StringBuilder signature = new StringBuilder();

    public KernelArgs(Arena arena) {
        this.arena = arena;
    }

    /** A pointer argument ({@code float*}, {@code const fs_tensor*}, ...); {@link MemorySegment#NULL} for null. */
    public KernelArgs pointer(MemorySegment address) {
        MemorySegment slot = arena.allocate(ADDRESS);
        slot.set(ADDRESS, 0, address);
        values.add(slot);
        signature.append('p');
        return this;
    }

    /** An {@code int} argument. */
    public KernelArgs i32(int v) {
        values.add(arena.allocateFrom(JAVA_INT, v));
        signature.append('i');
        return this;
    }

    /** A {@code long long} argument. */
    public KernelArgs i64(long v) {
        values.add(arena.allocateFrom(JAVA_LONG, v));
        signature.append('l');
        return this;
    }

    /** A {@code float} argument. */
    public KernelArgs f32(float v) {
        values.add(arena.allocateFrom(JAVA_FLOAT, v));
        signature.append('f');
        return this;
    }

    /** A {@code double} argument. */
    public KernelArgs f64(double v) {
        values.add(arena.allocateFrom(JAVA_DOUBLE, v));
        signature.append('d');
        return this;
    }

    /** Number of arguments so far. */
    public int count() {
        return values.size();
    }

    /**
     * The argument types so far, one letter each: {@code p} pointer, {@code i} int,
     * {@code l} long long, {@code f} float, {@code d} double; e.g. "pilppp".
     */
    public String signature() {
        return signature.toString();
    }

    /** The {@code void**} array for {@code cudaLaunchKernel}. */
    public MemorySegment array() {
        MemorySegment a = arena.allocate(ADDRESS, Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) {
            a.setAtIndex(ADDRESS, i, values.get(i));
        }
        return a;
    }
}

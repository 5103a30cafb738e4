package dev.fusedstep.internal.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * {@link VectorCasts}' loops as {@link StagedLoop} calls them: through method handles read from
 * an array. C2 never inlines a handle that is not a constant, so each loop compiles on its own
 * and adds nothing to the staging method's node count; the call costs nanoseconds per block of
 * {@link StagedLoop#BLOCK} elements.
 *
 * <p>Why: inlined, the loops kept the staging method near C2's node-count cutoff, and in a JVM
 * that stepped AdamW in all five layouts the F16 rounding loop's vectors were boxed in 2 of 6
 * JVMs (4 of 6 once heap buffers were staged too): its F16 step at 3.1-8.6 ns/param and 1.2-5.3 MB
 * per 64K-element step, against 0.9-1.3 ns and nothing.
 */
final class OutOfLineCasts {
    private OutOfLineCasts() {}

    /** Loop numbers for {@link #run}. */
    static final int BF16_TO_F32 = 0, F16_TO_F32 = 1, F32_TO_BF16 = 2, F32_TO_F16 = 3;

    private static final MethodType LOOP = MethodType.methodType(long.class, MemorySegment.class, long.class,
            MemorySegment.class, long.class, long.class);
    private static final MethodHandle[] LOOPS = {
        find("bf16ToF32", LOOP), find("f16ToF32", LOOP), find("f32ToBf16", LOOP), find("f32ToF16", LOOP)
    };
    /** In an array too: a static final handle would be a constant, and inlined. */
    private static final MethodHandle[] STOCHASTIC = {
        find("f32ToBf16Stochastic", LOOP.appendParameterTypes(int.class, long.class))
    };

    private static MethodHandle find(String name, MethodType type) {
        try {
            return MethodHandles.lookup().findStatic(VectorCasts.class, name, type);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Loop {@code loop} over {@code n} elements (a multiple of the lane count), as {@link VectorCasts} names its arguments. */
    static void run(int loop, MemorySegment src, long from, MemorySegment dst, long to, long n) {
        try {
            long done = (long) LOOPS[loop].invokeExact(src, from, dst, to, n);
            assert done == n;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t); // the loops throw nothing checked
        }
    }

    /** {@link VectorCasts#f32ToBf16Stochastic} over {@code n} elements (a multiple of the lane count). */
    static void stochasticBf16(MemorySegment src, long from, MemorySegment dst, long to, long n, int key, long draw) {
        try {
            long done = (long) STOCHASTIC[0].invokeExact(src, from, dst, to, n, key, draw);
            assert done == n;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}

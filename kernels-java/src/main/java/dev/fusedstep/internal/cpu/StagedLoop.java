package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;

import dev.fusedstep.DType;
import java.lang.foreign.MemorySegment;

/**
 * Runs a kernel's float32 vector loop over any storage layout. Native float32 buffers are used in
 * place; half buffers go through L1-sized blocks of per-thread float32 scratch: widen the block's
 * half inputs (exact), run the float32 loop, round its half outputs back (nearest-even, or
 * stochastic keyed by the global element index). Every element sees the float32 loop's operations
 * on the same values and the same rounding as in the scalar loop, so the bits are the scalar
 * loop's. Heap buffers take the same path, their blocks copied to and from native memory: the
 * vector loops are compiled for native segments only ({@link NativeSegments}).
 *
 * <p>Why not convert inside the loop: a loop that widens and narrows in place is too big for one
 * C2 compilation (it stops inlining at the node-count cutoff and the vectors get boxed, ~10x
 * slower); the float32 loops and the cast loops each compile on their own. The exception is a
 * kernel's hand-written loops for the common BF16 layouts ({@link OptimizerKernel#vectorFused}):
 * each small enough to compile whole, they save the staging's extra passes where they cost most
 * (AdamW with BF16 master weights at 16M: 1.12 -> 0.55-0.80 ns/param, probe 0.56-0.62; SGD with
 * momentum, all-BF16, 64K: 0.77 -> 0.20).
 */
final class StagedLoop {
    private StagedLoop() {}

    /**
     * Elements per staged block: five float32 slots of 4 KiB plus the half blocks they come from
     * fit the 32 KiB L1 data cache; a multiple of every lane count.
     */
    static final int BLOCK = 1024;

    private static final ThreadLocal<F32Block> BLOCKS = ThreadLocal.withInitial(() -> new F32Block(BLOCK));

    /**
     * Runs {@code k}'s vector loop over the vector-aligned part of {@code [from, to)}; returns where
     * the scalar tail starts.
     */
    static long run(OptimizerKernel k, float[] s, StepTarget t, long from, long to) {
        long end = from + F.loopBound(to - from);
        F32Block b = BLOCKS.get();
        int states = t.states.length;
        if (t.float32 && t.allNative) {
            b.direct(F32Block.PARAM, t.param, from);
            b.direct(F32Block.GRAD, t.grad, from);
            for (int j = 0; j < states; j++) {
                b.direct(F32Block.STATE + j, t.states[j], from);
            }
            k.vectorF32(s, b, end - from);
            return end;
        }
        long fused = t.fused == StepTarget.Fused.NONE ? 0 : k.vectorFused(s, t, b, from, end - from);
        if (fused > 0) {
            return from + fused;
        }
        // One call site each for stageIn and narrow, looping over the buffers, and the cast loops
        // out of line (OutOfLineCasts): inlined at a call site per buffer (the F16 rounding loop
        // twice), they took this method past C2's node-count cutoff and the rounding loop's
        // vectors were boxed. Seen in a JVM that stepped float32 and F16 parameters: AdamW's F16
        // step at 1.2-6.3 ns/param and up to 3.5 MB per 64K-element step, against 0.8-1.2 ns and
        // nothing alone.
        int buffers = F32Block.STATE + states;
        for (long at = from; at < end; at += BLOCK) {
            long n = Math.min(BLOCK, end - at);
            for (int role = 0; role < buffers; role++) {
                stageIn(b, role, buffer(t, role), dtype(t, role), at, n);
            }
            k.vectorF32(s, b, n);
            // Each output is rounded from the float32 values the loop wrote, where b points its
            // role; role -1 is the half copy of a master parameter, rounded from the master.
            for (int role = -1; role < buffers; role++) {
                MemorySegment dst;
                DType d;
                if (role == -1) {
                    if (t.paramOut == null) {
                        continue;
                    }
                    dst = t.paramOut;
                    d = t.paramOutType;
                } else {
                    dst = buffer(t, role);
                    d = dtype(t, role);
                    if (role == F32Block.GRAD || b.seg[role] == dst) {
                        continue; // read only, or written in place
                    }
                }
                int source = Math.max(role, F32Block.PARAM);
                boolean param = role <= F32Block.PARAM;
                narrow(b, b.seg[source], b.at[source] / Float.BYTES, dst, d, at, n, param && t.stochastic,
                        param ? t.roundingKey : 0);
            }
        }
        return end;
    }

    /** The target's buffer in {@code role} ({@link F32Block#PARAM}, {@link F32Block#GRAD} or a state). */
    private static MemorySegment buffer(StepTarget t, int role) {
        return role == F32Block.PARAM ? t.param : role == F32Block.GRAD ? t.grad : t.states[role - F32Block.STATE];
    }

    /** The storage dtype of the target's buffer in {@code role}. */
    private static DType dtype(StepTarget t, int role) {
        return role == F32Block.PARAM ? t.paramType : role == F32Block.GRAD ? t.gradType : t.stateType;
    }

    /**
     * Points {@code role} at elements {@code [at, at+n)} of {@code src} as float32: a native
     * float32 buffer in place; otherwise this thread's scratch slot, filled by a copy (heap
     * float32) or by widening the half elements, read from a native copy of the block when the
     * buffer is on the heap (the cast loops take native segments only).
     */
    private static void stageIn(F32Block b, int role, MemorySegment src, DType d, long at, long n) {
        boolean heap = !NativeSegments.castable(src);
        if (d == DType.F32 && !heap) {
            b.direct(role, src, at);
            return;
        }
        long slot = b.slot(role);
        if (d == DType.F32) {
            MemorySegment.copy(src, at * Float.BYTES, b.scratch, slot * Float.BYTES, n * Float.BYTES);
            return;
        }
        MemorySegment halves = src;
        long first = at;
        if (heap) {
            MemorySegment.copy(src, at * Short.BYTES, b.halves, 0, n * Short.BYTES);
            halves = b.halves;
            first = 0;
        }
        if (d == DType.BF16) {
            OutOfLineCasts.run(OutOfLineCasts.BF16_TO_F32, halves, first, b.scratch, slot, n);
        } else {
            OutOfLineCasts.run(OutOfLineCasts.F16_TO_F32, halves, first, b.scratch, slot, n);
        }
    }

    /**
     * Rounds {@code n} float32 elements from {@code src} (element {@code from}, native) into
     * buffer {@code dst} of dtype {@code d} (float32: a copy) at element {@code to}, through a
     * native copy of the block when {@code dst} is on the heap; a stochastic BF16 store draws its
     * bits by destination index.
     */
    private static void narrow(F32Block b, MemorySegment src, long from, MemorySegment dst, DType d, long to, long n,
            boolean stochastic, int key) {
        if (d == DType.F32) {
            MemorySegment.copy(src, from * Float.BYTES, dst, to * Float.BYTES, n * Float.BYTES);
            return;
        }
        boolean heap = !NativeSegments.castable(dst);
        MemorySegment out = heap ? b.halves : dst;
        long outFirst = heap ? 0 : to;
        if (d == DType.F16) {
            OutOfLineCasts.run(OutOfLineCasts.F32_TO_F16, src, from, out, outFirst, n);
        } else if (stochastic) {
            OutOfLineCasts.stochasticBf16(src, from, out, outFirst, n, key, to);
        } else {
            OutOfLineCasts.run(OutOfLineCasts.F32_TO_BF16, src, from, out, outFirst, n);
        }
        if (heap) {
            MemorySegment.copy(b.halves, 0, dst, to * Short.BYTES, n * Short.BYTES);
        }
    }
}

package dev.fusedstep.internal.cpu;

import dev.fusedstep.DType;
import java.lang.foreign.MemorySegment;

/**
 * The buffers one parameter's step reads and writes, and how each is stored: built once when an
 * optimizer is built (steps allocate nothing), read by the kernel loops from any worker thread.
 *
 * <p>The storage layouts:
 * <ul>
 *   <li>one dtype throughout: param, grad and states all F32, all BF16 or all F16;</li>
 *   <li>master weights: {@code param} is a float32 master copy, {@code paramOut} the caller's
 *       BF16 or F16 parameter, rewritten from the master in the same pass; grad is half, states
 *       float32;</li>
 *   <li>compressed states: float32 param and grad, BF16 states.</li>
 * </ul>
 * Whatever the storage, the math is float32.
 */
public final class StepTarget {
    final MemorySegment param;
    final MemorySegment grad;
    final MemorySegment[] states;
    /** The half-precision parameter rewritten from a float32 master, or null. */
    final MemorySegment paramOut;
    final DType paramType;
    final DType gradType;
    final DType stateType;
    final DType paramOutType;
    /** Whether BF16 parameter writes round stochastically instead of to nearest-even. */
    final boolean stochastic;
    /** Every buffer float32 and no half copy: the vector loop runs on the buffers in place. */
    final boolean float32;
    /**
     * The half-precision layouts a kernel may run with fewer passes than {@link StagedLoop}'s,
     * widening its half inputs in registers ({@link OptimizerKernel#vectorFused}); the others are
     * staged. BF16 writes round to nearest-even in all of them.
     */
    enum Fused {
        /** Staged by {@link StagedLoop}. */
        NONE,
        /** Float32 master weights and states, BF16 gradient, BF16 parameter written from the master. */
        BF16_MASTER,
        /** Parameter, gradient and states all BF16. */
        BF16,
        /** Float32 parameter and gradient, BF16 states. */
        BF16_STATES
    }

    /**
     * Fused: a layout with its own loop, and every buffer native. A target with a heap buffer
     * is staged, its blocks copied through native scratch ({@link NativeSegments}).
     */
    final Fused fused;
    /** Every buffer a native segment, so that the vector loops may read and write them in place. */
    final boolean allNative;
    /** This step's stochastic-rounding key; the host sets it before the workers start. */
    int roundingKey;

    public StepTarget(MemorySegment param, DType paramType, MemorySegment grad, DType gradType, MemorySegment[] states,
            DType stateType, MemorySegment paramOut, DType paramOutType, boolean stochastic) {
        this.param = param;
        this.grad = grad;
        this.states = states.clone();
        this.paramOut = paramOut;
        this.paramType = paramType;
        this.gradType = gradType;
        this.stateType = stateType;
        this.paramOutType = paramOutType;
        this.stochastic = stochastic;
        this.float32 = paramOut == null && paramType == DType.F32 && gradType == DType.F32
                && (this.states.length == 0 || stateType == DType.F32);
        this.allNative = allNative(param, grad, this.states, paramOut);
        this.fused = allNative
                ? fused(paramType, gradType, this.states.length == 0 ? null : stateType, paramOutType, stochastic)
                : Fused.NONE;
    }

    private static boolean allNative(MemorySegment param, MemorySegment grad, MemorySegment[] states,
            MemorySegment paramOut) {
        boolean all = NativeSegments.castable(param) && NativeSegments.castable(grad)
                && (paramOut == null || NativeSegments.castable(paramOut));
        for (MemorySegment s : states) {
            all &= NativeSegments.castable(s);
        }
        return all;
    }

    private static Fused fused(DType param, DType grad, DType state, DType paramOut, boolean stochastic) {
        if (stochastic) {
            return Fused.NONE;
        }
        if (paramOut == DType.BF16 && param == DType.F32 && grad == DType.BF16 && (state == null || state == DType.F32)) {
            return Fused.BF16_MASTER;
        }
        if (paramOut == null && param == DType.BF16 && grad == DType.BF16 && (state == null || state == DType.BF16)) {
            return Fused.BF16;
        }
        if (paramOut == null && param == DType.F32 && grad == DType.F32 && state == DType.BF16) {
            return Fused.BF16_STATES;
        }
        return Fused.NONE;
    }


    /** Every buffer float32 and no copy to write: the loops take their plain float32 path. */
    public static StepTarget f32(MemorySegment param, MemorySegment grad, MemorySegment[] states) {
        return new StepTarget(param, DType.F32, grad, DType.F32, states, DType.F32, null, null, false);
    }

    /** Sets the stochastic-rounding key for the coming step (a function of the seed, the parameter and the step). */
    public void setRoundingKey(int key) {
        this.roundingKey = key;
    }

    /** Reads parameter element {@code i} as float32. */
    float loadParam(long i) {
        return Storage.load(param, paramType, i);
    }

    /** Reads gradient element {@code i} as float32. */
    float loadGrad(long i) {
        return Storage.load(grad, gradType, i);
    }

    float loadState(int s, long i) {
        return Storage.load(states[s], stateType, i);
    }

    void storeState(int s, long i, float v) {
        Storage.store(states[s], stateType, i, v);
    }

    /** Writes the updated parameter (and its half copy, for master weights). */
    void storeParam(long i, float p) {
        Storage.storeParam(param, paramType, i, p, stochastic, roundingKey);
        if (paramOut != null) {
            Storage.storeParam(paramOut, paramOutType, i, p, stochastic, roundingKey);
        }
    }
}

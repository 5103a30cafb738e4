package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.Adadelta;
import dev.fusedstep.optim.Adagrad;
import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Adamax;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.RAdam;
import dev.fusedstep.optim.RMSprop;
import dev.fusedstep.optim.SGD;

/**
 * One optimizer's fused float32 update on the CPU: the host-side per-step scalars and the
 * element loop, once in scalar Java and once with the Vector API.
 *
 * <p>Contract every subclass keeps:
 * <ul>
 *   <li>{@link #prepare} runs once per parameter per step on the host and computes every
 *       per-step scalar (bias corrections, step sizes) in double, rounding to float where
 *       PyTorch hands a Python float to a float32 tensor op.</li>
 *   <li>{@link #scalar} and {@link #vector} read each buffer once and write each output once
 *       over elements {@code [from, to)}, with the same operations in the same order
 *       ({@link Math#fma} exactly where the vector loop fuses), so they give the same bits;
 *       the vector loop's tail is the scalar loop.</li>
 *   <li>{@link #vector} may only be called when the Vector API is in the module graph
 *       ({@code dev.fusedstep.internal.vectorization.VectorizationProvider}); a kernel writes one
 *       float32 loop ({@link #vectorF32}) and {@link StagedLoop} runs it over every storage layout.
 *       Its code lives in a nested class so that loading the kernel never loads
 *       {@code jdk.incubator.vector}.</li>
 * </ul>
 * Elements are little-endian float32; segments need no alignment.
 */
public abstract class OptimizerKernel {

    /** Length of the per-step scalar array every kernel's {@link #prepare} fills. */
    public static final int SCALAR_SLOTS = 12;

    /**
     * The slot holding the gradient multiplier (loss-scale unscaling times the clip coefficient;
     * 1 for a plain step). The caller sets it after {@link #prepare}; loops multiply every loaded
     * gradient by it first, which for 1 changes no bit.
     */
    public static final int GRAD_SCALE = SCALAR_SLOTS - 1;

    /** The kernel for {@code rule}'s update. */
    public static OptimizerKernel forRule(OptimizerRule rule) {
        return switch (rule) {
            case SGD r -> new SgdKernel(r);
            case Adagrad r -> new AdagradKernel(r);
            case RMSprop r -> new RmspropKernel(r);
            case Adam r -> new AdamKernel(r);
            case AdamW r -> new AdamKernel(r);
            case Adamax r -> new AdamaxKernel(r);
            case NAdam r -> new NadamKernel(r);
            case RAdam r -> new RadamKernel(r);
            case Adadelta r -> new AdadeltaKernel(r);
        };
    }

    /**
     * What one element of {@code rule}'s step costs one thread with its buffers in cache, in
     * nanoseconds: the Vector API loop over float32 storage as measured on the reference machine
     * (Zen 4, AVX-512, JDK 25; bench/README.md, "One thread or all"). Half-precision storage is
     * staged through float32 blocks and costs {@link #STAGING_NANOS} more; the scalar loops cost
     * {@link #SCALAR_FACTOR} times as much. Only {@link CpuBackend#worthSplitting} reads it, so a
     * rough figure does: what matters is how cheap a rule is next to the cost of splitting.
     */
    public static double nanosPerElement(OptimizerRule rule, boolean halfStorage, boolean vectorized) {
        double f32 = switch (rule) {
            case SGD r -> r.momentum() == 0 ? 0.05 : r.nesterov() ? 0.10 : 0.085;
            case Adagrad r -> 0.155;
            case RMSprop r -> r.centered() || r.momentum() != 0 ? 0.20 : 0.15;
            case Adam r -> r.amsgrad() ? 0.28 : 0.19;
            case AdamW r -> r.amsgrad() ? 0.28 : 0.19;
            case Adamax r -> 0.17;
            case NAdam r -> 0.28;
            case RAdam r -> 0.26;
            case Adadelta r -> 0.28;
        };
        double perElement = halfStorage ? f32 + STAGING_NANOS : f32;
        return vectorized ? perElement : perElement * SCALAR_FACTOR;
    }

    /** The extra cost per element of staging half-precision buffers (0.3-0.8 ns measured for AdamW). */
    static final double STAGING_NANOS = 0.3;

    /** The scalar loops against the vector loops (8-16x measured). */
    static final double SCALAR_FACTOR = 8;

    /** Number of state buffers the loops take, in the rule's {@code stateNames()} order. */
    public abstract int stateCount();

    /**
     * NAdam's momentum coefficient {@code mu_t} for step {@code step} (multiplied into
     * {@code mu_product} before {@link #prepare}); 1 for every other rule.
     */
    public double momentumFactor(long step) {
        return 1.0;
    }

    /**
     * Fills {@code scalars} (length {@link #SCALAR_SLOTS}) for step {@code step} (1 on the first
     * step), given {@code muProduct} already advanced to this step.
     */
    public abstract void prepare(long step, double muProduct, float[] scalars);

    /** The scalar loop over elements {@code [from, to)} of {@code t}: the fallback and the test oracle. */
    public abstract void scalar(float[] s, StepTarget t, long from, long to);

    /** The Vector API loop over elements {@code [from, to)} of {@code t}; same bits as the scalar loop. */
    public final void vector(float[] s, StepTarget t, long from, long to) {
        long done = StagedLoop.run(this, s, t, from, to);
        scalar(s, t, done, to);
    }

    /**
     * The float32 Vector API loop over elements {@code [0, n)} of {@code b} ({@code n} a multiple
     * of the lane count): the same operations as {@link #scalar}, on float32 values.
     */
    abstract void vectorF32(float[] s, F32Block b, long n);

    /**
     * A loop over elements {@code [from, from + n)} of a target whose layout is one of
     * {@link StepTarget.Fused}, widening the half inputs inside the float32 update ({@code b}:
     * this thread's scratch), with the bits of the staged path. Returns how many elements from
     * {@code from} it updated (the scalar loop does the rest); 0 where the kernel has no such
     * loop, and {@link StagedLoop} stages the blocks instead. Only for the rules where the
     * staging's extra passes cost most.
     */
    long vectorFused(float[] s, StepTarget t, F32Block b, long from, long n) {
        return 0;
    }
}

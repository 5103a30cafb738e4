package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.F32Block.GRAD;
import static dev.fusedstep.internal.cpu.F32Block.PARAM;
import static dev.fusedstep.internal.cpu.F32Block.STATE;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Adam and AdamW in one pass, in the order of PyTorch's {@code _single_tensor_adam}:
 * <pre>
 *   g = maximize ? -grad : grad
 *   AdamW: p = p * (1 - lr*wd)          Adam: g = g + wd*p      (only when wd != 0)
 *   m = lerp(m, g, 1 - beta1)            = m + (1-beta1)*(g - m)
 *   v = beta2*v + (1-beta2)*g*g
 *   amsgrad: vmax = max(vmax, v), used for v below
 *   p = p + (-lr/bc1 * m) / (sqrt(v)/sqrt(bc2) + eps)
 * </pre>
 * with {@code bc1 = 1 - beta1^t}, {@code bc2 = 1 - beta2^t} computed in double on the host.
 */
final class AdamKernel extends OptimizerKernel {
    // scalar slots
    private static final int DECAY = 0, WD = 1, ONE_MINUS_BETA1 = 2, BETA2 = 3, ONE_MINUS_BETA2 = 4,
            BC2_SQRT = 5, NEG_STEP_SIZE = 6, EPS = 7;

    private final double lr, beta1, beta2, eps, weightDecay;
    private final boolean decoupled, amsgrad, maximize;

    AdamKernel(Adam r) {
        this(r.lr(), r.beta1(), r.beta2(), r.eps(), r.weightDecay(), false, r.amsgrad(), r.maximize());
    }

    AdamKernel(AdamW r) {
        this(r.lr(), r.beta1(), r.beta2(), r.eps(), r.weightDecay(), true, r.amsgrad(), r.maximize());
    }

    private AdamKernel(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
            boolean amsgrad, boolean maximize) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.amsgrad = amsgrad;
        this.maximize = maximize;
    }

    @Override
    public int stateCount() {
        return amsgrad ? 3 : 2;
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        // Decoupled decay multiplies by 1 exactly when wd == 0, which leaves p unchanged as PyTorch's skip does.
        s[DECAY] = decoupled ? (float) (1 - lr * weightDecay) : 1f;
        s[WD] = decoupled ? 0f : (float) weightDecay;
        s[ONE_MINUS_BETA1] = (float) (1 - beta1);
        s[BETA2] = (float) beta2;
        s[ONE_MINUS_BETA2] = (float) (1 - beta2);
        s[BC2_SQRT] = (float) Math.sqrt(bc2);
        s[NEG_STEP_SIZE] = (float) (-lr / bc1);
        s[EPS] = (float) eps;
    }

    @Override
    public void scalar(float[] s, StepTarget t, long from, long to) {
        float decay = s[DECAY], wd = s[WD], w1 = s[ONE_MINUS_BETA1], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2];
        float bc2Sqrt = s[BC2_SQRT], negStep = s[NEG_STEP_SIZE], eps = s[EPS], gradScale = s[GRAD_SCALE];
        boolean l2 = wd != 0f;
        for (long i = from; i < to; i++) {
            float g = t.loadGrad(i) * gradScale;
            if (maximize) {
                g = -g;
            }
            float p = t.loadParam(i) * decay;
            if (l2) {
                g = Math.fma(wd, p, g);
            }
            float m0 = t.loadState(0, i);
            float m = Math.fma(w1, g - m0, m0);
            float v = Math.fma(c2 * g, g, t.loadState(1, i) * b2);
            float vUsed = v;
            if (amsgrad) {
                vUsed = Math.max(t.loadState(2, i), v);
                t.storeState(2, i, vUsed);
            }
            float denom = (float) Math.sqrt(vUsed) / bc2Sqrt + eps;
            // ATen's CPU addcdiv computes p + (value * m) / denom, unfused: the same bits as PyTorch
            t.storeParam(i, p + negStep * m / denom);
            t.storeState(0, i, m);
            t.storeState(1, i, v);
        }
    }

    @Override
    void vectorF32(float[] s, F32Block b, long n) {
        Vectorized.update(this, s, b, n);
    }

    /**
     * The BF16 layouts without amsgrad: master weights in one pass, all-BF16 in four passes per
     * block instead of the staging's eight, BF16 states in three instead of five (amsgrad stays
     * staged). Staged, at 16M on one thread, master weights ran at 0.60 x their probe, all-BF16
     * at 0.18 x and BF16 states at 0.39 x.
     */
    @Override
    long vectorFused(float[] s, StepTarget t, F32Block b, long from, long n) {
        if (amsgrad) {
            return 0;
        }
        return switch (t.fused) {
            case BF16_MASTER -> {
                Vectorized.updateBf16Master(this, s, t, from, n);
                yield n;
            }
            case BF16 -> {
                Vectorized.updateBf16(this, s, t, b, from, n);
                yield n;
            }
            case BF16_STATES -> {
                Vectorized.updateBf16States(this, s, t, b, from, n);
                yield n;
            }
            case NONE -> 0;
        };
    }

    /** The float32 Vector API loop over {@code [0, n)} of {@code b}. */
    private static final class Vectorized {
        static void update(AdamKernel k, float[] s, F32Block b, long n) {
            boolean maximize = k.maximize, amsgrad = k.amsgrad, l2 = s[WD] != 0f;
            MemorySegment grad = NATIVE.cast(b.seg[GRAD]), param = NATIVE.cast(b.seg[PARAM]);
            MemorySegment expAvg = NATIVE.cast(b.seg[STATE]), expAvgSq = NATIVE.cast(b.seg[STATE + 1]);
            long gradAt = b.at[GRAD], paramAt = b.at[PARAM], expAvgAt = b.at[STATE], expAvgSqAt = b.at[STATE + 1];
            MemorySegment maxExpAvgSq = amsgrad ? NATIVE.cast(b.seg[STATE + 2]) : null;
            long maxExpAvgSqAt = amsgrad ? b.at[STATE + 2] : 0;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float decay = s[DECAY], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2], bc2Sqrt = s[BC2_SQRT], eps = s[EPS];
            float gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector w1 = FloatVector.broadcast(F, s[ONE_MINUS_BETA1]);
            float negStepSize = s[NEG_STEP_SIZE];
            // Division shares one unit with sqrt and the other division, and that unit bounds the loop
            // whenever the data sit in cache. Once beta2^t is below half an ulp of 1 (after ~16.6K steps
            // at beta2 = 0.999) sqrt(bc2) rounds to exactly 1f, and x / 1f == x for every float, so
            // skipping that division changes no bit (the scalar loop, the oracle, keeps it).
            boolean unitBc2 = bc2Sqrt == 1f;
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.loadF32(grad, gradAt, i).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(param, paramAt, i).mul(decay);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector m0 = VectorStorage.loadF32(expAvg, expAvgAt, i);
                FloatVector m = g.sub(m0).fma(w1, m0);
                FloatVector v = g.mul(c2).fma(g, VectorStorage.loadF32(expAvgSq, expAvgSqAt, i).mul(b2));
                FloatVector vUsed = v;
                if (amsgrad) {
                    vUsed = VectorStorage.loadF32(maxExpAvgSq, maxExpAvgSqAt, i).max(v);
                    VectorStorage.storeF32(maxExpAvgSq, maxExpAvgSqAt, i, vUsed);
                }
                FloatVector root = vUsed.sqrt();
                if (!unitBc2) {
                    root = root.div(bc2Sqrt);
                }
                FloatVector denom = root.add(eps);
                VectorStorage.storeF32(param, paramAt, i, m.mul(negStepSize).div(denom).add(p));
                VectorStorage.storeF32(expAvg, expAvgAt, i, m);
                VectorStorage.storeF32(expAvgSq, expAvgSqAt, i, v);
            }
        }

        // The fused loops: update's operations without amsgrad over elements [from, from + n) of
        // a StepTarget.Fused layout, each buffer loaded and stored in its own dtype. One loop per
        // layout, the formulas written out in each: a loop that switched dtypes per buffer, or
        // called shared helpers returning vectors, passed C2's inlining budget and boxed its
        // vectors (30 B and 8x the time per element, measured).

        /** Float32 master and states; BF16 gradient in, BF16 parameter out. */
        static void updateBf16Master(AdamKernel k, float[] s, StepTarget t, long from, long n) {
            boolean maximize = k.maximize, l2 = s[WD] != 0f, unitBc2 = s[BC2_SQRT] == 1f;
            MemorySegment grad = NATIVE.cast(t.grad), master = NATIVE.cast(t.param), half = NATIVE.cast(t.paramOut);
            MemorySegment expAvg = NATIVE.cast(t.states[0]), expAvgSq = NATIVE.cast(t.states[1]);
            long at = from * Float.BYTES;
            float decay = s[DECAY], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2], bc2Sqrt = s[BC2_SQRT], eps = s[EPS];
            float gradScale = s[GRAD_SCALE], negStepSize = s[NEG_STEP_SIZE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]), w1 = FloatVector.broadcast(F, s[ONE_MINUS_BETA1]);
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(grad, from + i)).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(master, at, i).mul(decay);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector m0 = VectorStorage.loadF32(expAvg, at, i);
                FloatVector m = g.sub(m0).fma(w1, m0);
                FloatVector v = g.mul(c2).fma(g, VectorStorage.loadF32(expAvgSq, at, i).mul(b2));
                FloatVector root = unitBc2 ? v.sqrt() : v.sqrt().div(bc2Sqrt);
                FloatVector updated = m.mul(negStepSize).div(root.add(eps)).add(p);
                VectorStorage.storeF32(master, at, i, updated);
                VectorStorage.storeHalves(VectorStorage.floatToBf16(updated), half, from + i);
                VectorStorage.storeF32(expAvg, at, i, m);
                VectorStorage.storeF32(expAvgSq, at, i, v);
            }
        }

        /**
         * Parameter, gradient and states all BF16. A loop that also rounded its three outputs
         * passed C2's node-count cutoff and boxed its vectors, so each {@link StagedLoop#BLOCK}
         * goes through one loop that widens the four inputs in registers and writes the float32
         * results to scratch, then three rounding loops: four passes where staging takes eight.
         */
        static void updateBf16(AdamKernel k, float[] s, StepTarget t, F32Block b, long from, long n) {
            long param = b.slot(PARAM), expAvg = b.slot(STATE), expAvgSq = b.slot(STATE + 1);
            for (long at = from; at < from + n; at += StagedLoop.BLOCK) {
                long count = Math.min(StagedLoop.BLOCK, from + n - at);
                updateBf16ToScratch(k, s, t, b.scratch, at, count, param, expAvg, expAvgSq);
                VectorCasts.f32ToBf16(b.scratch, param, t.param, at, count);
                VectorCasts.f32ToBf16(b.scratch, expAvg, t.states[0], at, count);
                VectorCasts.f32ToBf16(b.scratch, expAvgSq, t.states[1], at, count);
            }
        }

        /** {@link #updateBf16}'s first pass: the results of elements {@code [from, from + n)} to scratch elements {@code param}, ... on. */
        private static void updateBf16ToScratch(AdamKernel k, float[] s, StepTarget t, MemorySegment scratch, long from,
                long n, long param, long expAvg, long expAvgSq) {
            boolean maximize = k.maximize, l2 = s[WD] != 0f, unitBc2 = s[BC2_SQRT] == 1f;
            MemorySegment grad = NATIVE.cast(t.grad), halfParam = NATIVE.cast(t.param);
            MemorySegment halfExpAvg = NATIVE.cast(t.states[0]), halfExpAvgSq = NATIVE.cast(t.states[1]);
            MemorySegment out = NATIVE.cast(scratch);
            float decay = s[DECAY], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2], bc2Sqrt = s[BC2_SQRT], eps = s[EPS];
            float gradScale = s[GRAD_SCALE], negStepSize = s[NEG_STEP_SIZE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]), w1 = FloatVector.broadcast(F, s[ONE_MINUS_BETA1]);
            long paramAt = param * Float.BYTES, expAvgAt = expAvg * Float.BYTES, expAvgSqAt = expAvgSq * Float.BYTES;
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(grad, from + i)).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(halfParam, from + i)).mul(decay);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector m0 = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(halfExpAvg, from + i));
                FloatVector m = g.sub(m0).fma(w1, m0);
                FloatVector v = g.mul(c2).fma(g, VectorStorage.bf16ToFloat(VectorStorage.loadHalves(halfExpAvgSq, from + i)).mul(b2));
                FloatVector root = unitBc2 ? v.sqrt() : v.sqrt().div(bc2Sqrt);
                VectorStorage.storeF32(out, paramAt, i, m.mul(negStepSize).div(root.add(eps)).add(p));
                VectorStorage.storeF32(out, expAvgAt, i, m);
                VectorStorage.storeF32(out, expAvgSqAt, i, v);
            }
        }

        /**
         * Float32 parameter and gradient, BF16 states. Per {@link StagedLoop#BLOCK}, as
         * {@link #updateBf16}: one loop that widens the states in registers, writes the parameter
         * in place and the states in float32 to scratch, then a rounding loop per state. The
         * rounding inside the first loop boxed its vectors in every JVM (fifth session).
         */
        static void updateBf16States(AdamKernel k, float[] s, StepTarget t, F32Block b, long from, long n) {
            long expAvg = b.slot(STATE), expAvgSq = b.slot(STATE + 1);
            for (long at = from; at < from + n; at += StagedLoop.BLOCK) {
                long count = Math.min(StagedLoop.BLOCK, from + n - at);
                updateBf16StatesToScratch(k, s, t, b.scratch, at, count, expAvg, expAvgSq);
                VectorCasts.f32ToBf16(b.scratch, expAvg, t.states[0], at, count);
                VectorCasts.f32ToBf16(b.scratch, expAvgSq, t.states[1], at, count);
            }
        }

        /** {@link #updateBf16States}' first pass over elements {@code [from, from + n)}: the parameter in place, the states to scratch. */
        private static void updateBf16StatesToScratch(AdamKernel k, float[] s, StepTarget t, MemorySegment scratch,
                long from, long n, long expAvg, long expAvgSq) {
            boolean maximize = k.maximize, l2 = s[WD] != 0f, unitBc2 = s[BC2_SQRT] == 1f;
            MemorySegment grad = NATIVE.cast(t.grad), param = NATIVE.cast(t.param);
            MemorySegment halfExpAvg = NATIVE.cast(t.states[0]), halfExpAvgSq = NATIVE.cast(t.states[1]);
            MemorySegment out = NATIVE.cast(scratch);
            long at = from * Float.BYTES;
            float decay = s[DECAY], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2], bc2Sqrt = s[BC2_SQRT], eps = s[EPS];
            float gradScale = s[GRAD_SCALE], negStepSize = s[NEG_STEP_SIZE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]), w1 = FloatVector.broadcast(F, s[ONE_MINUS_BETA1]);
            long expAvgAt = expAvg * Float.BYTES, expAvgSqAt = expAvgSq * Float.BYTES;
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.loadF32(grad, at, i).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(param, at, i).mul(decay);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector m0 = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(halfExpAvg, from + i));
                FloatVector m = g.sub(m0).fma(w1, m0);
                FloatVector v = g.mul(c2).fma(g, VectorStorage.bf16ToFloat(VectorStorage.loadHalves(halfExpAvgSq, from + i)).mul(b2));
                FloatVector root = unitBc2 ? v.sqrt() : v.sqrt().div(bc2Sqrt);
                VectorStorage.storeF32(param, at, i, m.mul(negStepSize).div(root.add(eps)).add(p));
                VectorStorage.storeF32(out, expAvgAt, i, m);
                VectorStorage.storeF32(out, expAvgSqAt, i, v);
            }
        }
    }
}

package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.F32Block.GRAD;
import static dev.fusedstep.internal.cpu.F32Block.PARAM;
import static dev.fusedstep.internal.cpu.F32Block.STATE;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import dev.fusedstep.optim.SGD;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * SGD in one pass, in the order of PyTorch's {@code _single_tensor_sgd}:
 * <pre>
 *   g = maximize ? -grad : grad
 *   g = g + wd*p                                   (only when wd != 0)
 *   momentum != 0:
 *     buf = first step ? g : momentum*buf + (1-dampening)*g
 *     g = nesterov ? g + momentum*buf : buf
 *   p = p - lr*g
 * </pre>
 * Each {@code x + a*y} is ATen's {@code add(alpha=a)}, which its vector loop fuses.
 */
final class SgdKernel extends OptimizerKernel {
    // scalar slots
    private static final int WD = 0, MOMENTUM = 1, ONE_MINUS_DAMPENING = 2, NEG_LR = 3, FIRST_STEP = 4;

    private final double lr, momentum, dampening, weightDecay;
    private final boolean nesterov, maximize, l2, hasMomentum;

    SgdKernel(SGD r) {
        this.lr = r.lr();
        this.momentum = r.momentum();
        this.dampening = r.dampening();
        this.weightDecay = r.weightDecay();
        this.nesterov = r.nesterov();
        this.maximize = r.maximize();
        // PyTorch tests the Python floats, so a decay that rounds to 0f still multiplies (0 * inf is NaN)
        this.l2 = weightDecay != 0;
        this.hasMomentum = momentum != 0;
    }

    @Override
    public int stateCount() {
        return hasMomentum ? 1 : 0;
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        s[WD] = (float) weightDecay;
        s[MOMENTUM] = (float) momentum;
        s[ONE_MINUS_DAMPENING] = (float) (1 - dampening);
        s[NEG_LR] = (float) -lr;
        // PyTorch starts the buffer as a copy of g, with no dampening, when it has none yet
        s[FIRST_STEP] = step == 1 ? 1f : 0f;
    }

    @Override
    public void scalar(float[] s, StepTarget t, long from, long to) {
        float wd = s[WD], mom = s[MOMENTUM], keep = s[ONE_MINUS_DAMPENING], negLr = s[NEG_LR];
        float gradScale = s[GRAD_SCALE];
        boolean first = s[FIRST_STEP] != 0f;
        for (long i = from; i < to; i++) {
            float g = t.loadGrad(i) * gradScale;
            if (maximize) {
                g = -g;
            }
            float p = t.loadParam(i);
            if (l2) {
                g = Math.fma(wd, p, g);
            }
            if (hasMomentum) {
                float buf = first ? g : Math.fma(keep, g, t.loadState(0, i) * mom);
                t.storeState(0, i, buf);
                g = nesterov ? Math.fma(mom, buf, g) : buf;
            }
            t.storeParam(i, Math.fma(negLr, g, p));
        }
    }

    @Override
    void vectorF32(float[] s, F32Block b, long n) {
        Vectorized.update(this, s, b, n);
    }

    /**
     * The BF16 layouts in one pass each (F16 is staged): staged, at 16M on one thread, plain SGD
     * with master weights ran at 0.32 x its probe and SGD with momentum at 0.58 x.
     */
    @Override
    long vectorFused(float[] s, StepTarget t, F32Block b, long from, long n) {
        return switch (t.fused) {
            case BF16_MASTER -> {
                Vectorized.updateBf16Master(this, s, t, from, n);
                yield n;
            }
            case BF16 -> {
                Vectorized.updateBf16(this, s, t, from, n);
                yield n;
            }
            case BF16_STATES -> {
                Vectorized.updateBf16States(this, s, t, from, n);
                yield n;
            }
            case NONE -> 0;
        };
    }

    /** The float32 Vector API loop over {@code [0, n)} of {@code b}. */
    private static final class Vectorized {
        static void update(SgdKernel k, float[] s, F32Block b, long n) {
            MemorySegment grad = NATIVE.cast(b.seg[GRAD]), param = NATIVE.cast(b.seg[PARAM]);
            MemorySegment momentumBuffer = k.hasMomentum ? NATIVE.cast(b.seg[STATE]) : null;
            long gradAt = b.at[GRAD], paramAt = b.at[PARAM], momentumBufferAt = k.hasMomentum ? b.at[STATE] : 0;
            boolean maximize = k.maximize, l2 = k.l2, hasMomentum = k.hasMomentum, nesterov = k.nesterov;
            boolean first = s[FIRST_STEP] != 0f;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float mom = s[MOMENTUM], gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector momV = FloatVector.broadcast(F, mom);
            FloatVector keep = FloatVector.broadcast(F, s[ONE_MINUS_DAMPENING]);
            FloatVector negLr = FloatVector.broadcast(F, s[NEG_LR]);
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.loadF32(grad, gradAt, i).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(param, paramAt, i);
                if (l2) {
                    g = p.fma(wd, g);
                }
                if (hasMomentum) {
                    // Loaded on the first step too (and not used): a load under the condition kept
                    // the buffer's bounds and liveness checks inside the loop once a JVM had run
                    // first steps over many staged blocks, 0.13 against 0.08 ns/param at 64K.
                    FloatVector old = VectorStorage.loadF32(momentumBuffer, momentumBufferAt, i);
                    FloatVector buf = first ? g : g.fma(keep, old.mul(mom));
                    VectorStorage.storeF32(momentumBuffer, momentumBufferAt, i, buf);
                    g = nesterov ? buf.fma(momV, g) : buf;
                }
                VectorStorage.storeF32(param, paramAt, i, g.fma(negLr, p));
            }
        }

        /**
         * {@link #update} over elements {@code [from, from + n)} of float32 master weights and
         * momentum buffer, reading the BF16 gradient and writing the BF16 parameter in the same
         * pass. Its own loop, the formulas written out again: read through shared helpers that
         * switch dtype, the float32 loop grew past C2's inlining budget in a JVM that also ran
         * the other layouts, and boxed its vectors now and then (5 of 27 such JVMs, against 0
         * of 27 without the helpers).
         */
        static void updateBf16Master(SgdKernel k, float[] s, StepTarget t, long from, long n) {
            MemorySegment grad = NATIVE.cast(t.grad), master = NATIVE.cast(t.param), half = NATIVE.cast(t.paramOut);
            MemorySegment momentumBuffer = k.hasMomentum ? NATIVE.cast(t.states[0]) : null;
            long at = from * Float.BYTES;
            boolean maximize = k.maximize, l2 = k.l2, hasMomentum = k.hasMomentum, nesterov = k.nesterov;
            boolean first = s[FIRST_STEP] != 0f;
            float mom = s[MOMENTUM], gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector momV = FloatVector.broadcast(F, mom);
            FloatVector keep = FloatVector.broadcast(F, s[ONE_MINUS_DAMPENING]);
            FloatVector negLr = FloatVector.broadcast(F, s[NEG_LR]);
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(grad, from + i)).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(master, at, i);
                if (l2) {
                    g = p.fma(wd, g);
                }
                if (hasMomentum) {
                    FloatVector old = VectorStorage.loadF32(momentumBuffer, at, i);
                    FloatVector buf = first ? g : g.fma(keep, old.mul(mom));
                    VectorStorage.storeF32(momentumBuffer, at, i, buf);
                    g = nesterov ? buf.fma(momV, g) : buf;
                }
                FloatVector updated = g.fma(negLr, p);
                VectorStorage.storeF32(master, at, i, updated);
                VectorStorage.storeHalves(VectorStorage.floatToBf16(updated), half, from + i);
            }
        }

        /**
         * {@link #update} over elements {@code [from, from + n)} of a BF16 parameter, gradient
         * and momentum buffer, widened in registers and rounded to nearest-even on the way out:
         * two rounded outputs fit one C2 compilation (Adam's three did not).
         */
        static void updateBf16(SgdKernel k, float[] s, StepTarget t, long from, long n) {
            MemorySegment grad = NATIVE.cast(t.grad), param = NATIVE.cast(t.param);
            MemorySegment momentumBuffer = k.hasMomentum ? NATIVE.cast(t.states[0]) : null;
            boolean maximize = k.maximize, l2 = k.l2, hasMomentum = k.hasMomentum, nesterov = k.nesterov;
            boolean first = s[FIRST_STEP] != 0f;
            float mom = s[MOMENTUM], gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector momV = FloatVector.broadcast(F, mom);
            FloatVector keep = FloatVector.broadcast(F, s[ONE_MINUS_DAMPENING]);
            FloatVector negLr = FloatVector.broadcast(F, s[NEG_LR]);
            for (long i = from; i < from + n; i += F.length()) {
                FloatVector g = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(grad, i)).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(param, i));
                if (l2) {
                    g = p.fma(wd, g);
                }
                if (hasMomentum) {
                    FloatVector old = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(momentumBuffer, i));
                    FloatVector buf = first ? g : g.fma(keep, old.mul(mom));
                    VectorStorage.storeHalves(VectorStorage.floatToBf16(buf), momentumBuffer, i);
                    g = nesterov ? buf.fma(momV, g) : buf;
                }
                VectorStorage.storeHalves(VectorStorage.floatToBf16(g.fma(negLr, p)), param, i);
            }
        }

        /**
         * {@link #update} over elements {@code [from, from + n)} of a float32 parameter and
         * gradient with a BF16 momentum buffer (the layout that halves state memory; SGD has a
         * state only with momentum).
         */
        static void updateBf16States(SgdKernel k, float[] s, StepTarget t, long from, long n) {
            MemorySegment grad = NATIVE.cast(t.grad), param = NATIVE.cast(t.param);
            MemorySegment momentumBuffer = NATIVE.cast(t.states[0]);
            long at = from * Float.BYTES;
            boolean maximize = k.maximize, l2 = k.l2, nesterov = k.nesterov;
            boolean first = s[FIRST_STEP] != 0f;
            float mom = s[MOMENTUM], gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector momV = FloatVector.broadcast(F, mom);
            FloatVector keep = FloatVector.broadcast(F, s[ONE_MINUS_DAMPENING]);
            FloatVector negLr = FloatVector.broadcast(F, s[NEG_LR]);
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.loadF32(grad, at, i).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(param, at, i);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector old = VectorStorage.bf16ToFloat(VectorStorage.loadHalves(momentumBuffer, from + i));
                FloatVector buf = first ? g : g.fma(keep, old.mul(mom));
                VectorStorage.storeHalves(VectorStorage.floatToBf16(buf), momentumBuffer, from + i);
                g = nesterov ? buf.fma(momV, g) : buf;
                VectorStorage.storeF32(param, at, i, g.fma(negLr, p));
            }
        }
    }
}

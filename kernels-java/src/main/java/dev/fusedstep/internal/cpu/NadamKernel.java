package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.F32Block.GRAD;
import static dev.fusedstep.internal.cpu.F32Block.PARAM;
import static dev.fusedstep.internal.cpu.F32Block.STATE;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import dev.fusedstep.optim.NAdam;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * NAdam (and NAdamW with decoupled weight decay) in one pass, in the order of PyTorch's
 * {@code _single_tensor_nadam}:
 * <pre>
 *   g = maximize ? -grad : grad
 *   decoupled: p = p * (1 - lr*wd)       else: g = g + wd*p      (only when wd != 0)
 *   m = lerp(m, g, 1 - beta1)             = m + (1-beta1)*(g - m)
 *   v = beta2*v + (1-beta2)*g*g
 *   denom = sqrt(v / bc2) + eps
 *   p = p + c1 * g / denom                c1 = -lr*(1 - mu_t) / (1 - mu_product)
 *   p = p + c2 * m / denom                c2 = -lr*mu_{t+1} / (1 - mu_product*mu_{t+1})
 * </pre>
 * with {@code mu_t = beta1*(1 - 0.5*0.96^(t*momentum_decay))}, {@code mu_product} the product of
 * {@code mu_1..mu_t} and {@code bc2 = 1 - beta2^t}, all in double on the host. The two
 * {@code addcdiv}s stay separate, as in PyTorch, rather than folding into one quotient.
 */
final class NadamKernel extends OptimizerKernel {
    // scalar slots
    private static final int DECAY = 0, WD = 1, ONE_MINUS_BETA1 = 2, BETA2 = 3, ONE_MINUS_BETA2 = 4, BC2 = 5,
            EPS = 6, GRAD_STEP = 7, AVG_STEP = 8;

    private final double lr, beta1, beta2, eps, weightDecay, momentumDecay;
    private final boolean decoupled, maximize;

    NadamKernel(NAdam r) {
        this.lr = r.lr();
        this.beta1 = r.beta1();
        this.beta2 = r.beta2();
        this.eps = r.eps();
        this.weightDecay = r.weightDecay();
        this.momentumDecay = r.momentumDecay();
        this.decoupled = r.decoupledWeightDecay();
        this.maximize = r.maximize();
    }

    @Override
    public int stateCount() {
        return 2;
    }

    @Override
    public double momentumFactor(long step) {
        return beta1 * (1.0 - 0.5 * Math.pow(0.96, step * momentumDecay));
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        double mu = momentumFactor(step);
        double muNext = momentumFactor(step + 1);
        double bc2 = 1 - Math.pow(beta2, step);
        // Decoupled decay multiplies by 1 exactly when wd == 0, which leaves p unchanged as PyTorch's skip does.
        s[DECAY] = decoupled ? (float) (1 - lr * weightDecay) : 1f;
        s[WD] = decoupled ? 0f : (float) weightDecay;
        s[ONE_MINUS_BETA1] = (float) (1 - beta1);
        s[BETA2] = (float) beta2;
        s[ONE_MINUS_BETA2] = (float) (1 - beta2);
        s[BC2] = (float) bc2;
        s[EPS] = (float) eps;
        s[GRAD_STEP] = (float) (-lr * (1.0 - mu) / (1.0 - muProduct));
        s[AVG_STEP] = (float) ((-lr * muNext) / (1.0 - muProduct * muNext));
    }

    @Override
    public void scalar(float[] s, StepTarget t, long from, long to) {
        float decay = s[DECAY], wd = s[WD], w1 = s[ONE_MINUS_BETA1], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2];
        float bc2 = s[BC2], eps = s[EPS], gradStep = s[GRAD_STEP], avgStep = s[AVG_STEP], gradScale = s[GRAD_SCALE];
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
            float denom = (float) Math.sqrt(v / bc2) + eps;
            p = Math.fma(gradStep, g / denom, p);
            t.storeParam(i, Math.fma(avgStep, m / denom, p));
            t.storeState(0, i, m);
            t.storeState(1, i, v);
        }
    }

    @Override
    void vectorF32(float[] s, F32Block b, long n) {
        Vectorized.update(this, s, b, n);
    }

    /** The float32 Vector API loop over {@code [0, n)} of {@code b}. */
    private static final class Vectorized {
        static void update(NadamKernel k, float[] s, F32Block b, long n) {
            MemorySegment grad = NATIVE.cast(b.seg[GRAD]), param = NATIVE.cast(b.seg[PARAM]);
            MemorySegment expAvg = NATIVE.cast(b.seg[STATE]), expAvgSq = NATIVE.cast(b.seg[STATE + 1]);
            long gradAt = b.at[GRAD], paramAt = b.at[PARAM], expAvgAt = b.at[STATE], expAvgSqAt = b.at[STATE + 1];
            boolean maximize = k.maximize, l2 = s[WD] != 0f;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float decay = s[DECAY], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2], bc2 = s[BC2], eps = s[EPS];
            float gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector w1 = FloatVector.broadcast(F, s[ONE_MINUS_BETA1]);
            FloatVector gradStep = FloatVector.broadcast(F, s[GRAD_STEP]);
            FloatVector avgStep = FloatVector.broadcast(F, s[AVG_STEP]);
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
                FloatVector denom = v.div(bc2).sqrt().add(eps);
                p = g.div(denom).fma(gradStep, p);
                VectorStorage.storeF32(param, paramAt, i, m.div(denom).fma(avgStep, p));
                VectorStorage.storeF32(expAvg, expAvgAt, i, m);
                VectorStorage.storeF32(expAvgSq, expAvgSqAt, i, v);
            }
        }
    }
}

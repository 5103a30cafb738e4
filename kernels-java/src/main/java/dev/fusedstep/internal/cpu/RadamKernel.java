package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.F32Block.GRAD;
import static dev.fusedstep.internal.cpu.F32Block.PARAM;
import static dev.fusedstep.internal.cpu.F32Block.STATE;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import dev.fusedstep.optim.RAdam;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * RAdam (and RAdamW with decoupled weight decay) in one pass, in the order of PyTorch's
 * {@code _single_tensor_radam}:
 * <pre>
 *   g = maximize ? -grad : grad
 *   decoupled: p = p * (1 - lr*wd)       else: g = g + wd*p      (only when wd != 0)
 *   m = lerp(m, g, 1 - beta1)             = m + (1-beta1)*(g - m)
 *   v = beta2*v + (1-beta2)*g*g
 *   rho_t > 5:  p = p - m/bc1 * lr * ((1 / (sqrt(v) + eps)) * sqrt(bc2)) * rect
 *   otherwise:  p = p - m/bc1 * lr
 * </pre>
 * with {@code bc1 = 1 - beta1^t}, {@code bc2 = 1 - beta2^t}, {@code rho_t} and {@code rect} computed
 * in double on the host, which also picks the branch for the whole step. The products keep
 * PyTorch's left-to-right order and its rounding of each factor to float (Python's
 * {@code scalar / tensor} is {@code tensor.reciprocal() * scalar}), so the result tracks PyTorch's
 * float32 run closely.
 */
final class RadamKernel extends OptimizerKernel {
    // scalar slots
    private static final int DECAY = 0, WD = 1, ONE_MINUS_BETA1 = 2, BETA2 = 3, ONE_MINUS_BETA2 = 4, BC1 = 5,
            LR = 6, BC2_SQRT = 7, EPS = 8, RECT = 9, RECTIFIED = 10;

    private final double lr, beta1, beta2, eps, weightDecay;
    private final boolean decoupled, maximize;

    RadamKernel(RAdam r) {
        this.lr = r.lr();
        this.beta1 = r.beta1();
        this.beta2 = r.beta2();
        this.eps = r.eps();
        this.weightDecay = r.weightDecay();
        this.decoupled = r.decoupledWeightDecay();
        this.maximize = r.maximize();
    }

    @Override
    public int stateCount() {
        return 2;
    }

    /** PyTorch's {@code rho_t}: the length of the approximated simple moving average at step {@code step}. */
    static double rhoT(long step, double beta2) {
        double rhoInf = 2 / (1 - beta2) - 1;
        return rhoInf - 2 * step * Math.pow(beta2, step) / (1 - Math.pow(beta2, step));
    }

    /** Whether step {@code step} uses the rectified adaptive update ({@code rho_t > 5}) rather than plain momentum. */
    static boolean rectifies(long step, double beta2) {
        return rhoT(step, beta2) > 5.0;
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoT(step, beta2);
        boolean rectified = rhoT > 5.0;
        // Decoupled decay multiplies by 1 exactly when wd == 0, which leaves p unchanged as PyTorch's skip does.
        s[DECAY] = decoupled ? (float) (1 - lr * weightDecay) : 1f;
        s[WD] = decoupled ? 0f : (float) weightDecay;
        s[ONE_MINUS_BETA1] = (float) (1 - beta1);
        s[BETA2] = (float) beta2;
        s[ONE_MINUS_BETA2] = (float) (1 - beta2);
        s[BC1] = (float) bc1;
        s[LR] = (float) lr;
        s[BC2_SQRT] = (float) Math.sqrt(bc2);
        s[EPS] = (float) eps;
        s[RECT] = rectified
                ? (float) Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
                : 0f;
        s[RECTIFIED] = rectified ? 1f : 0f;
    }

    @Override
    public void scalar(float[] s, StepTarget t, long from, long to) {
        float decay = s[DECAY], wd = s[WD], w1 = s[ONE_MINUS_BETA1], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2];
        float bc1 = s[BC1], lr = s[LR], bc2Sqrt = s[BC2_SQRT], eps = s[EPS], rect = s[RECT], gradScale = s[GRAD_SCALE];
        boolean l2 = wd != 0f, rectified = s[RECTIFIED] != 0f;
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
            float update = m / bc1 * lr;
            if (rectified) {
                float adaptiveLr = 1f / ((float) Math.sqrt(v) + eps) * bc2Sqrt;
                update = update * adaptiveLr * rect;
            }
            t.storeParam(i, p - update);
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
        static void update(RadamKernel k, float[] s, F32Block b, long n) {
            MemorySegment grad = NATIVE.cast(b.seg[GRAD]), param = NATIVE.cast(b.seg[PARAM]);
            MemorySegment expAvg = NATIVE.cast(b.seg[STATE]), expAvgSq = NATIVE.cast(b.seg[STATE + 1]);
            long gradAt = b.at[GRAD], paramAt = b.at[PARAM], expAvgAt = b.at[STATE], expAvgSqAt = b.at[STATE + 1];
            boolean maximize = k.maximize, l2 = s[WD] != 0f, rectified = s[RECTIFIED] != 0f;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float decay = s[DECAY], b2 = s[BETA2], c2 = s[ONE_MINUS_BETA2], bc1 = s[BC1], lr = s[LR];
            float bc2Sqrt = s[BC2_SQRT], eps = s[EPS], rect = s[RECT], gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector w1 = FloatVector.broadcast(F, s[ONE_MINUS_BETA1]);
            FloatVector one = FloatVector.broadcast(F, 1f);
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
                FloatVector update = m.div(bc1).mul(lr);
                if (rectified) {
                    FloatVector adaptiveLr = one.div(v.sqrt().add(eps)).mul(bc2Sqrt);
                    update = update.mul(adaptiveLr).mul(rect);
                }
                VectorStorage.storeF32(param, paramAt, i, p.sub(update));
                VectorStorage.storeF32(expAvg, expAvgAt, i, m);
                VectorStorage.storeF32(expAvgSq, expAvgSqAt, i, v);
            }
        }
    }
}

package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.F32Block.GRAD;
import static dev.fusedstep.internal.cpu.F32Block.PARAM;
import static dev.fusedstep.internal.cpu.F32Block.STATE;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import dev.fusedstep.optim.Adamax;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Adamax in one pass, in the order of PyTorch's {@code _single_tensor_adamax}:
 * <pre>
 *   g = maximize ? -grad : grad
 *   g = g + wd*p                          (only when wd != 0)
 *   m = lerp(m, g, 1 - beta1)             = m + (1-beta1)*(g - m)
 *   u = max(beta2*u, |g| + eps)
 *   p = p - lr/bc1 * m / u
 * </pre>
 * with {@code bc1 = 1 - beta1^t} computed in double on the host. States: {@code exp_avg}, {@code exp_inf}.
 */
final class AdamaxKernel extends OptimizerKernel {
    // scalar slots
    private static final int WD = 0, ONE_MINUS_BETA1 = 1, BETA2 = 2, EPS = 3, NEG_STEP_SIZE = 4;

    private final double lr, beta1, beta2, eps, weightDecay;
    private final boolean maximize;

    AdamaxKernel(Adamax r) {
        this.lr = r.lr();
        this.beta1 = r.beta1();
        this.beta2 = r.beta2();
        this.eps = r.eps();
        this.weightDecay = r.weightDecay();
        this.maximize = r.maximize();
    }

    @Override
    public int stateCount() {
        return 2;
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        double bc1 = 1 - Math.pow(beta1, step);
        s[WD] = (float) weightDecay;
        s[ONE_MINUS_BETA1] = (float) (1 - beta1);
        s[BETA2] = (float) beta2;
        s[EPS] = (float) eps;
        // PyTorch passes value=-clr to addcdiv, which rounds it to float once
        s[NEG_STEP_SIZE] = (float) -(lr / bc1);
    }

    @Override
    public void scalar(float[] s, StepTarget t, long from, long to) {
        float wd = s[WD], w1 = s[ONE_MINUS_BETA1], b2 = s[BETA2], eps = s[EPS], negStep = s[NEG_STEP_SIZE];
        float gradScale = s[GRAD_SCALE];
        boolean l2 = wd != 0f;
        for (long i = from; i < to; i++) {
            float g = t.loadGrad(i) * gradScale;
            if (maximize) {
                g = -g;
            }
            float p = t.loadParam(i);
            if (l2) {
                g = Math.fma(wd, p, g);
            }
            float m0 = t.loadState(0, i);
            float m = Math.fma(w1, g - m0, m0);
            float u = Math.max(t.loadState(1, i) * b2, Math.abs(g) + eps);
            t.storeParam(i, Math.fma(negStep, m / u, p));
            t.storeState(0, i, m);
            t.storeState(1, i, u);
        }
    }

    @Override
    void vectorF32(float[] s, F32Block b, long n) {
        Vectorized.update(this, s, b, n);
    }

    /** The float32 Vector API loop over {@code [0, n)} of {@code b}. */
    private static final class Vectorized {
        static void update(AdamaxKernel k, float[] s, F32Block b, long n) {
            MemorySegment grad = NATIVE.cast(b.seg[GRAD]), param = NATIVE.cast(b.seg[PARAM]);
            MemorySegment expAvg = NATIVE.cast(b.seg[STATE]), expInf = NATIVE.cast(b.seg[STATE + 1]);
            long gradAt = b.at[GRAD], paramAt = b.at[PARAM], expAvgAt = b.at[STATE], expInfAt = b.at[STATE + 1];
            boolean maximize = k.maximize, l2 = s[WD] != 0f;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float b2 = s[BETA2], eps = s[EPS], gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector w1 = FloatVector.broadcast(F, s[ONE_MINUS_BETA1]);
            FloatVector negStep = FloatVector.broadcast(F, s[NEG_STEP_SIZE]);
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.loadF32(grad, gradAt, i).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(param, paramAt, i);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector m0 = VectorStorage.loadF32(expAvg, expAvgAt, i);
                FloatVector m = g.sub(m0).fma(w1, m0);
                FloatVector u = VectorStorage.loadF32(expInf, expInfAt, i).mul(b2).max(g.abs().add(eps));
                VectorStorage.storeF32(param, paramAt, i, m.div(u).fma(negStep, p));
                VectorStorage.storeF32(expAvg, expAvgAt, i, m);
                VectorStorage.storeF32(expInf, expInfAt, i, u);
            }
        }
    }
}

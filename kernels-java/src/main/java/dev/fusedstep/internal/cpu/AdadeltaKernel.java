package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.F32Block.GRAD;
import static dev.fusedstep.internal.cpu.F32Block.PARAM;
import static dev.fusedstep.internal.cpu.F32Block.STATE;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import dev.fusedstep.optim.Adadelta;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Adadelta in one pass, in the order of PyTorch's {@code _single_tensor_adadelta}:
 * <pre>
 *   g = maximize ? -grad : grad
 *   g = g + wd*p                          (only when wd != 0)
 *   sq = rho*sq + (1-rho)*g*g
 *   delta = sqrt(acc + eps) / sqrt(sq + eps) * g
 *   acc = rho*acc + (1-rho)*delta*delta
 *   p = p - lr*delta
 * </pre>
 * States: {@code square_avg}, {@code acc_delta}. No per-step scalar depends on the step.
 */
final class AdadeltaKernel extends OptimizerKernel {
    // scalar slots
    private static final int WD = 0, RHO = 1, ONE_MINUS_RHO = 2, EPS = 3, NEG_LR = 4;

    private final double lr, rho, eps, weightDecay;
    private final boolean maximize;

    AdadeltaKernel(Adadelta r) {
        this.lr = r.lr();
        this.rho = r.rho();
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
        s[WD] = (float) weightDecay;
        s[RHO] = (float) rho;
        s[ONE_MINUS_RHO] = (float) (1 - rho);
        s[EPS] = (float) eps;
        // add_(delta, alpha=-lr) rounds alpha to float and fuses: p + (-lr)*delta
        s[NEG_LR] = (float) -lr;
    }

    @Override
    public void scalar(float[] s, StepTarget t, long from, long to) {
        float wd = s[WD], rho = s[RHO], c = s[ONE_MINUS_RHO], eps = s[EPS], negLr = s[NEG_LR];
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
            float sq = Math.fma(c * g, g, t.loadState(0, i) * rho);
            float std = (float) Math.sqrt(sq + eps);
            float acc0 = t.loadState(1, i);
            float delta = (float) Math.sqrt(acc0 + eps) / std * g;
            float acc = Math.fma(c * delta, delta, acc0 * rho);
            t.storeParam(i, Math.fma(negLr, delta, p));
            t.storeState(0, i, sq);
            t.storeState(1, i, acc);
        }
    }

    @Override
    void vectorF32(float[] s, F32Block b, long n) {
        Vectorized.update(this, s, b, n);
    }

    /** The float32 Vector API loop over {@code [0, n)} of {@code b}. */
    private static final class Vectorized {
        static void update(AdadeltaKernel k, float[] s, F32Block b, long n) {
            MemorySegment grad = NATIVE.cast(b.seg[GRAD]), param = NATIVE.cast(b.seg[PARAM]);
            MemorySegment squareAvg = NATIVE.cast(b.seg[STATE]);
            MemorySegment accDelta = NATIVE.cast(b.seg[STATE + 1]);
            long gradAt = b.at[GRAD], paramAt = b.at[PARAM], squareAvgAt = b.at[STATE], accDeltaAt = b.at[STATE + 1];
            boolean maximize = k.maximize, l2 = s[WD] != 0f;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float rho = s[RHO], c = s[ONE_MINUS_RHO], eps = s[EPS], gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
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
                FloatVector sq = g.mul(c).fma(g, VectorStorage.loadF32(squareAvg, squareAvgAt, i).mul(rho));
                FloatVector std = sq.add(eps).sqrt();
                FloatVector acc0 = VectorStorage.loadF32(accDelta, accDeltaAt, i);
                FloatVector delta = acc0.add(eps).sqrt().div(std).mul(g);
                FloatVector acc = delta.mul(c).fma(delta, acc0.mul(rho));
                VectorStorage.storeF32(param, paramAt, i, delta.fma(negLr, p));
                VectorStorage.storeF32(squareAvg, squareAvgAt, i, sq);
                VectorStorage.storeF32(accDelta, accDeltaAt, i, acc);
            }
        }
    }
}

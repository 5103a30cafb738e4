package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.F32Block.GRAD;
import static dev.fusedstep.internal.cpu.F32Block.PARAM;
import static dev.fusedstep.internal.cpu.F32Block.STATE;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import dev.fusedstep.optim.Adagrad;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Adagrad in one pass, in the order of PyTorch's {@code _single_tensor_adagrad} (dense gradients):
 * <pre>
 *   g = maximize ? -grad : grad
 *   g = g + wd*p                                   (only when wd != 0)
 *   sum = sum + g*g                                (addcmul, fused)
 *   p = p + (-clr*g) / (sqrt(sum) + eps)           (addcdiv: multiply, divide, add)
 * </pre>
 * with {@code clr = lr / (1 + (step-1)*lr_decay)} computed in double on the host. PyTorch's
 * float32 {@code sqrt} is not always correctly rounded (about 1 element in 250 lands one ulp
 * off in the golden runs); ours is, so its bits can differ there, never its accuracy.
 */
final class AdagradKernel extends OptimizerKernel {
    // scalar slots
    private static final int WD = 0, NEG_CLR = 1, EPS = 2;

    private final double lr, lrDecay, weightDecay, eps;
    private final boolean maximize, l2;

    AdagradKernel(Adagrad r) {
        this.lr = r.lr();
        this.lrDecay = r.lrDecay();
        this.weightDecay = r.weightDecay();
        this.eps = r.eps();
        this.maximize = r.maximize();
        // PyTorch tests the Python float, so a decay that rounds to 0f still multiplies (0 * inf is NaN)
        this.l2 = weightDecay != 0;
    }

    @Override
    public int stateCount() {
        return 1;
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        double clr = lr / (1 + (step - 1) * lrDecay);
        s[WD] = (float) weightDecay;
        s[NEG_CLR] = (float) -clr;
        s[EPS] = (float) eps;
    }

    @Override
    public void scalar(float[] s, StepTarget t, long from, long to) {
        float wd = s[WD], negClr = s[NEG_CLR], eps = s[EPS], gradScale = s[GRAD_SCALE];
        for (long i = from; i < to; i++) {
            float g = t.loadGrad(i) * gradScale;
            if (maximize) {
                g = -g;
            }
            float p = t.loadParam(i);
            if (l2) {
                g = Math.fma(wd, p, g);
            }
            float acc = Math.fma(g, g, t.loadState(0, i));
            float std = (float) Math.sqrt(acc) + eps;
            t.storeParam(i, p + negClr * g / std);
            t.storeState(0, i, acc);
        }
    }

    @Override
    void vectorF32(float[] s, F32Block b, long n) {
        Vectorized.update(this, s, b, n);
    }

    /** The float32 Vector API loop over {@code [0, n)} of {@code b}. */
    private static final class Vectorized {
        static void update(AdagradKernel k, float[] s, F32Block b, long n) {
            MemorySegment grad = NATIVE.cast(b.seg[GRAD]), param = NATIVE.cast(b.seg[PARAM]);
            MemorySegment sum = NATIVE.cast(b.seg[STATE]);
            long gradAt = b.at[GRAD], paramAt = b.at[PARAM], sumAt = b.at[STATE];
            boolean maximize = k.maximize, l2 = k.l2;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float negClr = s[NEG_CLR], eps = s[EPS], gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.loadF32(grad, gradAt, i).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(param, paramAt, i);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector acc = g.fma(g, VectorStorage.loadF32(sum, sumAt, i));
                FloatVector std = acc.sqrt().add(eps);
                VectorStorage.storeF32(param, paramAt, i, p.add(g.mul(negClr).div(std)));
                VectorStorage.storeF32(sum, sumAt, i, acc);
            }
        }
    }
}

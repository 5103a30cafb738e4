package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.F32Block.GRAD;
import static dev.fusedstep.internal.cpu.F32Block.PARAM;
import static dev.fusedstep.internal.cpu.F32Block.STATE;
import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.NativeSegments.NATIVE;

import dev.fusedstep.optim.RMSprop;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * RMSprop in one pass, in the order of PyTorch's {@code _single_tensor_rmsprop}:
 * <pre>
 *   g = maximize ? -grad : grad
 *   g = g + wd*p                                   (only when wd != 0)
 *   sq = alpha*sq + (1-alpha)*g*g                  (mul, then addcmul fused)
 *   centered: ga = lerp(ga, g, 1-alpha); avg = sqrt(sq - ga*ga)   (addcmul value -1, fused)
 *   else:     avg = sqrt(sq)
 *   avg = avg + eps
 *   momentum > 0: buf = momentum*buf + g/avg; p = p - lr*buf
 *   else:         p = p + (-lr*g) / avg            (addcdiv: multiply, divide, add)
 * </pre>
 * ATen's lerp with weight w is {@code self + w*(end-self)} for |w| < 0.5 and
 * {@code end + (w-1)*(end-self)} otherwise, both fused in its vector loop. State order is
 * square_avg, momentum_buffer (momentum > 0), grad_avg (centered). PyTorch's float32 {@code sqrt}
 * is not always correctly rounded; ours is, so bits can differ there, never accuracy.
 */
final class RmspropKernel extends OptimizerKernel {
    // scalar slots
    private static final int WD = 0, ALPHA = 1, ONE_MINUS_ALPHA = 2, LERP_COEFF = 3, EPS = 4, MOMENTUM = 5,
            NEG_LR = 6;

    private final double lr, alpha, eps, weightDecay, momentum;
    private final boolean centered, maximize, l2, hasMomentum, lerpWeightSmall;

    RmspropKernel(RMSprop r) {
        this.lr = r.lr();
        this.alpha = r.alpha();
        this.eps = r.eps();
        this.weightDecay = r.weightDecay();
        this.momentum = r.momentum();
        this.centered = r.centered();
        this.maximize = r.maximize();
        // PyTorch tests the Python floats, so a decay that rounds to 0f still multiplies (0 * inf is NaN)
        this.l2 = weightDecay != 0;
        this.hasMomentum = momentum > 0;
        // ATen picks the lerp formula from the weight as the float32 kernel sees it
        this.lerpWeightSmall = Math.abs((float) (1 - alpha)) < 0.5f;
    }

    @Override
    public int stateCount() {
        return 1 + (hasMomentum ? 1 : 0) + (centered ? 1 : 0);
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        float weight = (float) (1 - alpha);
        s[WD] = (float) weightDecay;
        s[ALPHA] = (float) alpha;
        s[ONE_MINUS_ALPHA] = weight;
        s[LERP_COEFF] = lerpWeightSmall ? weight : weight - 1f;
        s[EPS] = (float) eps;
        s[MOMENTUM] = (float) momentum;
        s[NEG_LR] = (float) -lr;
    }

    @Override
    public void scalar(float[] s, StepTarget t, long from, long to) {
        int momentumState = 1, gradAvgState = hasMomentum ? 2 : 1;
        float wd = s[WD], a = s[ALPHA], c = s[ONE_MINUS_ALPHA], lerpCoeff = s[LERP_COEFF], eps = s[EPS];
        float mom = s[MOMENTUM], negLr = s[NEG_LR], gradScale = s[GRAD_SCALE];
        for (long i = from; i < to; i++) {
            float g = t.loadGrad(i) * gradScale;
            if (maximize) {
                g = -g;
            }
            float p = t.loadParam(i);
            if (l2) {
                g = Math.fma(wd, p, g);
            }
            float sq = Math.fma(c * g, g, t.loadState(0, i) * a);
            float avg;
            if (centered) {
                float ga0 = t.loadState(gradAvgState, i);
                float ga = Math.fma(lerpCoeff, g - ga0, lerpWeightSmall ? ga0 : g);
                avg = (float) Math.sqrt(Math.fma(-ga, ga, sq));
                t.storeState(gradAvgState, i, ga);
            } else {
                avg = (float) Math.sqrt(sq);
            }
            avg += eps;
            if (hasMomentum) {
                float buf = t.loadState(momentumState, i) * mom + g / avg;
                t.storeParam(i, Math.fma(negLr, buf, p));
                t.storeState(momentumState, i, buf);
            } else {
                t.storeParam(i, p + negLr * g / avg);
            }
            t.storeState(0, i, sq);
        }
    }

    @Override
    void vectorF32(float[] s, F32Block b, long n) {
        Vectorized.update(this, s, b, n);
    }

    /** The float32 Vector API loop over {@code [0, n)} of {@code b}. */
    private static final class Vectorized {
        static void update(RmspropKernel k, float[] s, F32Block b, long n) {
            boolean maximize = k.maximize, l2 = k.l2, centered = k.centered, hasMomentum = k.hasMomentum;
            boolean lerpWeightSmall = k.lerpWeightSmall;
            MemorySegment grad = NATIVE.cast(b.seg[GRAD]), param = NATIVE.cast(b.seg[PARAM]);
            MemorySegment squareAvg = NATIVE.cast(b.seg[STATE]);
            long gradAt = b.at[GRAD], paramAt = b.at[PARAM], squareAvgAt = b.at[STATE];
            MemorySegment momentumBuffer = hasMomentum ? NATIVE.cast(b.seg[STATE + 1]) : null;
            long momentumBufferAt = hasMomentum ? b.at[STATE + 1] : 0;
            MemorySegment gradAvg = centered ? NATIVE.cast(b.seg[STATE + (hasMomentum ? 2 : 1)]) : null;
            long gradAvgAt = centered ? b.at[STATE + (hasMomentum ? 2 : 1)] : 0;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float a = s[ALPHA], c = s[ONE_MINUS_ALPHA], eps = s[EPS], mom = s[MOMENTUM], negLrS = s[NEG_LR];
            float gradScale = s[GRAD_SCALE];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector lerpCoeff = FloatVector.broadcast(F, s[LERP_COEFF]);
            FloatVector negLr = FloatVector.broadcast(F, negLrS);
            for (long i = 0; i < n; i += F.length()) {
                FloatVector g = VectorStorage.loadF32(grad, gradAt, i).mul(gradScale);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = VectorStorage.loadF32(param, paramAt, i);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector sq = g.mul(c).fma(g, VectorStorage.loadF32(squareAvg, squareAvgAt, i).mul(a));
                FloatVector avg;
                if (centered) {
                    FloatVector ga0 = VectorStorage.loadF32(gradAvg, gradAvgAt, i);
                    FloatVector ga = g.sub(ga0).fma(lerpCoeff, lerpWeightSmall ? ga0 : g);
                    avg = ga.neg().fma(ga, sq).sqrt();
                    VectorStorage.storeF32(gradAvg, gradAvgAt, i, ga);
                } else {
                    avg = sq.sqrt();
                }
                avg = avg.add(eps);
                if (hasMomentum) {
                    FloatVector buf = VectorStorage.loadF32(momentumBuffer, momentumBufferAt, i).mul(mom).add(g.div(avg));
                    VectorStorage.storeF32(param, paramAt, i, buf.fma(negLr, p));
                    VectorStorage.storeF32(momentumBuffer, momentumBufferAt, i, buf);
                } else {
                    VectorStorage.storeF32(param, paramAt, i, p.add(g.mul(negLrS).div(avg)));
                }
                VectorStorage.storeF32(squareAvg, squareAvgAt, i, sq);
            }
        }
    }
}

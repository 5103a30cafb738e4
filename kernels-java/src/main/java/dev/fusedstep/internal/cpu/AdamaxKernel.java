package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.Lanes.LE;

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
    public void scalar(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        MemorySegment expAvg = states[0], expInf = states[1];
        float wd = s[WD], w1 = s[ONE_MINUS_BETA1], b2 = s[BETA2], eps = s[EPS], negStep = s[NEG_STEP_SIZE];
        boolean l2 = wd != 0f;
        for (long i = from; i < to; i++) {
            float g = F32.get(grad, i);
            if (maximize) {
                g = -g;
            }
            float p = F32.get(param, i);
            if (l2) {
                g = Math.fma(wd, p, g);
            }
            float m = Math.fma(w1, g - F32.get(expAvg, i), F32.get(expAvg, i));
            float u = Math.max(F32.get(expInf, i) * b2, Math.abs(g) + eps);
            F32.set(param, i, Math.fma(negStep, m / u, p));
            F32.set(expAvg, i, m);
            F32.set(expInf, i, u);
        }
    }

    @Override
    public void vector(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        long done = Vectorized.update(this, s, param, grad, states, from, to);
        scalar(s, param, grad, states, done, to);
    }

    /** The Vector API loop; returns where the scalar tail starts. */
    private static final class Vectorized {
        static long update(AdamaxKernel k, float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states,
                long from, long to) {
            MemorySegment expAvg = states[0], expInf = states[1];
            boolean maximize = k.maximize, l2 = s[WD] != 0f;
            // fma takes two vectors or two scalars, so the scalars it meets are broadcast once per call
            float b2 = s[BETA2], eps = s[EPS];
            FloatVector wd = FloatVector.broadcast(F, s[WD]);
            FloatVector w1 = FloatVector.broadcast(F, s[ONE_MINUS_BETA1]);
            FloatVector negStep = FloatVector.broadcast(F, s[NEG_STEP_SIZE]);
            long bound = from + F.loopBound(to - from);
            long i = from;
            for (; i < bound; i += F.length()) {
                long off = i * Float.BYTES;
                FloatVector g = FloatVector.fromMemorySegment(F, grad, off, LE);
                if (maximize) {
                    g = g.neg();
                }
                FloatVector p = FloatVector.fromMemorySegment(F, param, off, LE);
                if (l2) {
                    g = p.fma(wd, g);
                }
                FloatVector m0 = FloatVector.fromMemorySegment(F, expAvg, off, LE);
                FloatVector m = g.sub(m0).fma(w1, m0);
                FloatVector u = FloatVector.fromMemorySegment(F, expInf, off, LE).mul(b2).max(g.abs().add(eps));
                m.div(u).fma(negStep, p).intoMemorySegment(param, off, LE);
                m.intoMemorySegment(expAvg, off, LE);
                u.intoMemorySegment(expInf, off, LE);
            }
            return i;
        }
    }
}

package dev.fusedstep.bench;

/**
 * What a user writes without this library: the same update as plain Java loops over float[]
 * arrays, per-step scalars in double on the host. C2 auto-vectorizes these loops, so they are
 * the bar a library kernel must clear to be worth calling.
 */
final class PlainLoops {
    private PlainLoops() {}

    /** One AdamW step (PyTorch's order: decay, lerp m, v, update) at step {@code t} (1-based). */
    static void adamw(float[] p, float[] g, float[] m, float[] v, long t,
            double lr, double beta1, double beta2, double eps, double wd) {
        float decay = (float) (1 - lr * wd);
        float w1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float c2 = (float) (1 - beta2);
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
        float e = (float) eps;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            float pi = p[i] * decay;
            float mi = m[i] + w1 * (gi - m[i]);
            float vi = b2 * v[i] + c2 * gi * gi;
            p[i] = pi - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + e);
            m[i] = mi;
            v[i] = vi;
        }
    }

    /** One SGD step with momentum (no dampening, no Nesterov, no weight decay) at step {@code t}. */
    static void sgdMomentum(float[] p, float[] g, float[] buf, long t, float lr, float momentum) {
        if (t == 1) {
            for (int i = 0; i < p.length; i++) {
                buf[i] = g[i];
                p[i] -= lr * g[i];
            }
            return;
        }
        for (int i = 0; i < p.length; i++) {
            float b = momentum * buf[i] + g[i];
            buf[i] = b;
            p[i] -= lr * b;
        }
    }
}

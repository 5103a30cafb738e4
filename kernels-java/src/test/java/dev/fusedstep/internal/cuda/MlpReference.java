package dev.fusedstep.internal.cuda;

/**
 * The CPU demo network's element-wise loops (cli Mlp), the reference the MLP kernels are held to
 * on the host emulation and on the GPU.
 */
final class MlpReference {
    private MlpReference() {}

    /** Math.max(h, 0f). */
    static float[] relu(float[] h) {
        float[] a = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            a[i] = Math.max(h[i], 0f);
        }
        return a;
    }

    /** {@code d} with zeros wherever !(h > 0). */
    static float[] reluBackward(float[] h, float[] d) {
        float[] out = d.clone();
        for (int i = 0; i < h.length; i++) {
            if (!(h[i] > 0f)) {
                out[i] = 0f;
            }
        }
        return out;
    }

    /** (out - y) * scale. */
    static float[] mseGradient(float[] out, float[] y, float scale) {
        float[] g = new float[out.length];
        for (int i = 0; i < out.length; i++) {
            g[i] = (out[i] - y[i]) * scale;
        }
        return g;
    }

    /** mean((out - y)^2), the squares summed in double in row order. */
    static double mseLoss(float[] out, float[] y) {
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            float r = out[i] - y[i];
            sum += (double) r * r;
        }
        return sum / out.length;
    }

    /** Gaussian values with the ReLU's edge cases (zeros of both signs, NaN, denormals, infinities) first. */
    static float[] withSpecials(float[] h) {
        float[] specials = {0f, -0f, Float.NaN, -1e-45f, 1e-45f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] out = h.clone();
        System.arraycopy(specials, 0, out, 0, Math.min(out.length, specials.length));
        return out;
    }
}

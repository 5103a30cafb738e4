package dev.fusedstep.cli;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import java.lang.foreign.Arena;
import java.util.Random;

/**
 * The demo's problem: fit {@code y = w*x + b} by mean squared error to points of
 * {@code y = 3x + noise}, with gradients computed by hand and the step taken by an
 * {@link Optimizer}. {@code w} lives in a heap {@code float[]} and {@code b} in native memory,
 * to show that both are just segments to the optimizer.
 */
final class LinearRegression {

    static final int POINTS = 100;
    static final long SEED = 0;
    static final double TRUE_W = 3.0;
    /** Standard deviation (not variance) of the Gaussian noise added to y. */
    static final double NOISE_STD = 0.01;

    /** x uniform in [-1, 1), y = 3x + N(0, 0.01^2), as float32 like a framework's tensors. */
    record Data(float[] x, float[] y) {
        static Data generate() {
            return generate(SEED);
        }

        static Data generate(long seed) {
            Random rng = new Random(seed);
            float[] x = new float[POINTS];
            float[] y = new float[POINTS];
            for (int i = 0; i < POINTS; i++) {
                x[i] = (float) (2 * rng.nextDouble() - 1);
                y[i] = (float) (TRUE_W * x[i] + NOISE_STD * rng.nextGaussian());
            }
            return new Data(x, y);
        }
    }

    /**
     * A training run: {@code loss[t]} is the loss after {@code t} steps ({@code loss[0]} at the
     * start), {@code w[t]} and {@code b[t]} the parameters then.
     */
    record Fit(double[] loss, float[] w, float[] b) {
        int steps() {
            return loss.length - 1;
        }

        double finalLoss() {
            return loss[steps()];
        }

        float finalW() {
            return w[steps()];
        }

        float finalB() {
            return b[steps()];
        }
    }

    /** The exact least-squares fit, for reference: what any optimizer converges to. */
    record Exact(double loss, double w, double b) {}

    private LinearRegression() {}

    /** Trains {@code w = b = 0} for {@code steps} full-batch steps of {@code rule}. */
    static Fit train(OptimizerRule rule, Data data, int steps) {
        return train(rule, data, steps, data.x().length, SEED);
    }

    /**
     * Trains {@code w = b = 0} for {@code steps} steps of {@code rule}, each on the next
     * {@code batch} points of an order shuffled every pass over the data ({@code batch} = all
     * points: full-batch gradient descent; 1: stochastic). The recorded loss is always over all
     * points, so the three kinds compare on one scale.
     */
    static Fit train(OptimizerRule rule, Data data, int steps, int batch, long seed) {
        int n = data.x().length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random shuffle = new Random(seed);
        int next = n; // start with a shuffle (a full batch needs none: its gradient is order-independent)
        float[] w = {0f};
        float[] gradW = new float[1];
        double[] loss = new double[steps + 1];
        float[] ws = new float[steps + 1];
        float[] bs = new float[steps + 1];
        // Shared, not confined: the optimizer's worker threads read and write b too.
        try (Arena arena = Arena.ofShared()) {
            Tensor b = Tensor.allocate(arena, DType.F32, 1);
            Tensor gradB = Tensor.allocate(arena, DType.F32, 1);
            try (Optimizer opt = Optimizer.builder()
                    .group(rule, Param.of("w", Tensor.of(w, 1), Tensor.of(gradW, 1)), Param.of("b", b, gradB))
                    .build()) {
                for (int t = 0; ; t++) {
                    loss[t] = lossAndGradients(data, w[0], b.getFloat(0))[0];
                    ws[t] = w[0];
                    bs[t] = b.getFloat(0);
                    if (t == steps) {
                        break;
                    }
                    if (next + batch > n) {
                        if (batch < n) {
                            shuffle(order, shuffle);
                        }
                        next = 0;
                    }
                    double[] g = lossAndGradients(data, order, next, batch, w[0], b.getFloat(0));
                    next += batch;
                    gradW[0] = (float) g[1];
                    gradB.setFloat(0, (float) g[2]);
                    opt.step();
                }
            }
        }
        return new Fit(loss, ws, bs);
    }

    /** {loss, dloss/dw, dloss/db} of the mean squared error over all points, accumulated in double. */
    static double[] lossAndGradients(Data data, double w, double b) {
        int[] all = new int[data.x().length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return lossAndGradients(data, all, 0, all.length, w, b);
    }

    /** The same over the {@code count} points {@code order[from..from+count)}. */
    static double[] lossAndGradients(Data data, int[] order, int from, int count, double w, double b) {
        double sum = 0, dw = 0, db = 0;
        for (int k = from; k < from + count; k++) {
            int i = order[k];
            double r = w * data.x()[i] + b - data.y()[i];
            sum += r * r;
            dw += r * data.x()[i];
            db += r;
        }
        return new double[] {sum / count, 2 * dw / count, 2 * db / count};
    }

    /** Fisher-Yates. */
    private static void shuffle(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static Exact leastSquares(Data data) {
        int n = data.x().length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += data.x()[i];
            my += data.y()[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (data.x()[i] - mx) * (data.y()[i] - my);
            sxx += (data.x()[i] - mx) * (data.x()[i] - mx);
        }
        double w = sxy / sxx;
        double b = my - w * mx;
        return new Exact(lossAndGradients(data, w, b)[0], w, b);
    }
}

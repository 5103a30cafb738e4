package dev.fusedstep.cli;

import dev.fusedstep.Tensor;
import dev.fusedstep.init.FanMode;
import dev.fusedstep.init.Init;
import dev.fusedstep.init.RandomStream;

/**
 * The demo's synthetic regression task for the {@link Mlp}: {@code x} standard normal [n, 10],
 * {@code y = sin(x0 + x1) + x2 x3 / 2 - 0.3 x4 + N(0, 0.05^2)}, a smooth nonlinear target the
 * network can learn but a linear model cannot. The random numbers come from the library's
 * Philox streams ({@link RandomStream}), so a seed gives the same task everywhere.
 */
record MlpTask(Tensor x, Tensor y) {
    static final int ROWS = 512;
    static final double NOISE_STD = 0.05;

    static MlpTask generate(long seed) {
        RandomStream rng = RandomStream.of(seed);
        Tensor x = Tensor.of(new float[ROWS * Mlp.IN], ROWS, Mlp.IN);
        Init.normal(x, rng.withStream(0));
        Tensor noise = Tensor.of(new float[ROWS], ROWS, 1);
        Init.normal(noise, 0, NOISE_STD, rng.withStream(1));
        Tensor y = Tensor.of(new float[ROWS], ROWS, 1);
        for (int i = 0; i < ROWS; i++) {
            double x0 = x.getFloat(i * Mlp.IN), x1 = x.getFloat(i * Mlp.IN + 1), x2 = x.getFloat(i * Mlp.IN + 2);
            double x3 = x.getFloat(i * Mlp.IN + 3), x4 = x.getFloat(i * Mlp.IN + 4);
            y.setFloat(i, (float) (Math.sin(x0 + x1) + x2 * x3 / 2 - 0.3 * x4 + noise.getFloat(i)));
        }
        return new MlpTask(x, y);
    }

    /**
     * The network's starting point: He (Kaiming) uniform for the layer that feeds the ReLU, Xavier
     * uniform for the two linear layers after it, biases zero; one Philox stream per weight.
     */
    static void initialize(Mlp mlp, long seed) {
        RandomStream rng = RandomStream.of(seed);
        Init.kaimingUniform(mlp.w1, 0.0, FanMode.FAN_IN, "relu", rng.withStream(100));
        Init.xavierUniform(mlp.w2, rng.withStream(101));
        Init.xavierUniform(mlp.w3, rng.withStream(102));
        Init.zeros(mlp.b1);
        Init.zeros(mlp.b2);
        Init.zeros(mlp.b3);
    }
}

package dev.fusedstep.init;

import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.cuda.DeviceInit;
import java.util.Arrays;
import java.util.Locale;

/**
 * Parameter initializers with torch.nn.init's semantics and defaults, for F32, BF16 and F16
 * tensors on the CPU or a CUDA device. Values are computed in float32 (the truncated normal and orthogonal in
 * double) and rounded to the tensor's dtype to nearest-even, so a half tensor holds exactly the
 * cast of what an F32 tensor gets from the same call.
 *
 * <p>Random initializers draw from Philox4x32-10 keyed by a {@link RandomStream}: element
 * {@code i} depends only on the seed, the stream and {@code i}, never on the thread count, and a
 * GPU kernel can reproduce the bits (the exact formulas are spelled out in this package's
 * {@code Samplers}). Every argument
 * is checked before anything is written. Zero-element tensors are left as they are.
 *
 * <p>On a CUDA tensor (from {@code DeviceArena}) the same values are computed by the GPU's
 * kernels, bit for bit those a CPU tensor gets from the same call; the call returns when they are
 * in device memory. {@link #orthogonal} computes its matrix on the host and copies it over.
 */
public final class Init {
    private Init() {}

    /** Fills with 0. */
    public static void zeros(Tensor tensor) {
        constant(tensor, 0.0);
    }

    /** Fills with 1. */
    public static void ones(Tensor tensor) {
        constant(tensor, 1.0);
    }

    /** Fills with {@code value} (rounded to float32, then to the dtype). */
    public static void constant(Tensor tensor, double value) {
        Fill.requireTarget(tensor);
        float v = toFloat("value", value);
        if (OnDevice.is(tensor)) {
            OnDevice.run(tensor, backend -> DeviceInit.constant(backend, tensor, v));
            return;
        }
        Fill.run(CpuBackend.shared(), tensor, Samplers.constant(v));
    }

    /** Uniform on [0, 1). */
    public static void uniform(Tensor tensor, RandomStream rng) {
        uniform(tensor, 0.0, 1.0, rng);
    }

    /** Uniform on [a, b). */
    public static void uniform(Tensor tensor, double a, double b, RandomStream rng) {
        uniform(CpuBackend.shared(), tensor, a, b, rng);
    }

    /** Standard normal. */
    public static void normal(Tensor tensor, RandomStream rng) {
        normal(tensor, 0.0, 1.0, rng);
    }

    /** Normal with {@code mean} and {@code std} (>= 0). */
    public static void normal(Tensor tensor, double mean, double std, RandomStream rng) {
        normal(CpuBackend.shared(), tensor, mean, std, rng);
    }

    /** Standard normal truncated to [-2, 2]. */
    public static void truncNormal(Tensor tensor, RandomStream rng) {
        truncNormal(tensor, 0.0, 1.0, -2.0, 2.0, rng);
    }

    /** Normal with {@code mean} and {@code std} (> 0) truncated to [a, b], as torch.nn.init.trunc_normal_. */
    public static void truncNormal(Tensor tensor, double mean, double std, double a, double b, RandomStream rng) {
        truncNormal(CpuBackend.shared(), tensor, mean, std, a, b, rng);
    }

    /** Xavier/Glorot uniform with gain 1. */
    public static void xavierUniform(Tensor tensor, RandomStream rng) {
        xavierUniform(tensor, 1.0, rng);
    }

    /** Uniform on ±{@code gain sqrt(6 / (fan_in + fan_out))}. */
    public static void xavierUniform(Tensor tensor, double gain, RandomStream rng) {
        double std = xavierStd(tensor, gain);
        double bound = Math.sqrt(3.0) * std;
        uniform(tensor, -bound, bound, rng);
    }

    /** Xavier/Glorot normal with gain 1. */
    public static void xavierNormal(Tensor tensor, RandomStream rng) {
        xavierNormal(tensor, 1.0, rng);
    }

    /** Normal with std {@code gain sqrt(2 / (fan_in + fan_out))}. */
    public static void xavierNormal(Tensor tensor, double gain, RandomStream rng) {
        normal(tensor, 0.0, xavierStd(tensor, gain), rng);
    }

    /** Kaiming/He uniform with PyTorch's defaults: a = 0, fan_in, leaky_relu (gain sqrt 2). */
    public static void kaimingUniform(Tensor tensor, RandomStream rng) {
        kaimingUniform(tensor, 0.0, FanMode.FAN_IN, "leaky_relu", rng);
    }

    /** Uniform on ±{@code sqrt(3) calculateGain(nonlinearity, a) / sqrt(fan)}. */
    public static void kaimingUniform(Tensor tensor, double a, FanMode mode, String nonlinearity, RandomStream rng) {
        double std = kaimingStd(tensor, a, mode, nonlinearity);
        double bound = Math.sqrt(3.0) * std;
        uniform(tensor, -bound, bound, rng);
    }

    /** Kaiming/He normal with PyTorch's defaults: a = 0, fan_in, leaky_relu (gain sqrt 2). */
    public static void kaimingNormal(Tensor tensor, RandomStream rng) {
        kaimingNormal(tensor, 0.0, FanMode.FAN_IN, "leaky_relu", rng);
    }

    /** Normal with std {@code calculateGain(nonlinearity, a) / sqrt(fan)}. */
    public static void kaimingNormal(Tensor tensor, double a, FanMode mode, String nonlinearity, RandomStream rng) {
        normal(tensor, 0.0, kaimingStd(tensor, a, mode, nonlinearity), rng);
    }

    /** A (semi-)orthogonal matrix with gain 1. */
    public static void orthogonal(Tensor tensor, RandomStream rng) {
        orthogonal(tensor, 1.0, rng);
    }

    /**
     * As torch.nn.init.orthogonal_: the tensor viewed as shape[0] x (the rest) gets orthonormal
     * columns (rows >= cols) or rows (rows < cols), times {@code gain}. The normal draws are those
     * of {@link #normal} with the same stream; the QR runs in double on the calling thread.
     */
    public static void orthogonal(Tensor tensor, double gain, RandomStream rng) {
        Fill.requireTarget(tensor);
        long[] shape = tensor.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("tensor: got shape " + Arrays.toString(shape)
                    + ", expected at least 2 dimensions for orthogonal");
        }
        requireFinite("gain", gain);
        requireRng(rng);
        if (tensor.numel() == 0) {
            return;
        }
        if (tensor.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor: got " + tensor.numel()
                    + " elements, expected at most " + (Integer.MAX_VALUE - 8) + " for orthogonal (a heap matrix)");
        }
        int rows = (int) shape[0];
        int cols = (int) (tensor.numel() / rows);
        double[] q = Orthogonal.matrix(rows, cols, gain, rng);
        Samplers.ChunkSource matrix = (from, out, len) -> {
            for (int i = 0; i < len; i++) {
                out[i] = (float) q[(int) from + i];
            }
        };
        if (OnDevice.is(tensor)) {
            OnDevice.copyFromHost(tensor, host -> Fill.run(CpuBackend.shared(), host, matrix));
            return;
        }
        Fill.run(CpuBackend.shared(), tensor, matrix);
    }

    /**
     * The recommended gain for {@code nonlinearity}, as torch.nn.init.calculate_gain: 1 for
     * linear, identity, conv1d/2d/3d, conv_transpose1d/2d/3d and sigmoid; 5/3 for tanh; sqrt 2 for
     * relu; sqrt(2 / (1 + 0.01^2)) for leaky_relu; 3/4 for selu.
     */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, Double.NaN, false);
    }

    /** As {@link #calculateGain(String)}; {@code param} is leaky_relu's negative slope (ignored otherwise). */
    public static double calculateGain(String nonlinearity, double param) {
        return calculateGain(nonlinearity, param, true);
    }

    private static double calculateGain(String nonlinearity, double param, boolean hasParam) {
        if (nonlinearity == null) {
            throw new IllegalArgumentException("nonlinearity: got null, expected one of " + NONLINEARITIES);
        }
        return switch (nonlinearity) {
            case "linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                    "conv_transpose3d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> {
                double slope = hasParam ? param : 0.01;
                if (!Double.isFinite(slope)) {
                    throw new IllegalArgumentException("negative_slope: got " + slope + ", expected a finite number");
                }
                yield Math.sqrt(2.0 / (1 + slope * slope));
            }
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("nonlinearity: got \"" + nonlinearity
                    + "\", expected one of " + NONLINEARITIES);
        };
    }

    private static final String NONLINEARITIES = "linear, identity, conv1d, conv2d, conv3d, conv_transpose1d,"
            + " conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu, selu";

    // Package-private entries with an explicit backend: the tests run them on 1, 2 and 3 threads.

    static void uniform(CpuBackend backend, Tensor tensor, double a, double b, RandomStream rng) {
        Fill.requireTarget(tensor);
        float fa = toFloat("a", a);
        float fb = toFloat("b", b);
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new IllegalArgumentException((Double.isFinite(a) ? "b: got " + b : "a: got " + a)
                    + ", expected a finite bound");
        }
        if (!(a <= b)) {
            throw new IllegalArgumentException("b: got " + b + ", expected >= a (" + a + ")");
        }
        if (Float.isInfinite(fb - fa)) {
            throw new IllegalArgumentException("b - a: got " + (b - a) + ", expected a range that fits in float32");
        }
        requireRng(rng);
        if (OnDevice.is(tensor)) {
            OnDevice.run(tensor, cuda -> DeviceInit.uniform(cuda, tensor, 0, rng.seed(), rng.stream(), fa, fb));
            return;
        }
        Fill.run(backend, tensor, Samplers.uniform(rng, fa, fb));
    }

    static void normal(CpuBackend backend, Tensor tensor, double mean, double std, RandomStream rng) {
        Fill.requireTarget(tensor);
        requireFinite("mean", mean);
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("std: got " + std + ", expected a finite value >= 0");
        }
        float fMean = toFloat("mean", mean);
        float fStd = toFloat("std", std);
        requireRng(rng);
        if (OnDevice.is(tensor)) {
            OnDevice.run(tensor, cuda -> DeviceInit.normal(cuda, tensor, 0, rng.seed(), rng.stream(), fMean, fStd));
            return;
        }
        Fill.run(backend, tensor, Samplers.normal(rng, fMean, fStd));
    }

    static void truncNormal(CpuBackend backend, Tensor tensor, double mean, double std, double a, double b,
            RandomStream rng) {
        Fill.requireTarget(tensor);
        requireFinite("mean", mean);
        if (!(std > 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("std: got " + std + ", expected a finite value > 0");
        }
        if (Double.isNaN(a)) {
            throw new IllegalArgumentException("a: got NaN, expected a lower bound");
        }
        if (!(a < b)) {
            throw new IllegalArgumentException("b: got " + b + ", expected > a (" + a + ")");
        }
        requireRng(rng);
        if (OnDevice.is(tensor)) {
            OnDevice.run(tensor, cuda -> DeviceInit.truncNormal(cuda, tensor, 0, rng.seed(), rng.stream(), mean, std, a, b));
            return;
        }
        Fill.run(backend, tensor, Samplers.truncNormal(rng, mean, std, a, b));
    }

    private static double xavierStd(Tensor tensor, double gain) {
        Fill.requireTarget(tensor);
        Fans fans = Fans.of(tensor.shape());
        requireFinite("gain", gain);
        long sum = fans.fanIn() + fans.fanOut();
        return sum == 0 ? 0.0 : gain * Math.sqrt(2.0 / sum);
    }

    private static double kaimingStd(Tensor tensor, double a, FanMode mode, String nonlinearity) {
        Fill.requireTarget(tensor);
        if (mode == null) {
            throw new IllegalArgumentException("mode: got null, expected FAN_IN or FAN_OUT");
        }
        requireFinite("a", a);
        double gain = calculateGain(nonlinearity, a);
        Fans fans = Fans.of(tensor.shape());
        long fan = fans.get(mode);
        return fan == 0 ? 0.0 : gain / Math.sqrt(fan);
    }

    private static void requireFinite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + ": got " + value + ", expected a finite number");
        }
    }

    private static void requireRng(RandomStream rng) {
        if (rng == null) {
            throw new IllegalArgumentException("rng: got null, expected a RandomStream (e.g. RandomStream.of(seed))");
        }
    }

    /** {@code value} as a float32; a finite value beyond float32's range is an error, not an infinity. */
    private static float toFloat(String name, double value) {
        float f = (float) value;
        if (Float.isInfinite(f) && Double.isFinite(value)) {
            throw new IllegalArgumentException(name + ": got " + String.format(Locale.ROOT, "%g", value)
                    + ", expected a value within float32's range (|x| <= 3.4028235e38)");
        }
        return f;
    }
}

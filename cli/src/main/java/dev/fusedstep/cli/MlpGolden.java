package dev.fusedstep.cli;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.io.SafeTensors;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's exactness check against PyTorch: {@code golden/mlp.safetensors} holds the MLP's
 * initial weights, a batch {@code X} [256, 10], {@code y} [256, 1], and the loss before each of
 * 50 full-batch AdamW steps (lr 1e-3, weight_decay 1e-2) computed by PyTorch in float64
 * ({@code loss64}, the truth) and float32 ({@code loss32}). Training the same network here, in
 * float32 through {@code Gemm} and the fused AdamW step, must land within
 * {@link #TOLERANCE} (relative) of {@code loss64} at every step, on the CPU and on a GPU.
 */
final class MlpGolden {
    static final double TOLERANCE = 1e-4;
    static final String RESOURCE = "/golden/mlp.safetensors";

    /**
     * Per-step relative errors of our loss and of PyTorch float32's against float64, and the
     * largest absolute error of our final weights against PyTorch float64's (and float32's).
     */
    record Result(double[] ours, double[] truth, double[] relError, double[] torch32RelError, double weightError,
            double torch32WeightError) {
        int worstStep() {
            int w = 0;
            for (int t = 1; t < relError.length; t++) {
                w = relError[t] > relError[w] ? t : w;
            }
            return w;
        }

        double worst() {
            return relError[worstStep()];
        }

        double torch32Worst() {
            double w = 0;
            for (double e : torch32RelError) {
                w = Math.max(w, e);
            }
            return w;
        }

        boolean passed() {
            return worst() <= TOLERANCE;
        }
    }

    private MlpGolden() {}

    /** Replays the golden run from {@code file} on the CPU. */
    static Result check(Path file) throws IOException {
        return check(file, Device.CPU);
    }

    /**
     * Replays the golden run from {@code file} on {@code device}: the same network, optimizer and
     * steps, every tensor there (on a GPU the loss is read back once per step).
     */
    static Result check(Path file, Device device) throws IOException {
        try (SafeTensors golden = SafeTensors.open(file); MlpOps ops = MlpOps.on(device)) {
            double[] truth = golden.toDoubleArray("loss64");
            double[] torch32 = golden.toDoubleArray("loss32");
            Tensor x = ops.upload(golden.tensor("X"));
            Tensor y = ops.upload(golden.tensor("y"));
            Mlp mlp = new Mlp(ops, (int) x.shape()[0]);
            List<Param> params = new ArrayList<>();
            for (int i = 0; i < Mlp.NAMES.size(); i++) {
                String name = Mlp.NAMES.get(i);
                ops.copyIn(golden.tensor(name).toFloatArray(), mlp.params().get(i));
                params.add(Param.of(name, mlp.params().get(i), mlp.grads().get(i)));
            }
            double[] ours = new double[truth.length];
            float[][] finals = new float[Mlp.NAMES.size()][];
            try (Optimizer opt = Optimizer.builder().group(new AdamW().withLr(1e-3).withWeightDecay(1e-2), params).build()) {
                for (int t = 0; t < truth.length; t++) {
                    ours[t] = mlp.lossAndGradients(x, y, 1f);
                    opt.step();
                }
                for (int i = 0; i < finals.length; i++) {
                    finals[i] = ops.toHost(mlp.params().get(i));  // waits for the last step on a GPU
                }
            }
            double[] rel = new double[truth.length], rel32 = new double[truth.length];
            for (int t = 0; t < truth.length; t++) {
                rel[t] = Math.abs(ours[t] - truth[t]) / Math.abs(truth[t]);
                rel32[t] = Math.abs(torch32[t] - truth[t]) / Math.abs(truth[t]);
            }
            double weightError = 0, torch32WeightError = 0;
            for (int i = 0; i < Mlp.NAMES.size(); i++) {
                String name = Mlp.NAMES.get(i);
                double[] want = golden.toDoubleArray(name + "_final64");
                double[] torch32Final = golden.toDoubleArray(name + "_final32");
                for (int j = 0; j < want.length; j++) {
                    weightError = Math.max(weightError, Math.abs(finals[i][j] - want[j]));
                    torch32WeightError = Math.max(torch32WeightError, Math.abs(torch32Final[j] - want[j]));
                }
            }
            return new Result(ours, truth, rel, rel32, weightError, torch32WeightError);
        }
    }

    /** The golden file shipped in the CLI's jar, as a file SafeTensors can map (copied out of a jar if need be). */
    static Path bundledFile() {
        URL url = MlpGolden.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException(RESOURCE + " is missing from the class path (the CLI jar ships it)");
        }
        try {
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI());
            }
            Path copy = Files.createTempFile("fusedstep-mlp-golden", ".safetensors");
            copy.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's MLP on the GPU: one forward and backward pass against the CPU's, PyTorch's float64
 * loss curve within 1e-4 at every step (the golden check), and the demo command with
 * {@code --device cuda} and {@code --check}. Self-contained (no other cli test class), because
 * the GPU pack (scripts/gpu-test) carries only the cli's CudaMlp* test classes.
 */
@Tag("gpu")
class CudaMlpTest {
    private static final Device GPU = DeviceChoice.GPU;

    private static void requireGpu() {
        DeviceChoice.Gpu gpu = DeviceChoice.Gpu.here();
        assumeTrue(gpu.usable(), () -> "no GPU backend here: " + gpu.reason());
    }

    /**
     * The same weights and batch on both: the loss within 1e-5 and every gradient within 1e-4
     * (relative, in the L2 norm) of the CPU's. Each value is a float32 sum of at most 256 terms in
     * another order (cuBLAS's, and float32 column sums where the CPU sums in double), which moves
     * it by about sqrt(256) u = 1e-6 of the sum of its terms' magnitudes; the bars leave a factor
     * of 10 to 100 for cancellation in those sums (a bias gradient sums residuals of both signs).
     * A wrong transpose, bias or mask moves them by O(1).
     */
    @Test
    void oneStepAgreesWithTheCpu() throws Exception {
        requireGpu();
        try (SafeTensors golden = SafeTensors.open(MlpGolden.bundledFile());
                MlpOps cpu = MlpOps.on(Device.CPU); MlpOps gpu = MlpOps.on(GPU)) {
            Tensor x = golden.tensor("X"), y = golden.tensor("y");
            Mlp onCpu = new Mlp(cpu, (int) x.shape()[0]), onGpu = new Mlp(gpu, (int) x.shape()[0]);
            for (int i = 0; i < Mlp.NAMES.size(); i++) {
                float[] w = golden.tensor(Mlp.NAMES.get(i)).toFloatArray();
                cpu.copyIn(w, onCpu.params().get(i));
                gpu.copyIn(w, onGpu.params().get(i));
            }
            // a loss scale as the BF16 run uses: the gradients scale, the loss does not
            double lossCpu = onCpu.lossAndGradients(cpu.upload(x), cpu.upload(y), 1024f);
            double lossGpu = onGpu.lossAndGradients(gpu.upload(x), gpu.upload(y), 1024f);
            assertTrue(Math.abs(lossGpu - lossCpu) <= 1e-5 * lossCpu, "loss: GPU " + lossGpu + ", CPU " + lossCpu);
            for (int i = 0; i < Mlp.NAMES.size(); i++) {
                float[] want = cpu.toHost(onCpu.grads().get(i)), got = gpu.toHost(onGpu.grads().get(i));
                double diff = 0, norm = 0;
                for (int j = 0; j < want.length; j++) {
                    diff += Math.pow((double) got[j] - want[j], 2);
                    norm += Math.pow(want[j], 2);
                }
                assertTrue(norm > 0, Mlp.NAMES.get(i) + " has a gradient");
                double rel = Math.sqrt(diff / norm);
                assertTrue(rel <= 1e-4, "grad of " + Mlp.NAMES.get(i) + ": relative L2 difference " + rel);
            }
        }
    }

    @Test
    void lossCurveWithinOneInTenThousandOfPyTorchFloat64AtEveryStepOnTheGpu() throws Exception {
        requireGpu();
        MlpGolden.Result r = MlpGolden.check(MlpGolden.bundledFile(), GPU);
        assertEquals(50, r.relError().length);
        for (int t = 0; t < r.relError().length; t++) {
            assertTrue(r.relError()[t] <= MlpGolden.TOLERANCE, "step " + t + ": GPU " + r.ours()[t] + ", PyTorch float64 "
                    + r.truth()[t] + ", relative error " + r.relError()[t]);
        }
        assertTrue(r.passed());
        assertTrue(r.ours()[49] < 0.8 * r.ours()[0], "the loss falls: " + r.ours()[0] + " -> " + r.ours()[49]);
        // No bar on the final weights: where a gradient is near 0, Adam's step is about +-lr whatever its
        // size, so any float32 run can land a few steps' lr away (PyTorch's own float32 run: 2e-3).
        System.out.printf("golden MLP on %s: worst relative loss error %.3g at step %d (PyTorch float32: %.3g);"
                + " final weights max abs error %.3g (PyTorch float32: %.3g)%n", GPU,
                r.worst(), r.worstStep(), r.torch32Worst(), r.weightError(), r.torch32WeightError());
    }

    @Test
    void demoCheckChecksTheCpuAndTheGpu() {
        requireGpu();
        Run r = demo("--check");
        assertEquals(0, r.code, r.out + r.err);
        assertTrue(r.out.contains("On the CPU: The MLP started from PyTorch's initial weights"), r.out);
        assertTrue(r.out.contains("On the GPU (cuda:0): The MLP started from PyTorch's initial weights"), r.out);
        assertTrue(r.out.strip().endsWith("PASS"), r.out);
    }

    @Test
    void demoTrainsTheMlpOnTheGpuWithDeviceCuda(@TempDir Path dir) {
        requireGpu();
        List<String> names = List.of("adamw", "sgd-momentum", "adamw-bf16");
        Run r = demo("--device", "cuda", "--steps", "60", "--optimizers", String.join(",", names), "--out", dir.toString());
        assertEquals(0, r.code, r.out + r.err);
        assertTrue(r.out.contains("training the MLP on the GPU, cuda:0"), r.out);
        assertTrue(r.out.contains("   on the GPU (cuda:0):"), r.out);
        for (String name : names) {
            String label = DemoOptimizers.select(name).get(0).label();
            Matcher m = Pattern.compile("(?m)^   " + Pattern.quote(label) + " +cuda:0 +\\S+ +([0-9.]+) +([0-9.]+) ").matcher(r.out);
            assertTrue(m.find(), label + " row on cuda:0 in:\n" + r.out);
            assertTrue(!Pattern.compile("(?m)^   " + Pattern.quote(label) + " +cpu ").matcher(r.out).find(), "no CPU row:\n" + r.out);
            double first = Double.parseDouble(m.group(1)), last = Double.parseDouble(m.group(2));
            assertTrue(last < 0.7 * first, label + " on the GPU: loss " + first + " -> " + last);
        }
        assertTrue(r.out.contains("On the GPU (cuda:0): The MLP started from PyTorch's initial weights"), r.out);
    }

    private record Run(int code, String out, String err) {}

    private static Run demo(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = DemoCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

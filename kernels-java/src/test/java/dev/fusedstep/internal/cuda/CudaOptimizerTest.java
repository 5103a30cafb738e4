package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.download;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.GpuTests.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.AllRules;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public {@link Optimizer} on CUDA tensors: the same calls as on the CPU give the CPU's bits
 * (two groups, awkward sizes, a learning rate changed between steps through the group, a gradient
 * multiplier), and a checkpoint saved from the GPU and loaded into a fresh GPU optimizer resumes
 * bit-exactly.
 */
@Tag("gpu")
class CudaOptimizerTest {

    static final int[] SIZES = {3, DeviceLayouts.CHUNK + 5, 1000};

    static Stream<OptimizerRule> rules() {
        return AllRules.everyConfiguration().stream();
    }

    /** One run's tensors: params and grads (host arrays for the CPU, device copies for the GPU). */
    private record Run(List<float[]> hostParams, List<float[]> hostGrads, List<Tensor> params, List<Tensor> grads) {
        static Run on(DeviceArena arena, Random random) {
            List<float[]> hp = new ArrayList<>(), hg = new ArrayList<>();
            List<Tensor> p = new ArrayList<>(), g = new ArrayList<>();
            for (int n : SIZES) {
                float[] a = gaussian(random, n, 1.0), b = gaussian(random, n, 0.1);
                hp.add(a);
                hg.add(b);
                p.add(arena == null ? Tensor.of(a) : upload(arena, a));
                g.add(arena == null ? Tensor.of(b) : upload(arena, b));
            }
            return new Run(hp, hg, p, g);
        }

        Optimizer optimizer(OptimizerRule rule) {
            // Group 0: the first two tensors; group 1 the last, at half the learning rate.
            return Optimizer.builder()
                    .group(rule, Param.of("a", params.get(0), grads.get(0)), Param.of("b", params.get(1), grads.get(1)))
                    .group(rule.withLr(rule.lr() / 2), Param.of("c", params.get(2), grads.get(2)))
                    .build();
        }
    }

    /** Steps both optimizers alike: plain steps, a changed lr, a gradient multiplier; fresh gradients each step. */
    private static void stepBoth(Optimizer cpu, Run cpuRun, Optimizer gpu, Run gpuRun, Random random, int steps) {
        for (int s = 0; s < steps; s++) {
            for (int t = 0; t < SIZES.length; t++) {
                float[] g = gaussian(random, SIZES[t], 0.1);
                cpuRun.grads().get(t).copyFrom(g);
                DeviceArena.copy(Tensor.of(g), gpuRun.grads().get(t));
            }
            if (s == 2) {
                cpu.groups().get(0).setLr(cpu.groups().get(0).lr() * 0.3);
                gpu.groups().get(0).setLr(gpu.groups().get(0).lr() * 0.3);
            }
            float multiplier = s >= 3 ? 0.5f : 1f;
            cpu.step(multiplier);
            gpu.step(multiplier);
        }
    }

    private static void assertSameState(Optimizer cpu, Run cpuRun, Optimizer gpu, Run gpuRun, String what) {
        String[] names = {"a", "b", "c"};
        for (int t = 0; t < SIZES.length; t++) {
            assertSameBits(cpuRun.params().get(t).toFloatArray(), download(gpuRun.params().get(t)), what + " param " + names[t]);
            for (var e : cpu.states(names[t]).entrySet()) {
                assertSameBits(e.getValue().toFloatArray(), download(gpu.state(names[t], e.getKey())),
                        what + " " + e.getKey() + " of " + names[t]);
            }
            assertEquals(cpu.scalarState(names[t]).step(), gpu.scalarState(names[t]).step(), what + " step of " + names[t]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void theGpuOptimizerGivesTheCpuBits(OptimizerRule rule) {
        GpuTests.backend();
        try (DeviceArena arena = new DeviceArena(0)) {
            Run cpuRun = Run.on(null, new Random(7)), gpuRun = Run.on(arena, new Random(7));
            try (Optimizer cpu = cpuRun.optimizer(rule); Optimizer gpu = gpuRun.optimizer(rule)) {
                assertEquals(Device.cuda(0), gpu.device());
                stepBoth(cpu, cpuRun, gpu, gpuRun, new Random(11), 5);
                assertSameState(cpu, cpuRun, gpu, gpuRun, rule.toString());
            }
        }
    }

    @Test
    void aGpuCheckpointResumesBitExactly(@TempDir Path dir) throws Exception {
        GpuTests.backend();
        OptimizerRule rule = AllRules.everyConfiguration().stream().filter(r -> r.torchName().equals("AdamW"))
                .findFirst().orElseThrow();
        Path file = dir.resolve("gpu.safetensors");
        try (DeviceArena arena = new DeviceArena(0)) {
            Run cpuRun = Run.on(null, new Random(3)), gpuRun = Run.on(arena, new Random(3));
            Random grads = new Random(5);
            try (Optimizer cpu = cpuRun.optimizer(rule)) {
                try (Optimizer gpu = gpuRun.optimizer(rule)) {
                    stepBoth(cpu, cpuRun, gpu, gpuRun, grads, 4);
                    gpu.save(file);
                }
                assertEquals(true, Files.size(file) > 0);
                try (Optimizer resumed = gpuRun.optimizer(rule)) {
                    resumed.load(file);
                    stepBoth(cpu, cpuRun, resumed, gpuRun, grads, 3);
                    assertSameState(cpu, cpuRun, resumed, gpuRun, "resumed");
                }
            }
        }
    }
}

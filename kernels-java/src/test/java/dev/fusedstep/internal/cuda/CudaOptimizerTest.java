package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.assertSameBits;
import static dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.Layout;
import dev.fusedstep.optim.AllRules;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public {@link Optimizer} on CUDA tensors: the same calls as on the CPU give the CPU's bits
 * for every rule in every storage layout (two groups, awkward sizes, a learning rate changed
 * between steps through the group, a gradient multiplier), and a checkpoint saved from the GPU and
 * loaded into a fresh GPU optimizer resumes bit-exactly.
 */
@Tag("gpu")
class CudaOptimizerTest {

    static final int[] SIZES = {3, DeviceLayouts.CHUNK + 5, 1000};
    static final String[] NAMES = {"a", "b", "c"};

    static Stream<Arguments> cases() {
        return HostEmulationLayoutsTest.cases();
    }

    /** One run's tensors: params and grads on the host (the CPU run) or on the device (the GPU run). */
    private record Run(List<Tensor> params, List<Tensor> grads, Precision precision) {
        static Run on(Arena host, DeviceArena device, Layout layout, Random random) {
            List<Tensor> p = new ArrayList<>(), g = new ArrayList<>();
            for (int t = 0; t < SIZES.length; t++) {
                DType d = layout.paramDtypes()[t % layout.paramDtypes().length];
                Tensor hp = Tensor.allocate(host, d, SIZES[t]), hg = Tensor.allocate(host, d, SIZES[t]);
                fill(host, hp, gaussian(random, SIZES[t], 1.0));
                fill(host, hg, gaussian(random, SIZES[t], 0.1));
                p.add(device == null ? hp : device.upload(hp));
                g.add(device == null ? hg : device.upload(hg));
            }
            return new Run(p, g, layout.precision());
        }

        Optimizer optimizer(OptimizerRule rule) {
            // Group 0: the first two tensors; group 1 the last, at half the learning rate.
            return Optimizer.builder()
                    .group(rule, precision, Param.of("a", params.get(0), grads.get(0)), Param.of("b", params.get(1), grads.get(1)))
                    .group(rule.withLr(rule.lr() / 2), precision, Param.of("c", params.get(2), grads.get(2)))
                    .build();
        }
    }

    /** Steps both optimizers alike: plain steps, a changed lr, a gradient multiplier; fresh gradients each step. */
    private static void stepBoth(Arena host, Optimizer cpu, Run cpuRun, Optimizer gpu, Run gpuRun, Random random, int steps) {
        for (int s = 0; s < steps; s++) {
            for (int t = 0; t < SIZES.length; t++) {
                fill(host, cpuRun.grads().get(t), gaussian(random, SIZES[t], 0.1));
                DeviceArena.copy(cpuRun.grads().get(t), gpuRun.grads().get(t));
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

    /** A host copy of device tensor {@code t}, same dtype (waits for the queued work). */
    private static Tensor download(Arena host, Tensor t) {
        Tensor h = Tensor.allocate(host, t.dtype(), t.shape());
        DeviceArena.copy(t, h);
        return h;
    }

    private static void assertSameState(Arena host, Optimizer cpu, Run cpuRun, Optimizer gpu, Run gpuRun, String what) {
        for (int t = 0; t < SIZES.length; t++) {
            String name = NAMES[t];
            assertSameBits(cpuRun.params().get(t), download(host, gpuRun.params().get(t)), what + " param " + name);
            for (Map.Entry<String, Tensor> e : cpu.states(name).entrySet()) {
                assertSameBits(e.getValue(), download(host, gpu.state(name, e.getKey())), what + " " + e.getKey() + " of " + name);
            }
            if (cpuRun.precision().float32Master()) {
                assertSameBits(cpu.masterWeights(name), download(host, gpu.masterWeights(name)), what + " master of " + name);
            }
            assertEquals(cpu.scalarState(name).step(), gpu.scalarState(name).step(), what + " step of " + name);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void theGpuOptimizerGivesTheCpuBits(OptimizerRule rule, Layout layout) {
        GpuTests.backend();
        try (Arena host = Arena.ofConfined(); DeviceArena arena = new DeviceArena(0)) {
            Run cpuRun = Run.on(host, null, layout, new Random(7)), gpuRun = Run.on(host, arena, layout, new Random(7));
            try (Optimizer cpu = cpuRun.optimizer(rule); Optimizer gpu = gpuRun.optimizer(rule)) {
                assertEquals(Device.cuda(0), gpu.device());
                stepBoth(host, cpu, cpuRun, gpu, gpuRun, new Random(11), 5);
                assertSameState(host, cpu, cpuRun, gpu, gpuRun, rule + " " + layout);
            }
        }
    }

    @Test
    void aGpuCheckpointResumesBitExactly(@TempDir Path dir) throws Exception {
        GpuTests.backend();
        OptimizerRule rule = AllRules.everyConfiguration().stream().filter(r -> r.torchName().equals("AdamW"))
                .findFirst().orElseThrow();
        Layout layout = HostEmulationLayoutsTest.layouts().stream().filter(l -> l.precision().float32Master())
                .findFirst().orElseThrow();
        Path file = dir.resolve("gpu.safetensors");
        try (Arena host = Arena.ofConfined(); DeviceArena arena = new DeviceArena(0)) {
            Run cpuRun = Run.on(host, null, layout, new Random(3)), gpuRun = Run.on(host, arena, layout, new Random(3));
            Random grads = new Random(5);
            try (Optimizer cpu = cpuRun.optimizer(rule)) {
                try (Optimizer gpu = gpuRun.optimizer(rule)) {
                    stepBoth(host, cpu, cpuRun, gpu, gpuRun, grads, 4);
                    gpu.save(file);
                }
                assertTrue(Files.size(file) > 0);
                try (Optimizer resumed = gpuRun.optimizer(rule)) {
                    resumed.load(file);
                    stepBoth(host, cpu, cpuRun, resumed, gpuRun, grads, 3);
                    assertSameState(host, cpu, cpuRun, resumed, gpuRun, "resumed " + layout);
                }
            }
        }
    }
}

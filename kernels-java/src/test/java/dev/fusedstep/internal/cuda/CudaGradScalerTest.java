package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.assertSameBits;
import static dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link GradScaler} driving a CUDA optimizer gives what it gives on the CPU, step for step: the
 * same answers (stepped or skipped), scale, growth tracker and last norm, and the same bits in
 * params, master weights and states, over a script with an infinity in the middle of a large
 * float32 gradient, a NaN in the last tensor's half-precision gradient, growth (interval 3),
 * with and without clipping, through both {@code step} and the non-waiting {@code queueStep}.
 */
@Tag("gpu")
class CudaGradScalerTest {

    static final int[] SIZES = {70_001, 513, 4096};
    static final DType[] DTYPES = {DType.F32, DType.F32, DType.BF16};
    static final String[] NAMES = {"big", "small", "half"};

    private static Optimizer optimizer(List<Tensor> params, List<Tensor> grads) {
        return Optimizer.builder()
                .group(new AdamW().withLr(1e-2), Param.of(NAMES[0], params.get(0), grads.get(0)),
                        Param.of(NAMES[1], params.get(1), grads.get(1)))
                .group(new AdamW().withLr(1e-2), Precision.masterWeights(), Param.of(NAMES[2], params.get(2), grads.get(2)))
                .build();
    }

    @ParameterizedTest(name = "clip {0}")
    @ValueSource(booleans = {false, true})
    void aScaledGpuRunMatchesTheCpuStepForStep(boolean clip) {
        GpuTests.backend();
        try (Arena host = Arena.ofConfined(); DeviceArena arena = new DeviceArena(0)) {
            Random r = new Random(21);
            List<Tensor> cpuP = new ArrayList<>(), cpuG = new ArrayList<>(), gpuP = new ArrayList<>(), gpuG = new ArrayList<>();
            for (int t = 0; t < SIZES.length; t++) {
                Tensor p = Tensor.allocate(host, DTYPES[t], SIZES[t]), g = Tensor.allocate(host, DTYPES[t], SIZES[t]);
                fill(host, p, gaussian(r, SIZES[t], 1.0));
                cpuP.add(p);
                cpuG.add(g);
                gpuP.add(arena.upload(p));
                gpuG.add(arena.upload(g));
            }
            GradScaler cpuScaler = new GradScaler(1024, 2, 0.5, 3), gpuScaler = new GradScaler(1024, 2, 0.5, 3);
            try (Optimizer cpu = optimizer(cpuP, cpuG); Optimizer gpu = optimizer(gpuP, gpuG)) {
                for (int step = 0; step < 9; step++) {
                    for (int t = 0; t < SIZES.length; t++) {
                        float[] g = gaussian(r, SIZES[t], 0.5 * cpuScaler.scale());
                        if (step == 2 && t == 0) {
                            g[SIZES[0] / 2] = Float.POSITIVE_INFINITY;
                        }
                        if (step == 5 && t == 2) {
                            g[SIZES[2] - 1] = Float.NaN;
                        }
                        fill(host, cpuG.get(t), g);
                        DeviceArena.copy(cpuG.get(t), gpuG.get(t));
                    }
                    String at = "step " + step;
                    boolean cpuStepped = clip ? cpuScaler.step(cpu, 0.1, GradClipping.L2) : cpuScaler.step(cpu);
                    if (step % 2 == 0) {
                        boolean gpuStepped = clip ? gpuScaler.step(gpu, 0.1, GradClipping.L2) : gpuScaler.step(gpu);
                        assertEquals(cpuStepped, gpuStepped, at + ": stepped");
                    } else if (clip) {
                        gpuScaler.queueStep(gpu, 0.1, GradClipping.L2);
                    } else {
                        gpuScaler.queueStep(gpu);
                    }
                    assertEquals(cpuScaler.scale(), gpuScaler.scale(), at + ": scale");
                    assertEquals(cpuScaler.growthTracker(), gpuScaler.growthTracker(), at + ": growth tracker");
                    double cpuNorm = cpuScaler.lastNorm(), gpuNorm = gpuScaler.lastNorm();
                    if (Double.isFinite(cpuNorm)) {
                        // The norms agree to double rounding (the GPU sums a chunk in another order).
                        assertEquals(cpuNorm, gpuNorm, 1e-12 * cpuNorm, at + ": last norm");
                    } else {
                        assertEquals(false, Double.isFinite(gpuNorm), at + ": last norm not finite");
                    }
                }
                for (int t = 0; t < SIZES.length; t++) {
                    Tensor back = Tensor.allocate(host, DTYPES[t], SIZES[t]);
                    DeviceArena.copy(gpuP.get(t), back);
                    assertSameBits(cpuP.get(t), back, "param " + NAMES[t]);
                    for (Map.Entry<String, Tensor> e : cpu.states(NAMES[t]).entrySet()) {
                        Tensor s = Tensor.allocate(host, e.getValue().dtype(), SIZES[t]);
                        DeviceArena.copy(gpu.state(NAMES[t], e.getKey()), s);
                        assertSameBits(e.getValue(), s, e.getKey() + " of " + NAMES[t]);
                    }
                }
            }
        }
    }
}

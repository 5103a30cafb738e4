package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.download;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DeviceLossScaler against amp.GradScaler driving a CPU optimizer over the same gradients: the
 * scale, growth tracker and skip decision after every step, the gradient multiplier (with and
 * without clipping), a whole AdamW run through DeviceOptimizerGroup with the CPU's bits, and
 * restoring from a checkpoint.
 */
@Tag("gpu")
class CudaLossScalerTest {

    private static final int N = 50_001;

    @Test
    void followsGradScalerStepByStep() {
        CudaBackend backend = GpuTests.backend();
        Random r = new Random(41);
        double[] normTypes = {GradClipping.L2, GradClipping.INF, 1.0, 3.0};
        try (DeviceArena arena = new DeviceArena(backend.ordinal());
                Optimizer opt = cpuOptimizer()) {
            float[] g32 = new float[N];
            Tensor d32 = arena.allocate(DType.F32, N), d16 = arena.allocate(DType.BF16, N);
            TensorTable grads = TensorTable.of(arena, List.of(d32, d16));
            GradScaler cpu = new GradScaler(1024, 1.7, 0.45, 3);
            DeviceLossScaler gpu = DeviceLossScaler.create(backend, arena, 1024, 1.7, 0.45, 3);
            for (int step = 0; step < 60; step++) {
                boolean finite = r.nextInt(4) != 0;
                boolean clip = r.nextBoolean();
                double normType = clip ? normTypes[r.nextInt(normTypes.length)] : GradClipping.L2;
                double maxNorm = 0.5 + 50 * r.nextDouble();
                float scaleBefore = cpu.scale();
                fill(r, g32, Math.min(scaleBefore, 1e6f), finite);
                setGradients(opt, g32, d32, d16);

                gpu.queueBeginStep();
                if (clip) {
                    gpu.queueUnscale(List.of(grads), maxNorm, normType);
                } else {
                    gpu.queueUnscale(List.of(grads));
                }
                float multiplier = readFloat(backend, gpu.gradMultiplier());
                double unscaled = gpu.readUnscaledNorm();
                boolean skipped = gpu.readSkipped();
                gpu.queueUpdate();
                boolean stepped = clip ? cpu.step(opt, maxNorm, normType) : cpu.step(opt);

                String what = "step " + step;
                assertEquals(!stepped, skipped, what + ": skipped");
                if (stepped) {
                    assertEquals(cpu.lastNorm(), unscaled, 1e-12 * cpu.lastNorm(), what + ": unscaled norm");
                    float expected = (float) (1.0 / scaleBefore) * (clip ? GradClipping.clipCoefficient(maxNorm, unscaled) : 1f);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(multiplier), what + ": multiplier");
                }
                assertEquals(Float.floatToRawIntBits(cpu.scale()), Float.floatToRawIntBits(gpu.readScale()), what + ": scale");
                assertEquals(cpu.growthTracker(), gpu.readGrowthTracker(), what + ": growth tracker");
            }
        }
    }

    @Test
    void aScaledAdamWRunHasTheCpuBits() {
        CudaBackend backend = GpuTests.backend();
        Random r = new Random(42);
        AdamW rule = new AdamW().withLr(1e-2).withWeightDecay(0.1);
        float[] p0 = GpuTests.gaussian(r, N, 1);
        float[] cpuP = p0.clone(), cpuG = new float[N];
        try (DeviceArena arena = new DeviceArena(backend.ordinal());
                Optimizer opt = Optimizer.builder().group(rule, Param.of("p", Tensor.of(cpuP), Tensor.of(cpuG))).build()) {
            Tensor p = GpuTests.upload(arena, p0), g = arena.allocate(DType.F32, N);
            Tensor m = arena.allocate(DType.F32, N), v = arena.allocate(DType.F32, N);
            DeviceOptimizerGroup group = DeviceOptimizerGroup.create(backend, arena, rule, List.of(p), List.of(g),
                    List.<Tensor[]>of(new Tensor[] {m, v}), null);
            TensorTable grads = TensorTable.of(arena, List.of(g));
            GradScaler cpu = new GradScaler(65536, 2, 0.5, 2);
            DeviceLossScaler gpu = DeviceLossScaler.create(backend, arena, 65536, 2, 0.5, 2);
            boolean[] finite = {true, true, false, true, true, true, false, false, true, true};
            for (int step = 0; step < finite.length; step++) {
                float[] values = new float[N];
                fill(r, values, cpu.scale(), finite[step]);
                System.arraycopy(values, 0, cpuG, 0, N);
                DeviceArena.copy(Tensor.of(values), g);
                gpu.queueBeginStep();
                gpu.queueUnscale(List.of(grads));
                group.step(gpu.gradMultiplier(), gpu.foundInf());
                gpu.queueUpdate();
                assertEquals(finite[step], cpu.step(opt), "step " + step);
                backend.synchronize();
                assertSameBits(cpuP, download(p), "param after step " + step);
                assertEquals(cpu.scale(), gpu.readScale(), "scale after step " + step);
            }
            assertEquals(opt.scalarState("p").step(), group.scalarState().step(), "optimizer steps");
        }
    }

    @Test
    void restoresACheckpointAndChecksItsArguments() {
        CudaBackend backend = GpuTests.backend();
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            Tensor g = GpuTests.upload(arena, new float[] {1, 2, 3});
            TensorTable grads = TensorTable.of(arena, List.of(g));
            DeviceLossScaler s = DeviceLossScaler.create(backend, arena, GradScaler.DEFAULT_INIT_SCALE,
                    GradScaler.DEFAULT_GROWTH_FACTOR, GradScaler.DEFAULT_BACKOFF_FACTOR, GradScaler.DEFAULT_GROWTH_INTERVAL);
            assertEquals(65536f, s.readScale());
            assertEquals(0, s.readGrowthTracker());
            assertTrue(Double.isNaN(s.readUnscaledNorm()));
            s.restore(1024, 1999);
            s.queueBeginStep();
            s.queueUnscale(List.of(grads));
            s.queueUpdate();
            assertEquals(2048f, s.readScale());
            assertEquals(0, s.readGrowthTracker());
            assertEquals(Math.sqrt(14) / 1024, s.readUnscaledNorm(), 1e-15);
            assertEquals(2048f, readFloat(backend, s.lossScale()), "the loss scale's address holds the scale");

            expect(() -> s.restore(Float.POSITIVE_INFINITY, 0), "scale: got Infinity");
            expect(() -> s.restore(1024, 2000), "growthTracker: got 2000");
            expect(() -> s.queueUnscale(List.of(grads), 0, 2), "max_norm: got 0.0");
            expect(() -> s.queueUnscale(List.of(grads), 1, -1), "norm_type: got -1.0");
            expect(() -> DeviceLossScaler.create(backend, arena, 0, 2, 0.5, 10), "init_scale: got 0.0");
            expect(() -> DeviceLossScaler.create(backend, new DeviceArena(backend.ordinal() + 1), 1, 2, 0.5, 10),
                    "arena: got an arena on cuda:" + (backend.ordinal() + 1));
            assertEquals(2048f, s.readScale(), "bad arguments change nothing");
        }
    }

    /** An AdamW over two parameters of N elements, with an F32 and a BF16 gradient. */
    private static Optimizer cpuOptimizer() {
        Arena memory = Arena.ofAuto();
        return Optimizer.builder().group(new AdamW(),
                Param.of("a", Tensor.allocate(memory, DType.F32, N), Tensor.allocate(memory, DType.F32, N)),
                Param.of("b", Tensor.allocate(memory, DType.BF16, N), Tensor.allocate(memory, DType.BF16, N))).build();
    }

    /** Gaussian values of {@code magnitude}, with one non-finite element unless {@code finite}. */
    private static void fill(Random r, float[] g, float magnitude, boolean finite) {
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextGaussian() * magnitude;
        }
        if (!finite) {
            g[r.nextInt(g.length)] = r.nextBoolean() ? Float.NaN : Float.POSITIVE_INFINITY;
        }
    }

    /** The same values into the CPU optimizer's gradients (F32 and BF16) and the device's. */
    private static void setGradients(Optimizer opt, float[] values, Tensor d32, Tensor d16) {
        Tensor h32 = opt.gradients().get(0), h16 = opt.gradients().get(1);
        h32.copyFrom(values);
        Casts.convert(h32, h16);
        DeviceArena.copy(h32, d32);
        DeviceArena.copy(h16, d16);
    }

    private static float readFloat(CudaBackend backend, MemorySegment devicePtr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(ValueLayout.JAVA_FLOAT);
            backend.copyAndWait(host, devicePtr, 4, CudaRuntime.cudaMemcpyDeviceToHost);
            return host.get(ValueLayout.JAVA_FLOAT, 0);
        }
    }

    private static void expect(org.junit.jupiter.api.function.Executable call, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(message), "message \"" + e.getMessage() + "\" lacks \"" + message + "\"");
    }
}

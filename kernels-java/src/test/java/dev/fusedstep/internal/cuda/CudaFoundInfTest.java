package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.download;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.GpuTests.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.FusedStep;
import dev.fusedstep.optim.ScalarState;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Loss scaling on the device: with found-inf set the step writes nothing and the step count
 * stays; with a power-of-two gradient multiplier the step equals the CPU's step on the unscaled
 * gradient, bit for bit.
 */
@Tag("gpu")
class CudaFoundInfTest {

    @Test
    void foundInfSkipsAndTheScaleUnscales() {
        CudaBackend backend = GpuTests.backend();
        Random r = new Random(7);
        int n = 70_001;
        AdamW rule = new AdamW().withLr(1e-2).withWeightDecay(0.1);
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            float[] p0 = gaussian(r, n, 1), g = gaussian(r, n, 1);
            float[] scaledG = new float[n];
            for (int i = 0; i < n; i++) {
                scaledG[i] = g[i] * 65536f;  // exact: a power of two
            }
            Tensor p = upload(arena, p0), grad = upload(arena, scaledG);
            Tensor m = arena.allocate(DType.F32, n), v = arena.allocate(DType.F32, n);
            DeviceOptimizerGroup group = DeviceOptimizerGroup.create(backend, arena, rule, List.of(p), List.of(grad),
                    List.<Tensor[]>of(new Tensor[] {m, v}), null);
            Tensor foundInf = upload(arena, new float[] {1f});
            Tensor invScale = upload(arena, new float[] {1f / 65536f});

            group.step(invScale.segment(), foundInf.segment());
            backend.synchronize();
            assertSameBits(p0, download(p), "param after a skipped step");
            assertSameBits(new float[n], download(m), "exp_avg after a skipped step");
            assertEquals(0, group.scalarState().step(), "step count after a skipped step");

            DeviceArena.copy(Tensor.of(new float[] {0f}), foundInf);
            group.step(invScale.segment(), foundInf.segment());
            backend.synchronize();
            float[] cpuP = p0.clone(), cpuM = new float[n], cpuV = new float[n];
            FusedStep.step(rule, new ScalarState(), Tensor.of(cpuP), Tensor.of(g), Tensor.of(cpuM), Tensor.of(cpuV));
            assertSameBits(cpuP, download(p), "param after an unscaled step");
            assertSameBits(cpuM, download(m), "exp_avg after an unscaled step");
            assertSameBits(cpuV, download(v), "exp_avg_sq after an unscaled step");
            assertEquals(1, group.scalarState().step(), "step count");
        }
    }
}

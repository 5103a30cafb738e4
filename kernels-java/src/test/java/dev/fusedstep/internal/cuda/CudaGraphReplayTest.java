package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.download;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.GpuTests.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.FusedStep;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.ScalarState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A step captured once in a CUDA graph and replayed while the learning rate changes in device
 * memory: each replay advances the step count and uses the new rate, exactly as the CPU does
 * with the same schedule. Catches any per-step value frozen into the graph at capture.
 */
@Tag("gpu")
class CudaGraphReplayTest {

    @Test
    void replaysFollowTheScheduleAndTheStepCount() {
        for (OptimizerRule rule : List.<OptimizerRule>of(new Adam().withLr(1e-2), new NAdam().withLr(1e-2))) {
            replay(rule);
        }
    }

    private static void replay(OptimizerRule rule) {
        CudaBackend backend = GpuTests.backend();
        Random r = new Random(11);
        int[] sizes = {33, 100_000, 4096};
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            List<Tensor> params = new ArrayList<>(), grads = new ArrayList<>();
            List<Tensor[]> states = new ArrayList<>();
            List<float[]> cpuP = new ArrayList<>(), cpuG = new ArrayList<>(), cpuM = new ArrayList<>(), cpuV = new ArrayList<>();
            for (int n : sizes) {
                float[] p = gaussian(r, n, 1), g = gaussian(r, n, 1);
                cpuP.add(p.clone());
                cpuG.add(g);
                cpuM.add(new float[n]);
                cpuV.add(new float[n]);
                params.add(upload(arena, p));
                grads.add(upload(arena, g));
                states.add(new Tensor[] {upload(arena, new float[n]), upload(arena, new float[n])});
            }
            DeviceOptimizerGroup group = DeviceOptimizerGroup.create(backend, arena, rule, params, grads, states, null);
            ScalarState[] cpuScalars = {new ScalarState(), new ScalarState(), new ScalarState()};
            // A skipped step (found-inf set) runs both kernels once, so that lazy module loading
            // happens before the capture, and changes nothing.
            Tensor skip = upload(arena, new float[] {1f});
            group.step(java.lang.foreign.MemorySegment.NULL, skip.segment());
            backend.synchronize();
            try (CudaGraph graph = CudaGraph.capture(backend, group::step)) {
                assertEquals(0, group.scalarState().step(), "capture must not run the step");
                for (int step = 1; step <= 6; step++) {
                    double lr = rule.lr() * (1.0 - 0.15 * step);  // a linear decay
                    group.setLr(lr);
                    graph.launch();
                    for (int t = 0; t < sizes.length; t++) {
                        FusedStep.step(rule.withLr(lr), cpuScalars[t], Tensor.of(cpuP.get(t)), Tensor.of(cpuG.get(t)),
                                Tensor.of(cpuM.get(t)), Tensor.of(cpuV.get(t)));
                    }
                }
                backend.synchronize();
            }
            assertEquals(6, group.scalarState().step(), rule + " step count after 6 replays");
            for (int t = 0; t < sizes.length; t++) {
                assertSameBits(cpuP.get(t), download(params.get(t)), rule + " tensor " + t + " param after 6 replays");
                assertSameBits(cpuM.get(t), download(states.get(t)[0]), rule + " tensor " + t + " exp_avg");
            }
        }
    }
}

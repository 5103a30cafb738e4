package dev.fusedstep.internal.cuda;

import dev.fusedstep.DeviceArena;
import dev.fusedstep.optim.AllRules;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.download;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.GpuTests.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.OptimizerKernel;
import dev.fusedstep.optim.FusedStep;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.ScalarState;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GPU step gives the CPU's bits: every rule and update path, tensors of awkward sizes (a
 * single element, chunk borders, a tail under four elements) in one group, one of them at an
 * address off 16-byte alignment (the element-wise path), fresh random gradients every step, and a
 * learning rate changed on the device between steps. The per-step scalars the device computes
 * must equal the CPU's prepare() output too.
 */
@Tag("gpu")
class CudaStepAgreementTest {

    static final int[] SIZES = {1, 3, 4097, DeviceLayouts.CHUNK, DeviceLayouts.CHUNK + 3, 50_001};
    static final int STEPS = 5;

    static Stream<OptimizerRule> rules() {
        return AllRules.everyConfiguration().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void gpuStepHasTheCpuBits(OptimizerRule rule) {
        CudaBackend backend = GpuTests.backend();
        Random random = new Random(rule.toString().hashCode());
        int tensors = SIZES.length + 1;  // the last one unaligned
        List<String> names = rule.stateNames();
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            List<float[]> cpuParams = new ArrayList<>();
            List<float[][]> cpuStates = new ArrayList<>();
            List<Tensor> params = new ArrayList<>(), grads = new ArrayList<>();
            List<Tensor[]> states = new ArrayList<>();
            for (int t = 0; t < tensors; t++) {
                boolean unaligned = t == SIZES.length;
                int n = unaligned ? 1001 : SIZES[t];
                float[] p = gaussian(random, n, 1.0);
                cpuParams.add(p.clone());
                params.add(unaligned ? offByFour(arena, p) : upload(arena, p));
                grads.add(arena.allocate(DType.F32, n));
                float[][] s = new float[names.size()][];
                Tensor[] ds = new Tensor[names.size()];
                for (int k = 0; k < names.size(); k++) {
                    s[k] = new float[n];
                    Arrays.fill(s[k], rule.initialStateValue(names.get(k)));
                    ds[k] = upload(arena, s[k]);
                }
                cpuStates.add(s);
                states.add(ds);
            }
            DeviceOptimizerGroup group = DeviceOptimizerGroup.create(backend, arena, rule, params, grads, states, null);
            ScalarState[] cpuScalars = new ScalarState[tensors];
            Arrays.setAll(cpuScalars, i -> new ScalarState());
            OptimizerRule cpuRule = rule;
            for (int step = 1; step <= STEPS; step++) {
                if (step == 3) {
                    cpuRule = rule.withLr(rule.lr() * 0.37);
                    group.setLr(cpuRule.lr());
                }
                for (int t = 0; t < tensors; t++) {
                    float[] g = gaussian(random, cpuParams.get(t).length, step == 2 ? 1e-3 : 1.0);
                    DeviceArena.copy(Tensor.of(g.clone()), grads.get(t));
                    Tensor[] hostStates = Arrays.stream(cpuStates.get(t)).map(Tensor::of).toArray(Tensor[]::new);
                    FusedStep.step(cpuRule, cpuScalars[t], Tensor.of(cpuParams.get(t)), Tensor.of(g), hostStates);
                }
                group.step();
                backend.synchronize();
                float[] expectedScalars = new float[OptimizerKernel.SCALAR_SLOTS];
                OptimizerKernel.forRule(cpuRule).prepare(cpuScalars[0].step(), cpuScalars[0].muProduct(), expectedScalars);
                assertSameBits(expectedScalars, group.scalars(), rule + " step " + step + " per-step scalars");
                ScalarState gpuScalars = group.scalarState();
                assertEquals(cpuScalars[0].step(), gpuScalars.step(), "step count");
                assertEquals(cpuScalars[0].muProduct(), gpuScalars.muProduct(), "mu_product");
                for (int t = 0; t < tensors; t++) {
                    String where = rule + " step " + step + " tensor " + t + " (" + cpuParams.get(t).length + " elements)";
                    assertSameBits(cpuParams.get(t), download(params.get(t)), where + " param");
                    for (int k = 0; k < names.size(); k++) {
                        assertSameBits(cpuStates.get(t)[k], download(states.get(t)[k]), where + " " + names.get(k));
                    }
                }
            }
        }
    }

    /** A device tensor 4 bytes past a 256-byte aligned allocation: its rows take the element-wise path. */
    static Tensor offByFour(DeviceArena arena, float[] values) {
        MemorySegment block = arena.allocateBytes(4L * values.length + 16);
        Tensor t = Tensor.of(block.asSlice(4, 4L * values.length), DType.F32, Device.cuda(arena.device().index()),
                values.length);
        DeviceArena.copy(Tensor.of(values.clone()), t);
        return t;
    }
}

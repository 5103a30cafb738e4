package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.SIZES;
import static dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.UNALIGNED;
import static dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.assertSameBits;
import static dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.HostEmulationLayoutsTest.Layout;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import dev.fusedstep.optim.SGD;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On a real GPU, {@link DeviceOptimizerGroup#create(CudaBackend, DeviceArena, OptimizerRule, Precision, List,
 * dev.fusedstep.optim.ScalarState)} steps every rule in every storage layout (HostEmulationLayoutsTest's) to the
 * CPU Optimizer's params, masters and states, bit for bit: several rows of mixed sizes, one off vector alignment, a
 * device gradient multiplier, a learning rate changed between steps, stochastic rounding keyed by optimizer-wide
 * parameter indices.
 */
@Tag("gpu")
class CudaLayoutAgreementTest {

    static final int STEPS = 4;

    static Stream<Arguments> cases() {
        return HostEmulationLayoutsTest.cases();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyLayoutHasTheCpuOptimizersBits(OptimizerRule rule, Layout layout) {
        CudaBackend backend = GpuTests.backend();
        Random random = new Random((rule + " " + layout).hashCode());
        int rows = SIZES.length + 1;
        List<String> names = rule.stateNames();
        try (Arena host = Arena.ofConfined(); DeviceArena arena = new DeviceArena(backend.ordinal())) {
            List<Param> params = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                DType d = layout.paramDtypes()[r % layout.paramDtypes().length];
                int n = r < SIZES.length ? SIZES[r] : UNALIGNED;
                Tensor p = Tensor.allocate(host, d, n), g = Tensor.allocate(host, d, n);
                fill(host, p, gaussian(random, n, 1));
                params.add(Param.of("p" + r, p, g));
            }
            Tensor lead = Tensor.of(new float[] {1, 2, 3});
            try (Optimizer cpu = Optimizer.builder()
                    .group(new SGD().withLr(0.1), List.of(Param.of("lead", lead, Tensor.of(new float[3]))))
                    .group(rule, layout.precision(), params).build()) {
                List<DeviceOptimizerGroup.Row> deviceRows = new ArrayList<>();
                for (int r = 0; r < rows; r++) {
                    String name = "p" + r;
                    Tensor[] s = new Tensor[names.size()];
                    for (int k = 0; k < s.length; k++) {
                        s[k] = arena.upload(cpu.state(name, names.get(k)));
                    }
                    Tensor master = layout.precision().float32Master() ? arena.upload(cpu.masterWeights(name)) : null;
                    Tensor p = params.get(r).param();
                    Tensor dp = r == SIZES.length ? offByOneElement(arena, p) : arena.upload(p);
                    Tensor dg = r == SIZES.length ? offByOneElement(arena, params.get(r).grad())
                            : arena.allocate(p.dtype(), p.numel());
                    deviceRows.add(new DeviceOptimizerGroup.Row(1 + r, dp, dg, master, s));
                }
                DeviceOptimizerGroup group = DeviceOptimizerGroup.create(backend, arena, rule, layout.precision(),
                        deviceRows, null);
                boolean float32 = layout.precision().equals(Precision.defaults()) && List.of(layout.paramDtypes())
                        .equals(List.of(DType.F32));
                assertEquals(float32 ? DeviceRule.of(rule).stepKernel() : DeviceRule.of(rule).layoutsStepKernel(),
                        group.stepKernel(), "the kernel for " + layout);
                Tensor gradScale = arena.upload(Tensor.of(new float[] {0.5f}));
                for (int step = 1; step <= STEPS; step++) {
                    if (step == 3) {
                        double lr = rule.lr() * 0.37;
                        cpu.groups().get(1).setLr(lr);
                        group.setLr(lr);
                    }
                    for (int r = 0; r < rows; r++) {
                        Tensor g = params.get(r).grad();
                        fill(host, g, gaussian(random, (int) g.numel(), step == 2 ? 1e-3 : 1));
                        DeviceArena.copy(g, deviceRows.get(r).grad());
                    }
                    boolean scaled = step == 2;
                    cpu.step(scaled ? 0.5f : 1f);
                    group.step(scaled ? gradScale.segment() : MemorySegment.NULL, MemorySegment.NULL);
                    backend.synchronize();
                    for (int r = 0; r < rows; r++) {
                        String name = "p" + r;
                        DeviceOptimizerGroup.Row row = deviceRows.get(r);
                        String where = rule + " " + layout + " step " + step + " row " + r + " (" + row.param().dtype()
                                + ", " + row.param().numel() + " elements)";
                        assertSameBits(params.get(r).param(), download(host, row.param()), where + " param");
                        if (row.master() != null) {
                            assertSameBits(cpu.masterWeights(name), download(host, row.master()), where + " master");
                        }
                        for (int k = 0; k < names.size(); k++) {
                            assertSameBits(cpu.state(name, names.get(k)), download(host, row.states()[k]),
                                    where + " " + names.get(k));
                        }
                    }
                }
            }
        }
    }

    @Test
    void layoutsTheKernelsDoNotTakeAreNamed() {
        CudaBackend backend = GpuTests.backend();
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            AdamW rule = new AdamW();
            Tensor f32 = arena.allocate(DType.F32, 8), f32Grad = arena.allocate(DType.F32, 8);
            Tensor bf16 = arena.allocate(DType.BF16, 8), bf16Grad = arena.allocate(DType.BF16, 8);
            Tensor[] f32States = {arena.allocate(DType.F32, 8), arena.allocate(DType.F32, 8)};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.create(
                    backend, arena, rule, Precision.masterWeights(),
                    List.of(new DeviceOptimizerGroup.Row(0, f32, f32Grad, arena.allocate(DType.F32, 8), f32States)), null));
            assertEquals("rows[0].param: got F32 under a precision with master weights, expected BF16 or F16"
                    + " (master weights are for half parameters)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.create(backend, arena, rule,
                    Precision.states(DType.BF16), List.of(new DeviceOptimizerGroup.Row(0, f32, f32Grad, null, f32States)),
                    null));
            assertEquals("rows[0].states[0] (exp_avg): got dtype F32, expected BF16", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.create(backend, arena, rule,
                    Precision.defaults(), List.of(new DeviceOptimizerGroup.Row(0, bf16, f32Grad, null, f32States)), null));
            assertEquals("rows[0].grad: got dtype F32, expected BF16", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.create(backend, arena, rule,
                    Precision.defaults().withStochasticRounding(1),
                    List.of(new DeviceOptimizerGroup.Row(0, f32, f32Grad, null, f32States)), null));
            assertEquals("rows[0].param: got F32 under a precision with stochastic rounding, expected BF16", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> DeviceOptimizerGroup.create(backend, arena, rule,
                    Precision.defaults(), List.of(new DeviceOptimizerGroup.Row(3, bf16, bf16Grad, null, new Tensor[] {
                            arena.allocate(DType.BF16, 8), arena.allocate(DType.BF16, 8)}),
                            new DeviceOptimizerGroup.Row(3, f32, f32Grad, null, f32States)), null));
            assertEquals("rows[1].index: got 3, expected a parameter index >= 0 that no other row has", e.getMessage());
        }
    }

    /** A device copy of {@code t} one element past a 256-byte aligned allocation: its row takes the element-wise path. */
    static Tensor offByOneElement(DeviceArena arena, Tensor t) {
        long bytes = t.numel() * t.dtype().byteSize();
        MemorySegment block = arena.allocateBytes(bytes + 16);
        Tensor d = Tensor.of(block.asSlice(t.dtype().byteSize(), bytes), t.dtype(), Device.cuda(arena.device().index()),
                t.numel());
        DeviceArena.copy(t, d);
        return d;
    }

    /** A host copy of a device tensor (waits for the copy). */
    static Tensor download(Arena host, Tensor device) {
        Tensor t = Tensor.allocate(host, device.dtype(), device.numel());
        DeviceArena.copy(device, t);
        return t;
    }
}

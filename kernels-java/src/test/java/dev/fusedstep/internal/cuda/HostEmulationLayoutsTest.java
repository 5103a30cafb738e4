package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.HostEmulationTest.emulation;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.optim.AllRules;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import dev.fusedstep.optim.SGD;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layouts step kernels' code ({@code fs_<rule>_step_layouts}), compiled for the host
 * (HostEmulation), gives the CPU Optimizer's bits in every storage layout it accepts, all-float32
 * rows included: params, masters and states, for every rule, over several rows
 * of mixed sizes (a chunk border, tails of 1 to 7 elements, one row off vector alignment), with a
 * gradient multiplier and a learning-rate change between steps, and stochastic rounding keyed by
 * each parameter's index in the optimizer (a leading group shifts the indices off the row numbers).
 */
class HostEmulationLayoutsTest {

    /** Row sizes; one more row of {@link #UNALIGNED} elements starts one element past an aligned address. */
    static final int[] SIZES = {1, 7, 1029, DeviceLayouts.CHUNK + 5};
    static final int UNALIGNED = 1001;
    static final int STEPS = 4, GRID = 3, BLOCK = 256;

    /** A storage layout: the CPU Optimizer's precision, and the param dtypes its rows take in turn. */
    record Layout(String name, Precision precision, DType... paramDtypes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Layout> layouts() {
        return List.of(
                new Layout("f32", Precision.defaults(), DType.F32),
                new Layout("bf16", Precision.defaults(), DType.BF16),
                new Layout("f16", Precision.defaults(), DType.F16),
                new Layout("f32/bf16/f16 rows", Precision.defaults(), DType.F32, DType.BF16, DType.F16),
                new Layout("bf16 + f32 master", Precision.masterWeights(), DType.BF16),
                new Layout("f16 + f32 master", Precision.masterWeights(), DType.F16),
                new Layout("bf16/f16 rows + f32 master", Precision.masterWeights(), DType.BF16, DType.F16),
                new Layout("bf16 + f32 master + bf16 states", Precision.masterWeights().withStates(DType.BF16), DType.BF16),
                new Layout("f32 + bf16 states", Precision.states(DType.BF16), DType.F32),
                new Layout("f32 + f16 states", Precision.states(DType.F16), DType.F32),
                new Layout("bf16 + f32 states", Precision.states(DType.F32), DType.BF16),
                new Layout("f16 + bf16 states", Precision.states(DType.BF16), DType.F16),
                new Layout("bf16 stochastic", Precision.defaults().withStochasticRounding(42), DType.BF16),
                new Layout("bf16 + f32 master stochastic", Precision.masterWeights().withStochasticRounding(-7), DType.BF16));
    }

    static Stream<Arguments> cases() {
        return AllRules.everyConfiguration().stream().flatMap(r -> layouts().stream().map(l -> Arguments.of(r, l)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyLayoutHasTheCpuOptimizersBits(OptimizerRule rule, Layout layout) {
        HostEmulation emu = emulation();
        DeviceRule dr = DeviceRule.of(rule);
        Random random = new Random((rule + " " + layout).hashCode());
        int rows = SIZES.length + 1;
        List<String> names = rule.stateNames();
        try (Arena arena = Arena.ofConfined()) {
            List<Param> params = new ArrayList<>();
            List<Tensor> emuParams = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                DType d = layout.paramDtypes()[r % layout.paramDtypes().length];
                int n = r < SIZES.length ? SIZES[r] : UNALIGNED;
                Tensor p = tensor(arena, d, n, r == SIZES.length), g = tensor(arena, d, n, r == SIZES.length);
                fill(arena, p, gaussian(random, n, 1));
                Tensor mirror = tensor(arena, d, n, r == SIZES.length);
                MemorySegment.copy(p.segment(), 0, mirror.segment(), 0, p.segment().byteSize());
                params.add(Param.of("p" + r, p, g));
                emuParams.add(mirror);
            }
            // a leading group: the rows' parameter indices (which key stochastic rounding) start at 1
            Tensor lead = Tensor.of(new float[] {1, 2, 3});
            try (Optimizer cpu = Optimizer.builder()
                    .group(new SGD().withLr(0.1), List.of(Param.of("lead", lead, Tensor.of(new float[3]))))
                    .group(rule, layout.precision(), params).build()) {
                // the device rows: their own params, copies of the CPU's initial masters and states, the CPU's grads
                List<MemorySegment[]> pointers = new ArrayList<>();
                List<Tensor[]> emuStates = new ArrayList<>();
                List<Tensor> emuMasters = new ArrayList<>();
                long[] numel = new long[rows];
                DType[] dtypes = new DType[rows], stateDtypes = new DType[rows];
                int[] indices = new int[rows];
                for (int r = 0; r < rows; r++) {
                    String name = "p" + r;
                    MemorySegment[] ptrs = new MemorySegment[DeviceLayouts.ROW_POINTERS];
                    ptrs[0] = emuParams.get(r).segment();
                    ptrs[1] = params.get(r).grad().segment();
                    Tensor[] s = new Tensor[names.size()];
                    for (int k = 0; k < s.length; k++) {
                        s[k] = copy(arena, cpu.state(name, names.get(k)));
                        ptrs[2 + k] = s[k].segment();
                    }
                    Tensor master = layout.precision().float32Master() ? copy(arena, cpu.masterWeights(name)) : null;
                    if (master != null) {
                        ptrs[DeviceLayouts.ROW_MASTER_SLOT] = master.segment();
                    }
                    emuStates.add(s);
                    emuMasters.add(master);
                    pointers.add(ptrs);
                    numel[r] = params.get(r).param().numel();
                    dtypes[r] = params.get(r).param().dtype();
                    stateDtypes[r] = layout.precision().stateDtypeFor(dtypes[r]);
                    indices[r] = 1 + r;
                }
                MemorySegment table = arena.allocate(DeviceLayouts.TENSOR_ROW.byteSize() * rows, 16);
                long chunks = TensorTable.writeRows(table, pointers, numel, dtypes, stateDtypes, indices);
                MemorySegment group = arena.allocate(DeviceLayouts.GROUP);
                DeviceOptimizerGroup.writeGroup(group, dr, layout.precision(), null);
                MemorySegment gradScale = arena.allocateFrom(JAVA_FLOAT, 0.5f);

                for (int step = 1; step <= STEPS; step++) {
                    if (step == 3) {
                        double lr = rule.lr() * 0.37;
                        cpu.groups().get(1).setLr(lr);
                        group.set(ValueLayout.JAVA_DOUBLE, DeviceLayouts.GROUP_LR, lr);
                    }
                    for (Param p : params) {
                        fill(arena, p.grad(), gaussian(random, (int) p.grad().numel(), step == 2 ? 1e-3 : 1));
                    }
                    boolean scaled = step == 2;
                    cpu.step(scaled ? 0.5f : 1f);
                    emu.prepare(dr.kernel(), group, MemorySegment.NULL);
                    emu.stepLayouts(dr.kernel(), GRID, BLOCK, table, rows, chunks, group,
                            scaled ? gradScale : MemorySegment.NULL, MemorySegment.NULL);
                    for (int r = 0; r < rows; r++) {
                        String name = "p" + r;
                        String where = rule + " " + layout + " step " + step + " row " + r + " (" + dtypes[r] + ", "
                                + numel[r] + " elements)";
                        assertSameBits(params.get(r).param(), emuParams.get(r), where + " param");
                        if (emuMasters.get(r) != null) {
                            assertSameBits(cpu.masterWeights(name), emuMasters.get(r), where + " master");
                        }
                        for (int k = 0; k < names.size(); k++) {
                            assertSameBits(cpu.state(name, names.get(k)), emuStates.get(r)[k], where + " " + names.get(k));
                        }
                    }
                }
            }
        }
    }

    /** A native tensor; {@code offAlignment}: one element past a 16-byte boundary, so its row takes the element-wise path. */
    static Tensor tensor(Arena arena, DType d, int n, boolean offAlignment) {
        long bytes = (long) n * d.byteSize();
        MemorySegment block = arena.allocate(bytes + 16, 16);
        long offset = offAlignment ? d.byteSize() : 0;
        return Tensor.of(block.asSlice(offset, bytes), d, n);
    }

    /** Writes {@code values} into {@code t}, rounded to its dtype as the casts round. */
    static void fill(Arena arena, Tensor t, float[] values) {
        Tensor f32 = Tensor.allocate(arena, DType.F32, values.length);
        f32.copyFrom(values);
        Casts.convert(f32, t);
    }

    /** A 16-byte aligned copy of {@code t}. */
    static Tensor copy(Arena arena, Tensor t) {
        Tensor c = tensor(arena, t.dtype(), (int) t.numel(), false);
        MemorySegment.copy(t.segment(), 0, c.segment(), 0, t.segment().byteSize());
        return c;
    }

    /** Same bits element by element (any NaN matching any NaN), in the tensors' common dtype. */
    static void assertSameBits(Tensor expected, Tensor actual, String what) {
        if (expected.dtype() == DType.F32) {
            GpuTests.assertSameBits(expected.toFloatArray(), actual.toFloatArray(), what);
            return;
        }
        short[] e = expected.segment().toArray(ValueLayout.JAVA_SHORT_UNALIGNED);
        short[] a = actual.segment().toArray(ValueLayout.JAVA_SHORT_UNALIGNED);
        int mismatches = 0, first = -1;
        for (int i = 0; i < e.length; i++) {
            if (e[i] != a[i] && !(isNaN(expected.dtype(), e[i]) && isNaN(expected.dtype(), a[i]))) {
                first = first < 0 ? i : first;
                mismatches++;
            }
        }
        if (mismatches > 0) {
            fail(what + ": " + mismatches + " of " + e.length + " " + expected.dtype() + " elements differ; first at " + first
                    + ": expected 0x" + Integer.toHexString(e[first] & 0xFFFF) + ", got 0x"
                    + Integer.toHexString(a[first] & 0xFFFF));
        }
    }

    private static boolean isNaN(DType d, short h) {
        int bits = h & 0x7FFF;
        return d == DType.BF16 ? bits > 0x7F80 : bits > 0x7C00;
    }
}

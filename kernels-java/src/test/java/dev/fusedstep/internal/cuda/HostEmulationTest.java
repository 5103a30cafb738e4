package dev.fusedstep.internal.cuda;

import dev.fusedstep.optim.AllRules;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CastKernel;
import dev.fusedstep.internal.cpu.OptimizerKernel;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.FusedStep;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.ScalarState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CUDA kernels' code, compiled for the host and run thread by thread (HostEmulation), gives
 * the CPU kernels' bits: every rule and path, the chunk walk over several tensors and blocks, the
 * 16-byte and the element-wise paths, the per-step scalars computed from the control block, the
 * found-inf skip and the gradient multiplier, and every cast. This checks on any machine with a
 * C++ compiler what the GPU tests check on a GPU, except what only the GPU has (its pow, its
 * memory system, the launches themselves).
 */
class HostEmulationTest {

    static final int[] SIZES = {1, 3, 4097, DeviceLayouts.CHUNK, DeviceLayouts.CHUNK + 3, 50_001};
    static final int GRID = 3, BLOCK = 256;

    static HostEmulation emulation() {
        var e = HostEmulation.get();
        assumeTrue(e.isPresent(), HostEmulation::whyUnavailable);
        return e.get();
    }

    static Stream<OptimizerRule> rules() {
        return AllRules.everyConfiguration().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void kernelCodeHasTheCpuBits(OptimizerRule rule) {
        HostEmulation emu = emulation();
        DeviceRule dr = DeviceRule.of(rule);
        Random random = new Random(rule.toString().hashCode());
        List<String> names = rule.stateNames();
        int tensors = SIZES.length + 1;  // the last one 4 bytes off alignment
        try (Arena arena = Arena.ofConfined()) {
            List<float[]> cpuP = new ArrayList<>();
            List<float[][]> cpuS = new ArrayList<>();
            List<MemorySegment> p = new ArrayList<>(), g = new ArrayList<>();
            List<MemorySegment[]> s = new ArrayList<>();
            List<MemorySegment[]> rows = new ArrayList<>();
            long[] numel = new long[tensors];
            for (int t = 0; t < tensors; t++) {
                boolean unaligned = t == SIZES.length;
                int n = unaligned ? 1001 : SIZES[t];
                numel[t] = n;
                float[] p0 = gaussian(random, n, 1);
                cpuP.add(p0.clone());
                p.add(unaligned ? arena.allocate(4L * n + 16, 16).asSlice(4, 4L * n) : native_(arena, p0));
                if (unaligned) {
                    MemorySegment.copy(p0, 0, p.get(t), JAVA_FLOAT, 0, n);
                }
                g.add(arena.allocate(4L * n, 16));
                float[][] hs = new float[names.size()][];
                MemorySegment[] ds = new MemorySegment[names.size()];
                for (int k = 0; k < names.size(); k++) {
                    hs[k] = new float[n];
                    Arrays.fill(hs[k], rule.initialStateValue(names.get(k)));
                    ds[k] = native_(arena, hs[k]);
                }
                cpuS.add(hs);
                s.add(ds);
                MemorySegment[] row = new MemorySegment[2 + ds.length];
                row[0] = p.get(t);
                row[1] = g.get(t);
                System.arraycopy(ds, 0, row, 2, ds.length);
                rows.add(row);
            }
            MemorySegment table = arena.allocate(DeviceLayouts.TENSOR_ROW.byteSize() * tensors, 16);
            long chunks = TensorTable.writeRows(table, rows, numel);
            MemorySegment group = arena.allocate(DeviceLayouts.GROUP);
            DeviceOptimizerGroup.writeGroup(group, dr, null);
            ScalarState[] cpuScalars = new ScalarState[tensors];
            Arrays.setAll(cpuScalars, i -> new ScalarState());
            OptimizerRule cpuRule = rule;
            for (int step = 1; step <= 5; step++) {
                if (step == 3) {
                    cpuRule = rule.withLr(rule.lr() * 0.37);
                    group.set(JAVA_DOUBLE, DeviceLayouts.GROUP_LR, cpuRule.lr());
                }
                for (int t = 0; t < tensors; t++) {
                    float[] grad = gaussian(random, (int) numel[t], step == 2 ? 1e-3 : 1);
                    MemorySegment.copy(grad, 0, g.get(t), JAVA_FLOAT, 0, grad.length);
                    Tensor[] hostStates = Arrays.stream(cpuS.get(t)).map(Tensor::of).toArray(Tensor[]::new);
                    FusedStep.step(cpuRule, cpuScalars[t], Tensor.of(cpuP.get(t)), Tensor.of(grad), hostStates);
                }
                emu.prepare(dr.kernel(), group, MemorySegment.NULL);
                emu.step(dr.kernel(), GRID, BLOCK, table, tensors, chunks, group, MemorySegment.NULL, MemorySegment.NULL);

                float[] expected = new float[OptimizerKernel.SCALAR_SLOTS];
                OptimizerKernel.forRule(cpuRule).prepare(cpuScalars[0].step(), cpuScalars[0].muProduct(), expected);
                assertSameBits(expected, HostEmulation.scalars(group), rule + " step " + step + " per-step scalars");
                assertEquals(cpuScalars[0].step(), group.get(JAVA_LONG, DeviceLayouts.GROUP_STEP), "step count");
                assertEquals(cpuScalars[0].muProduct(), group.get(JAVA_DOUBLE, DeviceLayouts.GROUP_MU_PRODUCT), "mu_product");
                for (int t = 0; t < tensors; t++) {
                    String where = rule + " step " + step + " tensor " + t + " (" + numel[t] + " elements)";
                    assertSameBits(cpuP.get(t), p.get(t).toArray(JAVA_FLOAT), where + " param");
                    for (int k = 0; k < names.size(); k++) {
                        assertSameBits(cpuS.get(t)[k], s.get(t)[k].toArray(JAVA_FLOAT), where + " " + names.get(k));
                    }
                }
            }
        }
    }

    @Test
    void foundInfSkipsAndTheMultiplierUnscales() {
        HostEmulation emu = emulation();
        AdamW rule = new AdamW().withLr(1e-2).withWeightDecay(0.1);
        DeviceRule dr = DeviceRule.of(rule);
        Random r = new Random(7);
        int n = 20_001;
        try (Arena arena = Arena.ofConfined()) {
            float[] p0 = gaussian(r, n, 1), g = gaussian(r, n, 1), scaled = new float[n];
            for (int i = 0; i < n; i++) {
                scaled[i] = g[i] * 65536f;
            }
            MemorySegment p = native_(arena, p0), grad = native_(arena, scaled);
            MemorySegment m = native_(arena, new float[n]), v = native_(arena, new float[n]);
            MemorySegment table = arena.allocate(DeviceLayouts.TENSOR_ROW.byteSize(), 16);
            long chunks = TensorTable.writeRows(table, List.<MemorySegment[]>of(new MemorySegment[] {p, grad, m, v}), new long[] {n});
            MemorySegment group = arena.allocate(DeviceLayouts.GROUP);
            DeviceOptimizerGroup.writeGroup(group, dr, null);
            MemorySegment foundInf = arena.allocateFrom(JAVA_FLOAT, 1f);
            MemorySegment invScale = arena.allocateFrom(JAVA_FLOAT, 1f / 65536f);

            emu.prepare(dr.kernel(), group, foundInf);
            emu.step(dr.kernel(), GRID, BLOCK, table, 1, chunks, group, invScale, foundInf);
            assertSameBits(p0, p.toArray(JAVA_FLOAT), "param after a skipped step");
            assertEquals(0, group.get(JAVA_LONG, DeviceLayouts.GROUP_STEP), "step count after a skipped step");

            foundInf.set(JAVA_FLOAT, 0, 0f);
            emu.prepare(dr.kernel(), group, foundInf);
            emu.step(dr.kernel(), GRID, BLOCK, table, 1, chunks, group, invScale, foundInf);
            float[] cpuP = p0.clone(), cpuM = new float[n], cpuV = new float[n];
            FusedStep.step(rule, new ScalarState(), Tensor.of(cpuP), Tensor.of(g), Tensor.of(cpuM), Tensor.of(cpuV));
            assertSameBits(cpuP, p.toArray(JAVA_FLOAT), "param");
            assertSameBits(cpuM, m.toArray(JAVA_FLOAT), "exp_avg");
            assertSameBits(cpuV, v.toArray(JAVA_FLOAT), "exp_avg_sq");
        }
    }

    @Test
    void everyHalfPatternAndManyFloatsCastLikeTheCpu() {
        HostEmulation emu = emulation();
        try (Arena arena = Arena.ofConfined()) {
            int halves = 1 << 16;
            MemorySegment allHalves = arena.allocate(2L * halves, 16);
            for (int i = 0; i < halves; i++) {
                allHalves.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) i);
            }
            int floats = 1 << 20;
            MemorySegment someFloats = arena.allocate(4L * floats, 16);
            Random r = new Random(1);
            for (int i = 0; i < floats; i++) {
                int bits = i < halves ? (r.nextInt() & ~0x1FFF) | 0x1000 | (i & 1)  // ties for F16
                        : i < 2 * halves ? (r.nextInt() & ~0xFFFF) | 0x8000 : r.nextInt();  // ties for BF16
                someFloats.setAtIndex(ValueLayout.JAVA_INT, i, bits);
            }
            someFloats.setAtIndex(ValueLayout.JAVA_INT, 0, 0x7FC00001);
            someFloats.setAtIndex(ValueLayout.JAVA_INT, 1, 0xFF800000);
            someFloats.setAtIndex(ValueLayout.JAVA_INT, 2, 0x33000000);
            for (CastKernel k : CastKernel.values()) {
                MemorySegment src = k.from() == DType.F32 ? someFloats : allHalves;
                int n = k.from() == DType.F32 ? floats : halves;
                MemorySegment dst = arena.allocate((long) n * k.to().byteSize(), 16);
                MemorySegment expected = arena.allocate((long) n * k.to().byteSize(), 16);
                MemorySegment table = arena.allocate(DeviceLayouts.TENSOR_ROW.byteSize(), 16);
                long chunks = TensorTable.writeRows(table, List.<MemorySegment[]>of(new MemorySegment[] {src, dst}), new long[] {n});
                emu.cast(GRID, BLOCK, table, 1, chunks, k.ordinal());
                k.scalar(src, expected, 0, n);
                assertArrayEquals(expected.toArray(ValueLayout.JAVA_BYTE), dst.toArray(ValueLayout.JAVA_BYTE), k.name());
            }
        }
    }

    private static MemorySegment native_(Arena arena, float[] values) {
        MemorySegment s = arena.allocate(4L * Math.max(1, values.length), 16);
        MemorySegment.copy(values, 0, s, JAVA_FLOAT, 0, values.length);
        return s.asSlice(0, 4L * values.length);
    }
}

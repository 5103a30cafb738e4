package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.clip.GradClipping;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The norm and clipping kernels' code on the host (HostEmulation, real threads per block): the
 * CPU's norm to double rounding, the same bits for any grid size, found-inf for a non-finite
 * gradient, the CPU's clip coefficient, and scaling and clamping with the CPU's bits.
 */
class HostEmulationNormTest {

    static final int[] SIZES = {5, 40_000, DeviceLayouts.CHUNK, 70_001};

    private record Group(List<float[]> host, List<MemorySegment> device, MemorySegment table, long chunks) {}

    private static Group group(Arena arena, Random r) {
        List<float[]> host = new ArrayList<>();
        List<MemorySegment> device = new ArrayList<>();
        List<MemorySegment[]> rows = new ArrayList<>();
        long[] numel = new long[SIZES.length];
        for (int t = 0; t < SIZES.length; t++) {
            float[] g = gaussian(r, SIZES[t], 0.01);
            MemorySegment s = arena.allocate(4L * g.length, 16);
            MemorySegment.copy(g, 0, s, JAVA_FLOAT, 0, g.length);
            host.add(g);
            device.add(s);
            rows.add(new MemorySegment[] {s});
            numel[t] = g.length;
        }
        MemorySegment table = arena.allocate(DeviceLayouts.TENSOR_ROW.byteSize() * SIZES.length, 16);
        return new Group(host, device, table, TensorTable.writeRows(table, rows, numel));
    }

    @Test
    void normsMatchTheCpuForAnyGrid() {
        HostEmulation emu = emulation();
        try (Arena arena = Arena.ofConfined()) {
            Group g = group(arena, new Random(3));
            MemorySegment partials = arena.allocate(8 * g.chunks(), 16);
            MemorySegment total = arena.allocate(8, 8);
            List<Tensor> hostTensors = g.host().stream().map(Tensor::of).toList();
            double[][] cases = {{DeviceLayouts.NORM_L2, 2, GradClipping.L2}, {DeviceLayouts.NORM_INF, 0, GradClipping.INF},
                    {DeviceLayouts.NORM_L1, 1, 1.0}, {DeviceLayouts.NORM_P, 3, 3.0}};
            for (double[] c : cases) {
                int kind = (int) c[0];
                emu.norm(1, g.table(), SIZES.length, g.chunks(), kind, c[1], MemorySegment.NULL, partials, total, MemorySegment.NULL);
                double oneBlock = total.get(JAVA_DOUBLE, 0);
                emu.norm(3, g.table(), SIZES.length, g.chunks(), kind, c[1], MemorySegment.NULL, partials, total, MemorySegment.NULL);
                double threeBlocks = total.get(JAVA_DOUBLE, 0);
                assertEquals(Double.doubleToRawLongBits(oneBlock), Double.doubleToRawLongBits(threeBlocks),
                        "norm kind " + kind + ": the grid size must not change the bits");
                double cpu = GradClipping.totalNorm(hostTensors, c[2]);
                assertEquals(cpu, oneBlock, kind == DeviceLayouts.NORM_INF ? 0 : 1e-12 * cpu, "norm kind " + kind + " vs CPU");
            }
        }
    }

    @Test
    void aScaledNormIsTheNormOfTheUnscaledGradients() {
        HostEmulation emu = emulation();
        try (Arena arena = Arena.ofConfined()) {
            Group g = group(arena, new Random(4));
            MemorySegment partials = arena.allocate(8 * g.chunks(), 16);
            MemorySegment total = arena.allocate(8, 8);
            MemorySegment inv = arena.allocateFrom(JAVA_FLOAT, 0.25f);
            emu.norm(2, g.table(), SIZES.length, g.chunks(), DeviceLayouts.NORM_L2, 2, MemorySegment.NULL, partials, total,
                    MemorySegment.NULL);
            double plain = total.get(JAVA_DOUBLE, 0);
            emu.norm(2, g.table(), SIZES.length, g.chunks(), DeviceLayouts.NORM_L2, 2, inv, partials, total, MemorySegment.NULL);
            assertEquals(plain * 0.25, total.get(JAVA_DOUBLE, 0), "a power-of-two scale scales the norm exactly");
        }
    }

    @Test
    void nonFiniteRaisesFoundInf() {
        HostEmulation emu = emulation();
        try (Arena arena = Arena.ofConfined()) {
            Group g = group(arena, new Random(5));
            g.device().get(1).setAtIndex(JAVA_FLOAT, 31_337, Float.POSITIVE_INFINITY);
            MemorySegment partials = arena.allocate(8 * g.chunks(), 16);
            MemorySegment total = arena.allocate(8, 8);
            MemorySegment foundInf = arena.allocateFrom(JAVA_FLOAT, 0f);
            emu.norm(2, g.table(), SIZES.length, g.chunks(), DeviceLayouts.NORM_L2, 2, MemorySegment.NULL, partials, total, foundInf);
            assertTrue(Double.isInfinite(total.get(JAVA_DOUBLE, 0)));
            assertEquals(1f, foundInf.get(JAVA_FLOAT, 0));
        }
    }

    @Test
    void clippingUsesTheCpuCoefficientAndBits() {
        HostEmulation emu = emulation();
        try (Arena arena = Arena.ofConfined()) {
            Group g = group(arena, new Random(6));
            MemorySegment partials = arena.allocate(8 * g.chunks(), 16);
            MemorySegment total = arena.allocate(8, 8);
            MemorySegment coefficient = arena.allocate(4, 4);
            double maxNorm = 0.5;
            emu.norm(3, g.table(), SIZES.length, g.chunks(), DeviceLayouts.NORM_L2, 2, MemorySegment.NULL, partials, total,
                    MemorySegment.NULL);
            emu.clipCoefficient(total, maxNorm, coefficient);
            float c = GradClipping.clipCoefficient(maxNorm, total.get(JAVA_DOUBLE, 0));
            assertTrue(c < 1f, "the case must clip: " + c);
            assertEquals(Float.floatToRawIntBits(c), Float.floatToRawIntBits(coefficient.get(JAVA_FLOAT, 0)), "coefficient");
            emu.scale(3, 256, g.table(), SIZES.length, g.chunks(), coefficient);
            emu.clamp(3, 256, g.table(), SIZES.length, g.chunks(), -1e-3f, 1e-3f);
            for (int t = 0; t < SIZES.length; t++) {
                float[] expected = g.host().get(t).clone();
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = Math.min(Math.max(expected[i] * c, -1e-3f), 1e-3f);
                }
                assertSameBits(expected, g.device().get(t).toArray(JAVA_FLOAT), "tensor " + t + " scaled and clamped");
            }
        }
    }

    private static HostEmulation emulation() {
        var e = HostEmulation.get();
        assumeTrue(e.isPresent(), HostEmulation::whyUnavailable);
        return e.get();
    }
}

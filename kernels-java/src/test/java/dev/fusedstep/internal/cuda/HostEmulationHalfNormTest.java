package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.internal.cpu.NormKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The norm, scale and clamp kernels over tables that mix F32, F16 and BF16 rows (fs_tensor.dtype),
 * on the host (HostEmulation): the CPU's norm to double rounding (the max norm exactly), the same
 * bits for any grid and any alignment of a row (the 16-byte vector path and the element path
 * visit elements in one order), found-inf from a half infinity or NaN, and scaling and clamping
 * with the bits of the CPU's NormKernel, specials and rounding ties included.
 */
class HostEmulationHalfNormTest {

    /** Rows: dtype, elements, and an offset in elements from a 16-byte boundary (0 = aligned). */
    private static final DType[] DTYPES = {DType.F16, DType.BF16, DType.F32, DType.BF16, DType.F16, DType.F32, DType.F16};
    private static final int[] SIZES = {40_000, DeviceLayouts.CHUNK, 5, 70_001, 9, 33, DeviceLayouts.CHUNK + 3};
    private static final int[] OFFSETS = {0, 0, 0, 0, 0, 1, 3};

    private record Group(List<Tensor> tensors, MemorySegment table, long chunks) {
        int rows() {
            return tensors.size();
        }
    }

    /** Gaussian values of {@code scale}, rounded to each row's dtype, placed {@code offsets} elements off alignment. */
    private static Group group(Arena arena, Random r, double scale, int[] offsets) {
        List<Tensor> tensors = new ArrayList<>();
        for (int t = 0; t < SIZES.length; t++) {
            float[] values = new float[SIZES[t]];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (r.nextGaussian() * scale);
            }
            tensors.add(place(arena, DTYPES[t], values, offsets[t]));
        }
        return table(arena, tensors);
    }

    private static Tensor place(Arena arena, DType dtype, float[] values, int offset) {
        long size = dtype.byteSize();
        MemorySegment s = arena.allocate(size * (values.length + offset), 16).asSlice(size * offset, size * values.length);
        Tensor t = Tensor.of(s, dtype, values.length);
        Casts.convert(Tensor.of(values), t);
        return t;
    }

    private static Group table(Arena arena, List<Tensor> tensors) {
        List<MemorySegment[]> rows = tensors.stream().map(t -> new MemorySegment[] {t.segment()}).toList();
        MemorySegment table = arena.allocate(DeviceLayouts.TENSOR_ROW.byteSize() * tensors.size(), 16);
        long chunks = TensorTable.writeRows(table, rows, tensors.stream().mapToLong(Tensor::numel).toArray(),
                tensors.stream().map(Tensor::dtype).toArray(DType[]::new), null, null);
        return new Group(tensors, table, chunks);
    }

    private static double norm(HostEmulation emu, Arena arena, Group g, int grid, int kind, double p, MemorySegment foundInf) {
        MemorySegment partials = arena.allocate(8 * g.chunks(), 16);
        MemorySegment total = arena.allocate(8, 8);
        emu.norm(grid, g.table(), g.rows(), g.chunks(), kind, p, MemorySegment.NULL, partials, total, foundInf);
        return total.get(JAVA_DOUBLE, 0);
    }

    @Test
    void mixedNormsMatchTheCpuForAnyGridAndAlignment() {
        HostEmulation emu = emulation();
        try (Arena arena = Arena.ofConfined()) {
            Group offset = group(arena, new Random(11), 0.5, OFFSETS);
            Group aligned = group(arena, new Random(11), 0.5, new int[SIZES.length]);
            double[] normTypes = {GradClipping.L2, GradClipping.INF, 1.0, 3.0};
            for (double normType : normTypes) {
                int kind = DeviceOps.normKind(normType);
                double one = norm(emu, arena, offset, 1, kind, normType, MemorySegment.NULL);
                double three = norm(emu, arena, offset, 3, kind, normType, MemorySegment.NULL);
                double alignedRows = norm(emu, arena, aligned, 2, kind, normType, MemorySegment.NULL);
                assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(three),
                        "norm " + normType + ": the grid size must not change the bits");
                assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(alignedRows),
                        "norm " + normType + ": the rows' alignment must not change the bits");
                double cpu = GradClipping.totalNorm(offset.tensors(), normType);
                assertEquals(cpu, one, normType == GradClipping.INF ? 0 : 1e-12 * cpu, "norm " + normType + " vs CPU");
            }
        }
    }

    @Test
    void aHalfInfinityOrNaNRaisesFoundInf() {
        HostEmulation emu = emulation();
        short[][] specials = {{0, 0x7C00}, {1, (short) 0x7FC0}, {4, (short) 0xFE01}};  // F16 +inf, BF16 NaN, F16 -NaN
        for (short[] special : specials) {
            try (Arena arena = Arena.ofConfined()) {
                Group g = group(arena, new Random(12), 1, OFFSETS);
                g.tensors().get(special[0]).segment().setAtIndex(JAVA_SHORT, 7, special[1]);
                MemorySegment foundInf = arena.allocateFrom(JAVA_FLOAT, 0f);
                double total = norm(emu, arena, g, 2, DeviceLayouts.NORM_L2, 2, foundInf);
                assertTrue(!Double.isFinite(total), "row " + special[0] + ": norm " + total);
                assertEquals(1f, foundInf.get(JAVA_FLOAT, 0), "row " + special[0] + ": found_inf");
            }
        }
    }

    @Test
    void clippingScalesEveryDtypeWithTheCpuBits() {
        HostEmulation emu = emulation();
        try (Arena arena = Arena.ofConfined()) {
            Group g = group(arena, new Random(13), 3, OFFSETS);
            List<Tensor> expected = copies(arena, g.tensors());
            MemorySegment total = arena.allocate(8, 8);
            MemorySegment partials = arena.allocate(8 * g.chunks(), 16);
            MemorySegment coefficient = arena.allocate(4, 4);
            emu.norm(3, g.table(), g.rows(), g.chunks(), DeviceLayouts.NORM_L2, 2, MemorySegment.NULL, partials, total,
                    MemorySegment.NULL);
            emu.clipCoefficient(total, 1.0, coefficient);
            float c = coefficient.get(JAVA_FLOAT, 0);
            assertEquals(Float.floatToRawIntBits(GradClipping.clipCoefficient(1.0, total.get(JAVA_DOUBLE, 0))),
                    Float.floatToRawIntBits(c), "coefficient");
            assertTrue(c < 1f && c != Math.scalb(1f, Math.getExponent(c)), "a coefficient that rounds halves: " + c);
            emu.scale(3, 256, g.table(), g.rows(), g.chunks(), coefficient);
            for (Tensor t : expected) {
                NormKernel.scale(t.segment(), t.dtype(), c, 0, t.numel(), false);
            }
            assertSameBytes(expected, g.tensors(), "scaled");
        }
    }

    @Test
    void scaleAndClampKeepTheCpuBitsOnSpecialsAndTies() {
        HostEmulation emu = emulation();
        // float32 patterns whose halves are specials, subnormals, the largest finite values and
        // values whose product with the coefficient lands on or near half rounding ties
        float[] values = new float[4099];
        Random r = new Random(14);
        float[] specials = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xFFC00001), 65504f,
                -65504f, 6e-8f, -6e-8f, 1e-40f, Float.MAX_VALUE, 3.0e38f, 1f, -1f, 1.5f, 1e-5f, 0.333f};
        System.arraycopy(specials, 0, values, 0, specials.length);
        for (int i = specials.length; i < values.length; i++) {
            values[i] = Float.intBitsToFloat(r.nextInt());
            if (i % 3 == 0) {
                values[i] = (float) r.nextGaussian() * 100;
            }
        }
        for (DType dtype : new DType[] {DType.F16, DType.BF16, DType.F32}) {
            for (int offset : new int[] {0, 1, 5}) {
                try (Arena arena = Arena.ofConfined()) {
                    Tensor t = place(arena, dtype, values, offset);
                    Group g = table(arena, List.of(t));
                    List<Tensor> expected = copies(arena, g.tensors());
                    MemorySegment coefficient = arena.allocateFrom(JAVA_FLOAT, 0.7f);
                    emu.scale(2, 256, g.table(), 1, g.chunks(), coefficient);
                    NormKernel.scale(expected.get(0).segment(), dtype, 0.7f, 0, values.length, false);
                    assertSameBytes(expected, g.tensors(), dtype + " offset " + offset + " scaled");
                    emu.clamp(2, 256, g.table(), 1, g.chunks(), -0.3f, 0.3f);
                    NormKernel.clamp(expected.get(0).segment(), dtype, -0.3f, 0.3f, 0, values.length, false);
                    assertSameBytes(expected, g.tensors(), dtype + " offset " + offset + " clamped");
                }
            }
        }
    }

    private static List<Tensor> copies(Arena arena, List<Tensor> tensors) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : tensors) {
            MemorySegment s = arena.allocate(t.segment().byteSize(), 16);
            s.copyFrom(t.segment());
            out.add(Tensor.of(s, t.dtype(), t.numel()));
        }
        return out;
    }

    private static void assertSameBytes(List<Tensor> expected, List<Tensor> actual, String what) {
        for (int t = 0; t < expected.size(); t++) {
            assertArrayEquals(expected.get(t).segment().toArray(JAVA_BYTE), actual.get(t).segment().toArray(JAVA_BYTE),
                    what + ": row " + t + " (" + expected.get(t).dtype() + ")");
        }
    }

    private static HostEmulation emulation() {
        var e = HostEmulation.get();
        assumeTrue(e.isPresent(), HostEmulation::whyUnavailable);
        return e.get();
    }
}

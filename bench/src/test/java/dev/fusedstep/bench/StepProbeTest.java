package dev.fusedstep.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Optimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@link StepProbe} honest: for every rule of {@link OptimizerBench} in every layout, over
 * the buffers an optimizer of that configuration owns, the probe's streams add up to the bytes
 * the report charges the kernel ({@link Layout#bytesPerParam}), it writes every element of every
 * buffer the step writes, reads every gradient element (the gradient-typed output is a function
 * of it), leaves the gradient and everything past {@code n} alone.
 */
class StepProbeTest {

    /** Two of the widest vectors, so every loop runs more than once; the buffers hold more, to see it stops at n. */
    private static final int N = 2 * Probes.HW.length();
    private static final int SLACK = Probes.HW.length();

    @Test
    void everyRuleAndLayoutMovesExactlyItsKernelsBytes() {
        for (String rule : BenchRules.names()) {
            for (Layout layout : Layout.values()) {
                try (Arena arena = Arena.ofConfined()) {
                    checkOneStep(arena, rule, layout);
                }
            }
        }
    }

    private static void checkOneStep(Arena arena, String rule, Layout layout) {
        String where = rule + " " + layout.label();
        DType io = layout.paramDtype();
        MemorySegment param = arena.allocate((long) (N + SLACK) * io.byteSize(), 64);
        MemorySegment grad = arena.allocate((long) (N + SLACK) * io.byteSize(), 64);
        Buffers.fill(param, io, 1, -1f, 1f);
        Buffers.fill(grad, io, 2, 0.5f, 1f); // nonzero: p + g must differ from p
        try (Optimizer opt = Library.optimizer(BenchRules.of(rule), layout, param, grad, true, 1)) {
            List<Tensor> states = List.copyOf(opt.states("w").values());
            Tensor master = layout == Layout.MASTER_BF16 ? opt.masterWeights("w") : null;

            // the accounting: grad read; param (or master) and each state read and written; the half param written
            long main = master != null ? master.dtype().byteSize() : io.byteSize();
            long perElement = io.byteSize() + 2 * main + (master != null ? io.byteSize() : 0);
            for (Tensor s : states) {
                perElement += 2L * s.dtype().byteSize();
            }
            assertEquals(BenchRules.bytesPerParam(rule, layout.label()), perElement, where);

            // every buffer holds N + SLACK elements and the probe runs over N: the rest must stay as it was
            List<MemorySegment> written = new ArrayList<>();
            written.add(param);
            if (master != null) {
                written.add(master.segment());
            }
            List<MemorySegment> stateSegments = new ArrayList<>();
            for (Tensor s : states) {
                MemorySegment seg = s.segment();
                Buffers.fill(seg, s.dtype(), 3, -1f, 1f);
                stateSegments.add(seg);
                written.add(seg);
            }
            List<byte[]> before = written.stream().map(s -> s.toArray(ValueLayout.JAVA_BYTE)).toList();
            byte[] gradBefore = grad.toArray(ValueLayout.JAVA_BYTE);

            StepProbe.of(layout, param, grad, master == null ? null : master.segment(), stateSegments, N).run();

            assertArrayEquals(gradBefore, grad.toArray(ValueLayout.JAVA_BYTE), where + ": grad written");
            for (int b = 0; b < written.size(); b++) {
                MemorySegment s = written.get(b);
                int width = (int) (s.byteSize() / (N + SLACK));
                assertEveryElementChangedUpToN(before.get(b), s.toArray(ValueLayout.JAVA_BYTE), width, where + " buffer " + b);
            }
            assertParamFollowsGrad(layout, before.get(0), param, grad, where);
        }
    }

    private static void assertEveryElementChangedUpToN(byte[] before, byte[] after, int width, String where) {
        for (int i = 0; i < before.length / width; i++) {
            boolean changed = false;
            for (int k = 0; k < width; k++) {
                changed |= before[i * width + k] != after[i * width + k];
            }
            if (i < N) {
                assertTrue(changed, where + ": element " + i + " not written");
            } else {
                assertFalse(changed, where + ": element " + i + " past n written");
            }
        }
    }

    /** The output of the gradient's dtype is p + g (or, under master weights, the half param is g + 1): g was read. */
    private static void assertParamFollowsGrad(Layout layout, byte[] paramBefore, MemorySegment param, MemorySegment grad,
            String where) {
        MemorySegment old = MemorySegment.ofArray(paramBefore);
        for (int i = 0; i < N; i++) {
            if (layout.paramDtype() == DType.F32) {
                float expected = old.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i) + grad.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                assertEquals(expected, param.getAtIndex(ValueLayout.JAVA_FLOAT, i), where + " element " + i);
            } else {
                short g = grad.getAtIndex(ValueLayout.JAVA_SHORT, i);
                short base = layout == Layout.MASTER_BF16 ? 1 : old.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i);
                assertEquals((short) (base + g), param.getAtIndex(ValueLayout.JAVA_SHORT, i), where + " element " + i);
            }
        }
    }

    @Test
    void rejectsWhatItCannotProbeBeforeTouchingMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = arena.allocate((long) N * Float.BYTES, 64);
            List<MemorySegment> four = List.of(f, f, f, f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StepProbe.of(Layout.F32, f, f, null, four, N));
            assertTrue(e.getMessage().startsWith("states: got 4 buffers, expected 0 to 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> StepProbe.of(Layout.F32, f, f, null, List.of(), N - 1));
            assertTrue(e.getMessage().startsWith("n: got " + (N - 1)), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> StepProbe.of(Layout.MASTER_BF16, f, f, null, List.of(), N));
            assertTrue(e.getMessage().startsWith("master: got none for layout master_bf16"), e.getMessage());
            MemorySegment shortOne = f.asSlice(0, Float.BYTES * (N - 1L));
            e = assertThrows(IllegalArgumentException.class,
                    () -> StepProbe.of(Layout.F32, f, f, null, List.of(shortOne), N));
            assertEquals("states[0]: got " + shortOne.byteSize() + " bytes, expected at least " + (long) N * Float.BYTES,
                    e.getMessage());
        }
    }
}

package dev.fusedstep.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every bad argument is refused with a message naming it, before C is written. */
class GemmBadInputTest {
    private final float[] cValues = {1, 2, 3, 4};
    private final Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    private final Tensor b = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    private final Tensor c = Tensor.of(cValues, 2, 2);

    private void assertRefused(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
        assertArrayEquals(new float[] {1, 2, 3, 4}, cValues, "c was written before the check");
    }

    @Test
    void innerDimensionsMustAgree() {
        assertRefused(() -> Gemm.gemm(Transpose.N, Transpose.T, 1f, a, b, 0f, c), "b: got shape [3, 2]", "expected op(b) to have 3 rows");
    }

    @Test
    void cMustHaveTheProductsShape() {
        assertRefused(() -> Gemm.matmul(a, b, Tensor.of(cValues, 4, 1)), "c: got shape [4, 1], expected [2, 2]");
    }

    @Test
    void operandsMustBeMatrices() {
        assertRefused(() -> Gemm.matmul(Tensor.of(new float[6]), b, c), "a: got shape [6], expected a matrix");
    }

    @Test
    void halfPrecisionIsRefusedByDtype() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor half = Tensor.allocate(arena, DType.BF16, 2, 3);
            assertRefused(() -> Gemm.matmul(half, b, c), "a: got dtype BF16, expected F32");
        }
    }

    @Test
    void readOnlyOrOverlappingOutputIsRefused() {
        Tensor readOnly = Tensor.of(MemorySegment.ofArray(cValues).asReadOnly(), DType.F32, 2, 2);
        assertRefused(() -> Gemm.matmul(a, b, readOnly), "c: got a read-only segment");
        float[] shared = new float[6];
        Tensor square = Tensor.of(MemorySegment.ofArray(shared).asSlice(0, 16), DType.F32, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gemm.matmul(square, square, square));
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
    }

    @Test
    void nullsAndNonFiniteScalarsAreRefused() {
        assertRefused(() -> Gemm.gemm(null, Transpose.N, 1f, a, b, 0f, c), "transA: got null");
        assertRefused(() -> Gemm.gemm(Transpose.N, null, 1f, a, b, 0f, c), "transB: got null");
        assertRefused(() -> Gemm.gemm(Transpose.N, Transpose.N, Float.NaN, a, b, 0f, c), "alpha: got NaN");
        assertRefused(() -> Gemm.gemm(Transpose.N, Transpose.N, 1f, a, b, Float.POSITIVE_INFINITY, c), "beta: got Infinity");
        assertRefused(() -> Gemm.matmul(a, null, c), "b: got null");
    }
}

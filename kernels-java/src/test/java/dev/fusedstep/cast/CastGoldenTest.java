package dev.fusedstep.cast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import dev.fusedstep.io.SafeTensors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Casts bit-identical to PyTorch 2.11 (casts.safetensors): all 65536 patterns decoded, every listed float encoded. */
class CastGoldenTest {

    @ParameterizedTest(name = "vectorized={0}")
    @ValueSource(booleans = {false, true})
    void bitIdenticalToPyTorch(boolean vectorized) throws Exception {
        if (vectorized) {
            assumeTrue(VectorizationProvider.getInstance().vectorized(), VectorizationProvider.getInstance().describe());
        }
        Path file = Path.of(CastGoldenTest.class.getResource("/golden/casts.safetensors").toURI());
        try (SafeTensors st = SafeTensors.open(file); CpuBackend backend = new CpuBackend(vectorized, 2);
                Arena arena = Arena.ofConfined()) {
            for (String half : new String[] {"bf16", "f16"}) {
                Tensor all = st.tensor(half + "_all");
                Tensor decoded = Tensor.allocate(arena, DType.F32, all.numel());
                Casts.convert(backend, all, decoded);
                assertSameFloats(st.tensor(half + "_all_to_f32"), decoded, half + " decode");

                Tensor f32 = st.tensor("f32");
                Tensor encoded = Tensor.allocate(arena, all.dtype(), f32.numel());
                Casts.convert(backend, f32, encoded);
                Tensor expected = st.tensor("to_" + half);
                for (long i = 0; i < f32.numel(); i++) {
                    short want = expected.segment().getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i);
                    short got = encoded.segment().getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i);
                    if (isNaN(want, half)) {
                        assertTrue(isNaN(got, half), half + " encode of NaN at " + i);
                    } else {
                        assertEquals(want, got, half + " encode of " + f32.getFloat(i) + " at " + i);
                    }
                }
            }
        }
    }

    private static boolean isNaN(short h, String half) {
        return half.equals("bf16") ? Float.isNaN(Float.intBitsToFloat((h & 0xFFFF) << 16)) : Float.isNaN(Float.float16ToFloat(h));
    }

    private static void assertSameFloats(Tensor expected, Tensor actual, String what) {
        MemorySegment e = expected.segment(), a = actual.segment();
        for (long i = 0; i < expected.numel(); i++) {
            float want = e.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i), got = a.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(got), what + " at " + i + " must be NaN");
            } else {
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), what + " at " + i);
            }
        }
    }
}

package dev.fusedstep.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import dev.fusedstep.io.Json;
import dev.fusedstep.io.SafeTensors;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GradClippingTest {

    private static List<float[]> goldenGrads(SafeTensors st) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            out.add(st.tensor("grad_" + i).toFloatArray());
        }
        return out;
    }

    private static List<Tensor> wrap(List<float[]> arrays) {
        return arrays.stream().map(a -> Tensor.of(a)).toList();
    }

    private static SafeTensors golden() throws Exception {
        return SafeTensors.open(Path.of(GradClippingTest.class.getResource("/golden/clip.safetensors").toURI()));
    }

    /** Exact-enough reference: the float64 norm of the float32 gradients. */
    private static double exactL2(List<float[]> grads) {
        double s = 0;
        for (float[] g : grads) {
            for (float x : g) {
                s += (double) x * x;
            }
        }
        return Math.sqrt(s);
    }

    @Test
    void maxNormAndValueClippingAreBitIdenticalToPyTorch() throws Exception {
        try (SafeTensors st = golden()) {
            List<float[]> grads = goldenGrads(st);
            Map<String, Object> inf = Json.parseObject(st.metadata().get("inf"));
            double total = GradClipping.clipGradNorm(wrap(grads), ((Number) inf.get("max_norm")).doubleValue(), GradClipping.INF);
            assertEquals(Double.parseDouble(inf.get("total_norm").toString()), total);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(st.tensor("inf_clipped_" + i).toFloatArray(), grads.get(i), "inf_clipped_" + i);
            }

            grads = goldenGrads(st);
            GradClipping.clipGradValue(wrap(grads), 0.7);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(st.tensor("value_clipped_" + i).toFloatArray(), grads.get(i), "value_clipped_" + i);
            }
        }
    }

    @Test
    void l2ClippingIsAtLeastAsAccurateAsPyTorch() throws Exception {
        try (SafeTensors st = golden()) {
            for (String c : new String[] {"l2", "l2_noclip"}) {
                List<float[]> grads = goldenGrads(st);
                double exact = exactL2(grads);
                Map<String, Object> meta = Json.parseObject(st.metadata().get(c));
                double torchTotal = Double.parseDouble(meta.get("total_norm").toString());
                double maxNorm = ((Number) meta.get("max_norm")).doubleValue();
                double total = GradClipping.clipGradNorm(wrap(grads), maxNorm, GradClipping.L2);
                // PyTorch reduces in float32 and lands 6.5e-8 (relative) off; ours sums in double.
                assertTrue(Math.abs(total - exact) <= 1e-12 * exact, c + ": ours " + total + ", float64 " + exact);
                assertTrue(Math.abs(total - torchTotal) <= 1e-6 * torchTotal, c + ": ours " + total + ", PyTorch " + torchTotal);
                for (int i = 0; i < 4; i++) {
                    float[] torch = st.tensor(c + "_clipped_" + i).toFloatArray();
                    for (int k = 0; k < torch.length; k++) {
                        // the coefficient differs by PyTorch's norm error: a few float32 ulps at most
                        assertEquals(torch[k], grads.get(i)[k], 3e-7 * Math.abs(torch[k]), c + " tensor " + i + " element " + k);
                    }
                }
                if (c.equals("l2_noclip")) {
                    for (int i = 0; i < 4; i++) {
                        assertArrayEquals(st.tensor("grad_" + i).toFloatArray(), grads.get(i), "coefficient 1 leaves gradients unchanged");
                    }
                }
            }
        }
    }

    @Test
    void theNormHasTheSameBitsForAnyThreadCount() {
        List<float[]> grads = new ArrayList<>();
        Random r = new Random(3);
        for (int n : new int[] {100_000, 7, 40_000, 0, 16_385}) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = (float) r.nextGaussian();
            }
            grads.add(g);
        }
        boolean[] kinds = VectorizationProvider.getInstance().vectorized() ? new boolean[] {false, true} : new boolean[] {false};
        for (double p : new double[] {GradClipping.L2, GradClipping.INF, 1.0, 3.0}) {
            double scalarOneThread = Double.NaN;
            for (boolean vectorized : kinds) {
                double reference = Double.NaN;
                for (int threads = 1; threads <= 3; threads++) {
                    try (CpuBackend backend = new CpuBackend(vectorized, threads)) {
                        double norm = GradClipping.totalNorm(backend, wrap(grads), p);
                        if (threads == 1) {
                            reference = norm;
                        } else {
                            assertEquals(Double.doubleToRawLongBits(reference), Double.doubleToRawLongBits(norm),
                                    "p=" + p + " vectorized=" + vectorized + " threads=" + threads);
                        }
                    }
                }
                if (!vectorized) {
                    scalarOneThread = reference;
                } else {
                    assertEquals(scalarOneThread, reference, 1e-12 * scalarOneThread, "scalar vs vector, p=" + p);
                }
            }
        }
    }

    @Test
    void nonFiniteGradientsMakeTheNormNonFinite() {
        float[] a = new float[50_000], b = {1, 2, 3};
        a[31_337] = Float.POSITIVE_INFINITY;
        assertEquals(Double.POSITIVE_INFINITY, GradClipping.totalNorm(List.of(Tensor.of(a), Tensor.of(b)), GradClipping.L2));
        b[2] = Float.NaN;
        assertTrue(Double.isNaN(GradClipping.totalNorm(List.of(Tensor.of(a), Tensor.of(b)), GradClipping.L2)));
        assertTrue(Double.isNaN(GradClipping.totalNorm(List.of(Tensor.of(a), Tensor.of(b)), GradClipping.INF)));
        assertEquals(0f, GradClipping.clipCoefficient(1.0, Double.POSITIVE_INFINITY));
    }

    @Test
    void badArgumentsAreRejectedBeforeWriting() {
        float[] g = {5, -5, 5};
        float[] shared = {1, 2, 3, 4};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradClipping.clipGradNorm(List.of(Tensor.of(g)), -1, GradClipping.L2));
        assertTrue(e.getMessage().contains("max_norm: got -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClipping.totalNorm(List.of(Tensor.of(g)), 0));
        assertTrue(e.getMessage().contains("norm_type"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradValue(List.of(Tensor.of(g),
                Tensor.of(MemorySegment.ofArray(shared).asReadOnly(), dev.fusedstep.DType.F32)), 1));
        assertTrue(e.getMessage().contains("grads[1]") && e.getMessage().contains("read-only"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradValue(List.of(
                Tensor.of(MemorySegment.ofArray(shared).asSlice(0, 8), dev.fusedstep.DType.F32),
                Tensor.of(MemorySegment.ofArray(shared).asSlice(4, 8), dev.fusedstep.DType.F32)), 1));
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        assertArrayEquals(new float[] {5, -5, 5}, g);
        assertArrayEquals(new float[] {1, 2, 3, 4}, shared);
    }
}

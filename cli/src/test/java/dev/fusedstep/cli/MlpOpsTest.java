package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The GPU ops' bias rows and column sums are GEMMs with a ones vector; run here through the CPU
 * Gemm (the same calls and views, on host tensors) they must give the CPU loops' results: the
 * bias rows exactly, the column sums within float32 rounding of the double sums.
 */
class MlpOpsTest {

    @Test
    void onesVectorGemmsAreTheBiasRowsAndTheColumnSums() {
        Random r = new Random(4);
        try (CpuMlpOps loops = new CpuMlpOps()) {
            for (int[] s : new int[][] {{512, 100}, {256, 10}, {7, 1}, {1, 3}}) {
                int rows = s[0], cols = s[1];
                float[] ones = new float[rows];
                Arrays.fill(ones, 1f);
                Tensor onesColumn = Tensor.of(ones, rows, 1);
                float[] bias = gaussian(r, cols), m = gaussian(r, rows * cols);

                Tensor want = Tensor.of(new float[rows * cols], rows, cols), got = Tensor.of(new float[rows * cols], rows, cols);
                loops.biasRows(want, Tensor.of(bias, cols));
                CudaMlpOps.biasRowsByGemm(onesColumn, got, Tensor.of(bias.clone(), cols));
                assertArrayEquals(want.toFloatArray(), got.toFloatArray(), "bias rows " + rows + " x " + cols);

                Tensor wantSums = Tensor.of(new float[cols], cols), gotSums = Tensor.of(new float[cols], cols);
                loops.columnSums(Tensor.of(m, rows, cols), wantSums);
                CudaMlpOps.columnSumsByGemm(onesColumn, Tensor.of(m, rows, cols), gotSums);
                for (int j = 0; j < cols; j++) {
                    double magnitude = 0;
                    for (int i = 0; i < rows; i++) {
                        magnitude += Math.abs(m[i * cols + j]);
                    }
                    // a float32 sum of `rows` terms against the double sum rounded once
                    double bound = (rows + 1) * 0x1p-24 * magnitude;
                    double diff = Math.abs(gotSums.getFloat(j) - wantSums.getFloat(j));
                    assertTrue(diff <= bound, rows + " x " + cols + " column " + j + ": " + gotSums.getFloat(j) + " vs "
                            + wantSums.getFloat(j));
                }
            }
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}

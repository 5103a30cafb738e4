package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.download;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.GpuTests.upload;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cublas;
import dev.fusedstep.internal.cpu.CastKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * cuBLAS through the bindings against a CPU reference in double: SGEMM in pedantic float32
 * (relative error far under 1e-5), and GemmEx with BF16 inputs and float32 accumulation
 * (against the product of the same BF16-rounded inputs).
 */
@Tag("gpu")
class CublasGemmTest {

    // odd sizes: no dimension a multiple of a tile
    static final int M = 257, N = 129, K = 515;

    @Test
    void sgemmMatchesADoubleReference() {
        CudaBackend backend = backendWithCublas();
        Random r = new Random(1);
        float[] a = gaussian(r, M * K, 1), b = gaussian(r, K * N, 1);
        try (DeviceArena arena = new DeviceArena(backend.ordinal());
                DeviceBlas blas = new DeviceBlas(backend, arena, true)) {
            Tensor da = upload(arena, a), db = upload(arena, b), dc = upload(arena, gaussian(r, M * N, 1));
            // column-major: A is M x K (lda M), B is K x N (ldb K), C is M x N (ldc M)
            blas.sgemm(false, false, M, N, K, 1f, da.segment(), M, db.segment(), K, 0f, dc.segment(), M);
            backend.synchronize();
            assertClose(reference(a, b), download(dc), 1e-5, "SGEMM");
            assertTrue(blas.version() >= 12000, "cuBLAS version " + blas.version());
        }
    }

    @Test
    void gemmExWithBf16InputsAccumulatesInFloat() {
        CudaBackend backend = backendWithCublas();
        Random r = new Random(2);
        float[] a = roundToBf16(gaussian(r, M * K, 1)), b = roundToBf16(gaussian(r, K * N, 1));
        try (DeviceArena arena = new DeviceArena(backend.ordinal());
                DeviceBlas blas = new DeviceBlas(backend, arena, false);
                Arena host = Arena.ofConfined()) {
            Tensor da = arena.allocate(DType.BF16, M * K), db = arena.allocate(DType.BF16, K * N);
            Tensor dc = upload(arena, new float[M * N]);
            DeviceArena.copy(Tensor.of(toBf16(host, a), DType.BF16), da);
            DeviceArena.copy(Tensor.of(toBf16(host, b), DType.BF16), db);
            blas.gemm(false, false, M, N, K, 1f, da.segment(), M, db.segment(), K, DType.BF16, 0f, dc.segment(), M, DType.F32);
            backend.synchronize();
            assertClose(reference(a, b), download(dc), 1e-5, "GemmEx BF16 x BF16 -> F32");
        }
    }

    private static CudaBackend backendWithCublas() {
        CudaBackend backend = GpuTests.backend();
        assumeTrue(Cublas.library().isLoaded(), () -> "no cuBLAS here: " + Cublas.library().missingReason().orElse(""));
        return backend;
    }

    /** Column-major A (M x K) times B (K x N) in double. */
    private static double[] reference(float[] a, float[] b) {
        double[] c = new double[M * N];
        for (int j = 0; j < N; j++) {
            for (int k = 0; k < K; k++) {
                double bkj = b[k + j * K];
                for (int i = 0; i < M; i++) {
                    c[i + j * M] += a[i + k * M] * bkj;
                }
            }
        }
        return c;
    }

    private static void assertClose(double[] expected, float[] actual, double relTol, String what) {
        double num = 0, den = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            num += d * d;
            den += expected[i] * expected[i];
        }
        double rel = Math.sqrt(num / den);
        assertTrue(rel < relTol, what + ": relative error " + rel + ", expected under " + relTol);
    }

    private static float[] roundToBf16(float[] x) {
        float[] out = new float[x.length];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = toBf16(a, x);
            MemorySegment f = a.allocate(4L * x.length);
            CastKernel.BF16_TO_F32.scalar(h, f, 0, x.length);
            MemorySegment.copy(f, ValueLayout.JAVA_FLOAT, 0, out, 0, x.length);
        }
        return out;
    }

    private static MemorySegment toBf16(Arena arena, float[] x) {
        MemorySegment h = arena.allocate(2L * x.length);
        CastKernel.F32_TO_BF16.scalar(MemorySegment.ofArray(x), h, 0, x.length);
        return h;
    }
}

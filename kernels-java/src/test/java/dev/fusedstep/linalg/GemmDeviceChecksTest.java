package dev.fusedstep.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Gemm's checks on CUDA tensors, without a GPU: the device tensors here carry made-up addresses
 * that nothing may dereference, so a refusal proves the check came before any launch (a launch
 * would crash or, on this machine, fail for want of CUDA with an IllegalStateException).
 */
class GemmDeviceChecksTest {
    private static long next = 0x7f0000000000L;

    private static Tensor onDevice(int device, DType dtype, long rows, long cols) {
        long bytes = rows * cols * dtype.byteSize();
        Tensor t = Tensor.of(MemorySegment.ofAddress(next).reinterpret(bytes), dtype, Device.cuda(device), rows, cols);
        next += Math.max(bytes, 256);  // separate allocations, so only the check under test can refuse
        return t;
    }

    private static void assertRefused(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void mixingTheCpuAndADeviceNamesTheOperand() {
        float[] host = {1, 2, 3, 4, 5, 6};
        Tensor hostA = Tensor.of(host, 2, 3);
        Tensor devB = onDevice(0, DType.F32, 3, 2), devC = onDevice(0, DType.F32, 2, 2);
        assertRefused(() -> Gemm.gemm(Transpose.N, Transpose.N, 1f, hostA, devB, 0f, Tensor.of(new float[4], 2, 2)),
                "b: got a tensor on cuda:0, expected cpu");
        Tensor devA = onDevice(0, DType.F32, 2, 3);
        assertRefused(() -> Gemm.gemm(Transpose.N, Transpose.N, 1f, devA, Tensor.of(host.clone(), 3, 2), 0f, devC),
                "b: got a tensor on cpu, expected cuda:0 like a");
        float[] cValues = {1, 2, 3, 4};
        assertRefused(() -> Gemm.matmul(devA, devB, Tensor.of(cValues, 2, 2)), "c: got a tensor on cpu, expected cuda:0");
        assertArrayEquals(new float[] {1, 2, 3, 4}, cValues, "c was written before the check");
        assertRefused(() -> Gemm.matmul(devA, onDevice(1, DType.F32, 3, 2), devC), "b: got a tensor on cuda:1, expected cuda:0");
    }

    @Test
    void deviceOperandsAreCheckedLikeHostOnes() {
        Tensor a = onDevice(0, DType.F32, 2, 3), c = onDevice(0, DType.F32, 2, 2);
        assertRefused(() -> Gemm.matmul(a, onDevice(0, DType.F32, 4, 2), c), "b: got shape [4, 2]", "to have 3 rows");
        assertRefused(() -> Gemm.matmul(a, onDevice(0, DType.F32, 3, 2), onDevice(0, DType.F32, 2, 3)),
                "c: got shape [2, 3], expected [2, 2]");
        assertRefused(() -> Gemm.matmul(a, onDevice(0, DType.BF16, 3, 2), c), "b: got dtype BF16, expected F32");
        assertRefused(() -> Gemm.gemm(Transpose.T, Transpose.N, 1f, a, onDevice(0, DType.F32, 3, 2), 0f, c),
                "b: got shape [3, 2]", "to have 2 rows");
        // c overlapping a: same device addresses
        Tensor overlapping = Tensor.of(a.segment().reinterpret(16), DType.F32, Device.cuda(0), 2, 2);
        assertRefused(() -> Gemm.matmul(a, onDevice(0, DType.F32, 3, 2), overlapping), "overlaps");
        assertRefused(() -> Gemm.matmul(a, onDevice(0, DType.F32, 3, 2), null), "c: got null");
    }
}

package dev.fusedstep.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.CudaBackend;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Where an optimizer runs follows its tensors: the checks that need no GPU. Mixing devices is
 * rejected naming the tensor; CPU-only options on CUDA tensors are rejected; CUDA tensors where
 * CUDA cannot run give the backend's reason. (Tensors tagged cuda:0 here wrap an address that is
 * never touched: every check fails before any memory is read.)
 */
class OptimizerDeviceTest {

    private static Tensor onCuda(long address, int n) {
        return Tensor.of(MemorySegment.ofAddress(address).reinterpret(4L * n), DType.F32, Device.cuda(0), n);
    }

    @Test
    void cpuTensorsRunOnTheCpu() {
        try (Optimizer opt = Optimizer.builder().group(new SGD(), Param.of("w", Tensor.of(new float[4]),
                Tensor.of(new float[4]))).build()) {
            assertEquals(Device.CPU, opt.device());
            assertTrue(opt.threads() >= 1);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> opt.stepOnDevice(MemorySegment.NULL, MemorySegment.NULL));
            assertTrue(e.getMessage().contains("stepOnDevice") && e.getMessage().contains("cpu"), e.getMessage());
        }
    }

    @Test
    void aGradientOnAnotherDeviceIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.builder()
                .group(new SGD(), Param.of("w", Tensor.of(new float[8]), onCuda(0x7f0000000000L, 8))).build());
        assertTrue(e.getMessage().contains("grad 'w'") && e.getMessage().contains("cuda:0")
                && e.getMessage().contains("expected cpu like param 'w'"), e.getMessage());
    }

    @Test
    void aParameterOnAnotherDeviceThanTheFirstIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.builder()
                .group(new SGD(), Param.of("a", onCuda(0x7f0000000000L, 8), onCuda(0x7f0000001000L, 8)))
                .group(new SGD(), Param.of("b", Tensor.of(new float[8]), Tensor.of(new float[8]))).build());
        assertTrue(e.getMessage().contains("param 'b'") && e.getMessage().contains("got a tensor on cpu")
                && e.getMessage().contains("expected cuda:0 like param 'a'"), e.getMessage());
    }

    @Test
    void cpuOnlyOptionsAreRejectedForCudaTensors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.builder()
                .group(new SGD(), Param.of("a", onCuda(0x7f0000000000L, 8), onCuda(0x7f0000001000L, 8)))
                .threads(2).build());
        assertTrue(e.getMessage().startsWith("threads:") && e.getMessage().contains("cuda:0"), e.getMessage());
    }

    @Test
    void cudaTensorsWithoutCudaGiveTheBackendsReason() {
        CudaBackend.Availability a = CudaBackend.availability();
        assumeFalse(a.available(), "CUDA is available here: the optimizer would run on it");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Optimizer.builder()
                .group(new AdamW(), Param.of("a", onCuda(0x7f0000000000L, 8), onCuda(0x7f0000001000L, 8))).build());
        assertTrue(e.getMessage().contains("param 'a'") && e.getMessage().contains("CUDA backend is unavailable")
                && e.getMessage().contains(a.reason()), e.getMessage());
    }
}

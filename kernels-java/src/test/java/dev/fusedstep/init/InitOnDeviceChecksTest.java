package dev.fusedstep.init;

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
import org.junit.jupiter.api.function.Executable;

/**
 * On a CUDA tensor the initializers check their arguments as on the CPU, before CUDA is touched:
 * these run without a GPU (the device address is never read, and no kernel is launched).
 */
class InitOnDeviceChecksTest {

    private static final RandomStream RNG = RandomStream.of(1);

    private static Tensor onDevice(DType dtype, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Tensor.of(MemorySegment.ofAddress(0x7f0000000000L).reinterpret(n * dtype.byteSize()), dtype, Device.cuda(0),
                shape);
    }

    private static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void badArgumentsAreNamedBeforeTheDevice() {
        Tensor t = onDevice(DType.F32, 4, 3);
        assertEquals("b: got -1.0, expected >= a (0.0)", message(() -> Init.uniform(t, 0, -1, RNG)));
        assertEquals("std: got -1.0, expected a finite value >= 0", message(() -> Init.normal(t, 0, -1, RNG)));
        assertEquals("b: got -2.0, expected > a (2.0)", message(() -> Init.truncNormal(t, 0, 1, 2, -2, RNG)));
        assertTrue(message(() -> Init.constant(t, 1e39)).startsWith("value: got 1.00000e+39"));
        assertTrue(message(() -> Init.uniform(t, null)).startsWith("rng: got null"));
        assertTrue(message(() -> Init.xavierNormal(onDevice(DType.F32, 5), RNG)).contains("2 dimensions"));
        assertTrue(message(() -> Init.orthogonal(onDevice(DType.BF16, 5), RNG)).contains("at least 2 dimensions"));
        assertEquals("tensor: got dtype F64, expected F32, BF16 or F16", message(() -> Init.zeros(onDevice(DType.F64, 4))));
        Tensor readOnly = Tensor.of(t.segment().asReadOnly(), DType.F32, Device.cuda(0), 12);
        assertEquals("tensor: got a read-only segment, expected a writable one", message(() -> Init.normal(readOnly, RNG)));
    }

    @Test
    void zeroElementsNeedNoDevice() {
        Tensor empty = onDevice(DType.F16, 0, 7);
        Init.uniform(empty, RNG);
        Init.normal(empty, RNG);
        Init.truncNormal(empty, RNG);
        Init.ones(empty);
        Init.orthogonal(empty, RNG);
    }

    @Test
    void withoutAGpuTheBackendSaysWhy() {
        assumeFalse(CudaBackend.availability().available(), "a GPU is here: the fake address would be written");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Init.uniform(onDevice(DType.F32, 8), RNG));
        assertTrue(e.getMessage().startsWith("CUDA backend unavailable"), e.getMessage());
    }
}

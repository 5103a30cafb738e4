package dev.fusedstep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fusedstep.bindings.CudaRuntime;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Copy arguments are checked before CUDA is touched, so these run without a GPU (the device addresses are never read). */
class DeviceArenaChecksTest {

    private static Tensor onDevice(int device, DType dtype, long n) {
        return Tensor.of(MemorySegment.ofAddress(0x7f0000000000L).reinterpret(n * dtype.byteSize()), dtype,
                Device.cuda(device), n);
    }

    @Test
    void directionsFollowTheDevices() {
        Tensor host = Tensor.of(new float[4]);
        assertEquals(CudaRuntime.cudaMemcpyHostToDevice, DeviceArena.kindOf(host, onDevice(0, DType.F32, 4)));
        assertEquals(CudaRuntime.cudaMemcpyDeviceToHost, DeviceArena.kindOf(onDevice(0, DType.F32, 4), host));
        assertEquals(CudaRuntime.cudaMemcpyDeviceToDevice, DeviceArena.kindOf(onDevice(0, DType.F32, 4), onDevice(0, DType.F32, 4)));
    }

    @Test
    void mismatchesAreNamed() {
        Tensor host = Tensor.of(new float[4]);
        assertEquals("dst: got dtype BF16, expected F32 like src (copies do not convert; cast on the device)",
                assertThrows(IllegalArgumentException.class, () -> DeviceArena.kindOf(host, onDevice(0, DType.BF16, 4))).getMessage());
        assertEquals("dst: got 5 elements, expected 4 like src",
                assertThrows(IllegalArgumentException.class, () -> DeviceArena.kindOf(host, onDevice(0, DType.F32, 5))).getMessage());
        assertEquals("dst: got cuda:1, expected cuda:0 like src (copies between two GPUs are not supported)",
                assertThrows(IllegalArgumentException.class,
                        () -> DeviceArena.kindOf(onDevice(0, DType.F32, 4), onDevice(1, DType.F32, 4))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceArena.kindOf(host, Tensor.of(new float[4])));
        Tensor readOnly = Tensor.of(MemorySegment.ofArray(new float[4]).asReadOnly(), DType.F32);
        assertEquals("dst: got a read-only segment, expected a writable one",
                assertThrows(IllegalArgumentException.class, () -> DeviceArena.kindOf(onDevice(0, DType.F32, 4), readOnly)).getMessage());
    }

    @Test
    void asyncCopiesNeedNativeHostMemory() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceArena.copyAsync(Tensor.of(new float[4]), onDevice(0, DType.F32, 4), MemorySegment.NULL));
        assertEquals("src: got a heap-backed host tensor, expected native memory for an asynchronous copy"
                + " (use copy() for heap arrays)", e.getMessage());
    }

    @Test
    void badOrdinalIsNamed() {
        assertEquals("ordinal: got -1, expected a CUDA device index >= 0",
                assertThrows(IllegalArgumentException.class, () -> new DeviceArena(-1)).getMessage());
    }
}

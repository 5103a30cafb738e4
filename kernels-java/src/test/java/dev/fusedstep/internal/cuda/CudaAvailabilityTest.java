package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.bindings.CudaProbe;
import org.junit.jupiter.api.Test;

/** The backend says in one line why it cannot run, and opening it anyway is that message, not a crash. */
class CudaAvailabilityTest {

    @Test
    void thisMachinesAnswerIsOneLine() {
        CudaBackend.Availability a = CudaBackend.availability();
        assertFalse(a.reason().isBlank());
        assertFalse(a.reason().contains("\n"), a.reason());
        if (!a.available()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> CudaBackend.open(0));
            assertEquals("CUDA backend unavailable: " + a.reason(), e.getMessage());
        }
    }

    @Test
    void noDriverAndNoKernelsNamesBoth() {
        CudaProbe noDriver = new CudaProbe(false, "libcudart found at /usr/local/cuda/lib64/libcudart.so.13 (CUDA runtime 13.0),"
                + " but cudaGetDeviceCount failed: cudaErrorInsufficientDriver (35)", 13000, 0);
        CudaBackend.Availability a = CudaBackend.availability(noDriver, new FatbinImage(null, "no CUDA kernels: ..."));
        assertFalse(a.available());
        assertTrue(a.reason().endsWith("cudaErrorInsufficientDriver (35); also no CUDA kernels: ..."), a.reason());
    }

    @Test
    void aGpuWithoutKernelsSaysSo() {
        CudaProbe gpu = new CudaProbe(true, "libcudart found at x (CUDA runtime 13.0), 1 device", 13000, 1);
        CudaBackend.Availability a = CudaBackend.availability(gpu, new FatbinImage(null, "no CUDA kernels: build native/"));
        assertFalse(a.available());
        assertEquals("libcudart found at x (CUDA runtime 13.0), 1 device, but no CUDA kernels: build native/", a.reason());
        CudaBackend.Availability ok = CudaBackend.availability(gpu, new FatbinImage(new byte[1], "classpath k.fatbin"));
        assertTrue(ok.available());
        assertTrue(ok.reason().endsWith("; kernels from classpath k.fatbin"), ok.reason());
    }
}

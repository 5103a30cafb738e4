package dev.fusedstep.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probe must read as a sentence on every machine: no library, a library without a driver, a GPU. */
class CudaProbeTest {

    @Test
    void probeOfThisMachineNeverThrowsAndExplainsItself() {
        CudaProbe p = CudaProbe.probe();
        assertFalse(p.reason().isBlank(), "reason");
        assertFalse(p.reason().contains("\n"), "one line: " + p.reason());
        if (p.available()) {
            assertTrue(p.deviceCount() >= 1, p.toString());
            assertTrue(p.runtimeVersion() >= 1000, p.toString());
        } else {
            assertEquals(0, p.deviceCount(), p.toString());
        }
        if (p.reason().contains("cudaGetDeviceCount failed")) {
            // e.g. "... cudaGetDeviceCount failed: cudaErrorInsufficientDriver (35): ..."
            assertTrue(p.reason().matches(".*failed: cudaError\\w* \\(\\d+\\).*"), p.reason());
        }
    }

    @Test
    void missingLibraryIsAMessageNotACrash() {
        NativeLibrary none = NativeLibrary.load("libcudart",
                List.of(Path.of("/nonexistent-fusedstep/lib64/libcudart.so.13")), List.of("libfusedstep-no-such-library.so.99"));
        assertFalse(none.isLoaded());
        CudaProbe p = CudaProbe.probe(none);
        assertFalse(p.available());
        assertTrue(p.reason().startsWith("libcudart not found in /nonexistent-fusedstep/lib64"), p.reason());
        assertTrue(p.reason().contains("libfusedstep-no-such-library.so.99"), p.reason());
        assertEquals(0, p.runtimeVersion());
    }

    @Test
    void overrideNamingNothingSaysSo() {
        NativeLibrary lib = CudaRuntime.locate("/nonexistent-fusedstep/libcudart.so", null);
        assertFalse(lib.isLoaded());
        String reason = CudaProbe.probe(lib).reason();
        assertTrue(reason.contains("-Dfusedstep.cudart.path names /nonexistent-fusedstep/libcudart.so"), reason);
    }

    @Test
    void aLibraryThatIsNotCudaIsNamedAsSuch() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "libc.so.6 is a Linux name");
        NativeLibrary libc = NativeLibrary.load("libc", List.of(), List.of("libc.so.6"));
        assumeTrue(libc.isLoaded(), "libc.so.6 loads");
        CudaProbe p = CudaProbe.probe(libc);
        assertFalse(p.available());
        assertTrue(p.reason().contains("lacks cudaRuntimeGetVersion"), p.reason());
    }

    @Test
    void callingAFunctionOfAMissingLibraryThrowsWithTheReason() {
        NativeLibrary none = NativeLibrary.missing("libcudart", "libcudart not found in /x");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> none.downcall("cudaGetDeviceCount", CudaRuntime.cudaGetDeviceCount$DESC)
                        .orElseThrow(() -> none.unavailable("cudaGetDeviceCount")));
        assertEquals("cudaGetDeviceCount: libcudart not found in /x", e.getMessage());
    }

    @Test
    void searchLooksUnderCudaHomeFirst() {
        List<Path> dirs = CudaRuntime.searchFolders("/opt/my-cuda");
        assertEquals(Path.of("/opt/my-cuda/lib64"), dirs.get(0));
        assertTrue(dirs.contains(Path.of("/usr/local/cuda/lib64")), dirs.toString());
    }

    @Test
    void versionReadsAsMajorDotMinor() {
        assertEquals("13.0", CudaProbe.versionString(13000));
        assertEquals("12.4", CudaProbe.versionString(12040));
    }
}

package dev.fusedstep.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cuBLAS is absent on build machines: its absence must read as a sentence; where present, its symbols must match. */
class CublasBindingTest {

    @Test
    void missingLibraryIsAMessageNotACrash() {
        NativeLibrary none = Cublas.locate(null, "/nonexistent-fusedstep-cuda");
        if (none.isLoaded()) {
            return; // found on the system loader's path: nothing to check here
        }
        String reason = none.missingReason().orElseThrow();
        assertTrue(reason.startsWith("libcublas not found in /nonexistent-fusedstep-cuda/lib64"), reason);
        assertTrue(reason.contains("libcublas.so.13"), reason);
    }

    @Test
    void overrideNamingNothingSaysSo() {
        NativeLibrary lib = Cublas.locate("/nonexistent-fusedstep/libcublas.so.13", null);
        assertFalse(lib.isLoaded());
        assertEquals("-Dfusedstep.cublas.path names /nonexistent-fusedstep/libcublas.so.13, which does not exist;"
                + " expected the path of a libcublas shared library", lib.missingReason().orElseThrow());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lib.downcall("cublasCreate_v2",
                Cublas.cublasCreate_v2$DESC).orElseThrow(() -> lib.unavailable("cublasCreate_v2")));
        assertTrue(e.getMessage().startsWith("cublasCreate_v2: -Dfusedstep.cublas.path names"), e.getMessage());
    }

    @Test
    void callsWithoutTheLibraryThrowItsReason() {
        assumeTrue(!Cublas.library().isLoaded(), "libcublas is installed here");
        IllegalStateException e = assertThrows(IllegalStateException.class, Cublas::version);
        assertTrue(e.getMessage().startsWith("cublasGetProperty: libcublas not found"), e.getMessage());
    }

    @Test
    void statusNamesHaveAFallback() {
        assertEquals("CUBLAS_STATUS_NOT_INITIALIZED", Cublas.STATUS_NAMES.get(Cublas.CUBLAS_STATUS_NOT_INITIALIZED));
        assertEquals(10, Cublas.STATUS_NAMES.size());
        Cublas.check(Cublas.CUBLAS_STATUS_SUCCESS, "cublasSgemm_v2");
    }

    @Test
    void everyBoundSymbolIsExportedByLibcublas() throws Exception {
        NativeLibrary lib = Cublas.library();
        assumeTrue(lib.isLoaded(), "no libcublas here: " + lib.missingReason().orElse(""));
        List<String> missing = new ArrayList<>();
        for (String name : CudaRuntimeBindingTest.boundSymbols(Cublas.class)) {
            if (lib.find(name).isEmpty()) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "not exported by " + lib + ": " + missing);
        assertTrue(Cublas.version().matches("\\d+\\.\\d+\\.\\d+"), Cublas.version());
    }
}

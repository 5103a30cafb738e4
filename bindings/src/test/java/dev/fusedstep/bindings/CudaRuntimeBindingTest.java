package dev.fusedstep.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What can be checked of the runtime bindings without a GPU: layouts, symbol names, error mapping. */
class CudaRuntimeBindingTest {

    @Test
    void dim3IsThreeIntsPassedAsTwelveBytes() {
        assertEquals(12, CudaRuntime.dim3.byteSize());
        assertEquals(4, CudaRuntime.dim3.byteAlignment());
        assertEquals(8, CudaRuntime.dim3.byteOffset(MemoryLayout.PathElement.groupElement("z")));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = CudaRuntime.dim3(a, 7, 8, 9);
            assertEquals(7, d.get(JAVA_INT, 0));
            assertEquals(9, d.get(JAVA_INT, 8));
        }
        List<MemoryLayout> args = CudaRuntime.cudaLaunchKernel$DESC.argumentLayouts();
        assertEquals(List.of(ADDRESS, CudaRuntime.dim3, CudaRuntime.dim3, ADDRESS, JAVA_LONG, ADDRESS), args);
    }

    /** Every bound function must exist under that name in the real libcudart (13 here), so no call fails on the GPU machine for a typo. */
    @Test
    void everyBoundSymbolIsExportedByLibcudart() throws Exception {
        NativeLibrary lib = CudaRuntime.library();
        assumeTrue(lib.isLoaded(), "no libcudart here: " + lib.missingReason().orElse(""));
        List<String> missing = new ArrayList<>();
        for (String name : boundSymbols(CudaRuntime.class)) {
            if (lib.find(name).isEmpty()) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "not exported by " + lib + ": " + missing);
        assertTrue(boundSymbols(CudaRuntime.class).size() >= 40, boundSymbols(CudaRuntime.class).toString());
    }

    @Test
    void errorNamesComeFromTheRuntimeWithoutADriver() {
        assumeTrue(CudaRuntime.library().isLoaded(), "no libcudart here");
        assertEquals("cudaErrorInsufficientDriver", CudaRuntime.errorName(CudaRuntime.cudaErrorInsufficientDriver));
        assertEquals("cudaErrorMemoryAllocation", CudaRuntime.errorName(CudaRuntime.cudaErrorMemoryAllocation));
        assertEquals("cudaSuccess", CudaRuntime.errorName(0));
        assertTrue(CudaRuntime.errorString(CudaRuntime.cudaErrorMemoryAllocation).contains("memory"),
                CudaRuntime.errorString(CudaRuntime.cudaErrorMemoryAllocation));
    }

    /** This machine's case (runtime, no driver): calls fail with cudaErrorInsufficientDriver as a CudaException, not a crash. */
    @Test
    void withoutADriverCallsThrowTheNamedError() {
        assumeTrue(CudaRuntime.library().isLoaded(), "no libcudart here");
        assumeTrue(Cuda.driverVersion() == 0, "a driver is installed here");
        CudaException e = assertThrows(CudaException.class, Cuda::deviceCount);
        assertEquals(CudaRuntime.cudaErrorInsufficientDriver, e.code());
        assertEquals("cudaErrorInsufficientDriver", e.errorName());
        assertEquals("cudaGetDeviceCount", e.call());
        assertTrue(e.getMessage().startsWith("cudaGetDeviceCount failed: cudaErrorInsufficientDriver (35): "), e.getMessage());
        CudaException m = assertThrows(CudaException.class, () -> Cuda.malloc(1024));
        assertEquals(CudaRuntime.cudaErrorInsufficientDriver, m.code(), m.getMessage());
        assertTrue(m.call().startsWith("cudaMalloc(1024 bytes)"), m.call());
    }

    @Test
    void checkPassesSuccessAndNamesFailures() {
        CudaException.check(0, "cudaFree");
        assumeTrue(CudaRuntime.library().isLoaded(), "no libcudart here");
        CudaException e = assertThrows(CudaException.class, () -> CudaException.check(2, "cudaMalloc"));
        assertEquals("cudaMalloc failed: cudaErrorMemoryAllocation (2): out of memory", e.getMessage());
    }

    @Test
    void missingRuntimeFunctionsThrowTheSearchReason() {
        NativeLibrary none = CudaRuntime.locate("/nonexistent-fusedstep/libcudart.so.13", null);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> none.downcall("cudaMalloc", CudaRuntime.cudaMalloc$DESC).orElseThrow(() -> none.unavailable("cudaMalloc")));
        assertTrue(e.getMessage().startsWith("cudaMalloc: -Dfusedstep.cudart.path names /nonexistent-fusedstep/libcudart.so.13"),
                e.getMessage());
    }

    @Test
    void kernelArgsPointAtEachValueInOrder() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment device = MemorySegment.ofAddress(0x7f0000001000L);
            KernelArgs args = new KernelArgs(a).pointer(device).i32(3).i64(1L << 40).f32(0.5f).f64(0.25)
                    .pointer(MemorySegment.NULL);
            assertEquals(6, args.count());
            assertEquals("pilfdp", args.signature());
            MemorySegment array = args.array().reinterpret(6 * ADDRESS.byteSize());
            assertEquals(0x7f0000001000L, slot(array, 0, ADDRESS.byteSize()).get(ADDRESS, 0).address());
            assertEquals(3, slot(array, 1, 4).get(JAVA_INT, 0));
            assertEquals(1L << 40, slot(array, 2, 8).get(JAVA_LONG, 0));
            assertEquals(0.5f, slot(array, 3, 4).get(JAVA_FLOAT, 0));
            assertEquals(0.25, slot(array, 4, 8).get(JAVA_DOUBLE, 0));
            assertEquals(0L, slot(array, 5, ADDRESS.byteSize()).get(ADDRESS, 0).address());
        }
    }

    @Test
    void deviceNameIsReadUpToItsTerminator() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prop = a.allocate(CudaRuntime.cudaDeviceProp$MIN_BYTES);
            prop.setString(0, "NVIDIA H100 80GB HBM3");
            assertEquals("NVIDIA H100 80GB HBM3", CudaDeviceInfo.cString(prop, CudaRuntime.cudaDeviceProp$NAME_BYTES));
        }
    }

    private static MemorySegment slot(MemorySegment array, int i, long bytes) {
        return array.getAtIndex(ADDRESS, i).reinterpret(bytes);
    }

    /** Names of the C functions a bindings class binds: its static FunctionDescriptor fields named {@code name$DESC}. */
    static List<String> boundSymbols(Class<?> bindings) throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field f : bindings.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == FunctionDescriptor.class && f.getName().endsWith("$DESC")) {
                names.add(f.getName().substring(0, f.getName().length() - "$DESC".length()));
            }
        }
        return names;
    }
}

package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cuda;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Device tensors: zero-filled, round trips from heap and native memory, device to device, freed on close. */
@Tag("gpu")
class DeviceArenaTest {

    @Test
    void roundTripsKeepEveryBit() {
        CudaBackend backend = GpuTests.backend();
        float[] values = GpuTests.gaussian(new java.util.Random(4), 100_003, 1);
        values[7] = Float.NaN;
        values[8] = -0.0f;
        try (DeviceArena arena = new DeviceArena(backend.ordinal()); Arena host = Arena.ofConfined()) {
            Tensor d = arena.allocate(DType.F32, 100_003);
            assertArrayEquals(new float[100_003], GpuTests.download(d), "a new device tensor is zero-filled");
            DeviceArena.copy(Tensor.of(values), d);                 // from the heap (staged)
            Tensor d2 = arena.allocate(DType.F32, 100_003);
            DeviceArena.copy(d, d2);                                 // device to device
            Tensor nativeHost = Tensor.allocate(host, DType.F32, 100_003);
            DeviceArena.copy(d2, nativeHost);                        // to native memory, directly
            assertArrayEquals(bits(values), bits(nativeHost.toFloatArray()));
            assertEquals(backend.device(), d.device());
            Tensor half = arena.allocate(DType.BF16, 3);
            MemorySegment src = host.allocateFrom(ValueLayout.JAVA_SHORT, (short) 0x3F80, (short) 0x7FC0, (short) 0x8000);
            DeviceArena.copy(Tensor.of(src, DType.BF16), half);
            MemorySegment back = host.allocate(6);
            DeviceArena.copy(half, Tensor.of(back, DType.BF16));
            assertEquals(-1, src.mismatch(back));
        }
    }

    @Test
    void closeFreesTheMemory() {
        CudaBackend backend = GpuTests.backend();
        backend.makeCurrent();
        long before = Cuda.memoryInfo()[0];
        DeviceArena arena = new DeviceArena(backend.ordinal());
        arena.allocate(DType.F32, 256L << 20);  // 1 GiB
        assertTrue(Cuda.memoryInfo()[0] <= before - (1L << 30), "allocation shows in free memory");
        arena.close();
        assertTrue(Cuda.memoryInfo()[0] >= before - (64L << 20), "closing returns it");
        assertThrows(IllegalStateException.class, () -> arena.allocate(DType.F32, 4));
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }
}

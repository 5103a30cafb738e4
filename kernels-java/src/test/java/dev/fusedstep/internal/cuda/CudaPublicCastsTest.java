package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The public Casts on CUDA tensors: every pair of F32, F16 and BF16 (the same dtype copies; BF16
 * <-> F16 goes through float32), through {@code convert} and {@code to}, gives the CPU's bytes on
 * random bit patterns (NaNs included: every cast is integer arithmetic on the bits).
 */
@Tag("gpu")
class CudaPublicCastsTest {

    private static final DType[] DTYPES = {DType.F32, DType.F16, DType.BF16};

    @Test
    void everyPairHasTheCpuBytes() {
        CudaBackend backend = GpuTests.backend();
        int n = 100_003;
        Random r = new Random(21);
        try (Arena host = Arena.ofConfined(); DeviceArena arena = new DeviceArena(backend.ordinal())) {
            MemorySegment bits = host.allocate(4L * n, 16);
            for (int i = 0; i < n; i++) {
                bits.setAtIndex(JAVA_INT, i, i % 4 == 0 ? Float.floatToRawIntBits((float) r.nextGaussian()) : r.nextInt());
            }
            for (DType from : DTYPES) {
                Tensor src = Tensor.of(bits.asSlice(0, (long) n * from.byteSize()), from, n);
                Tensor deviceSrc = arena.upload(src);
                for (DType to : DTYPES) {
                    Tensor expected = Tensor.allocate(host, to, n);
                    Casts.convert(src, expected);
                    Tensor viaConvert = arena.allocate(to, n);
                    Casts.convert(deviceSrc, viaConvert);
                    Tensor viaTo = Casts.to(deviceSrc, to, arena);
                    byte[] bytes = expected.segment().toArray(JAVA_BYTE);
                    assertArrayEquals(bytes, download(host, viaConvert), from + " -> " + to + " (convert)");
                    assertArrayEquals(bytes, download(host, viaTo), from + " -> " + to + " (to)");
                }
            }
        }
    }

    private static byte[] download(Arena host, Tensor device) {
        Tensor out = Tensor.allocate(host, device.dtype(), device.shape());
        DeviceArena.copy(device, out);
        return out.segment().toArray(JAVA_BYTE);
    }
}

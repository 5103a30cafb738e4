package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CastKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Casts on the GPU give the CPU's bits exactly: every one of the 65536 half patterns (BF16 and
 * F16) to float32, and float32 patterns to half (specials, every rounding boundary class, random
 * bits) with the CPU's NaN handling.
 */
@Tag("gpu")
class CudaCastTest {

    @Test
    void everyHalfPatternWidensLikeTheCpu() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        for (CastKernel k : List.of(CastKernel.BF16_TO_F32, CastKernel.F16_TO_F32)) {
            compare(k, MemorySegment.ofArray(all), all.length);
        }
    }

    @Test
    void floatPatternsNarrowLikeTheCpu() {
        Random r = new Random(42);
        int n = 1 << 22;
        int[] bits = new int[n];
        int i = 0;
        for (int special : new int[] {0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001, 0x7F800001, 1,
                0x80000001, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x38800000, 0x387FFFFF, 0x33000000, 0x33000001, 0x7F7FFFFF}) {
            bits[i++] = special;
        }
        for (int b = 0; i < n / 2; b++) {  // every value near a half rounding boundary: low 13/16 bits around the tie
            int base = r.nextInt();
            bits[i++] = (base & ~0x1FFF) | 0x1000 | (b & 1);
            bits[i++] = (base & ~0xFFFF) | 0x8000 - (b & 1);
        }
        while (i < n) {
            bits[i++] = r.nextInt();
        }
        for (CastKernel k : List.of(CastKernel.F32_TO_BF16, CastKernel.F32_TO_F16)) {
            compare(k, MemorySegment.ofArray(bits), n);
        }
    }

    private static void compare(CastKernel kind, MemorySegment hostSrc, int n) {
        CudaBackend backend = GpuTests.backend();
        try (DeviceArena arena = new DeviceArena(backend.ordinal()); Arena host = Arena.ofConfined()) {
            Tensor src = arena.allocate(kind.from(), n);
            Tensor dst = arena.allocate(kind.to(), n);
            DeviceArena.copy(Tensor.of(hostSrc, kind.from()), src);
            TensorTable rows = TensorTable.build(arena, List.<MemorySegment[]>of(new MemorySegment[] {src.segment(), dst.segment()}),
                    new long[] {n});
            DeviceOps.cast(backend, rows, kind);
            backend.synchronize();
            MemorySegment expected = host.allocate((long) n * kind.to().byteSize());
            kind.scalar(hostSrc, expected, 0, n);
            MemorySegment actual = host.allocate((long) n * kind.to().byteSize());
            DeviceArena.copy(dst, Tensor.of(actual, kind.to()));
            if (kind.to() == DType.F32) {
                float[] e = expected.toArray(ValueLayout.JAVA_FLOAT), a = actual.toArray(ValueLayout.JAVA_FLOAT);
                GpuTests.assertSameBits(e, a, kind.name());
                // NaNs too: the CPU's widening keeps payloads, and so must the GPU's
                assertArrayEquals(expected.toArray(ValueLayout.JAVA_INT), actual.toArray(ValueLayout.JAVA_INT), kind.name());
            } else {
                short[] e = expected.toArray(ValueLayout.JAVA_SHORT), a = actual.toArray(ValueLayout.JAVA_SHORT);
                for (int i = 0; i < n; i++) {
                    if (e[i] != a[i]) {
                        fail(kind + ": input 0x" + Integer.toHexString(hostSrc.getAtIndex(ValueLayout.JAVA_INT, i))
                                + " gave 0x" + Integer.toHexString(a[i] & 0xFFFF) + ", expected 0x" + Integer.toHexString(e[i] & 0xFFFF));
                    }
                }
            }
        }
    }
}

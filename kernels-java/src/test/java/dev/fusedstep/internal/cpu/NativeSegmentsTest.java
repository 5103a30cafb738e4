package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vector loops cast their segments to the native class ({@link NativeSegments}); heap
 * buffers reach them only as native copies. These tests pin both halves: which segments count as
 * native, and that a heap buffer gives the bits of the same data in native memory (a heap
 * segment reaching a loop would throw ClassCastException instead).
 */
class NativeSegmentsTest {

    @TempDir
    Path dir;

    @Test
    void arenaSlicesAndMappedFilesAreNativeHeapArraysAreNot() throws IOException {
        try (Arena arena = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            assertTrue(NativeSegments.castable(arena.allocate(64)), "confined arena");
            assertTrue(NativeSegments.castable(shared.allocate(4096, 64).asSlice(128, 256)), "slice of a shared arena's segment");
            assertTrue(NativeSegments.castable(Arena.ofAuto().allocate(16)), "automatic arena");
            Path file = Files.write(dir.resolve("data.bin"), new byte[4096]);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                assertTrue(NativeSegments.castable(ch.map(FileChannel.MapMode.READ_ONLY, 0, 4096, arena)), "mapped file");
            }
        }
        MemorySegment floats = MemorySegment.ofArray(new float[8]);
        assertFalse(NativeSegments.castable(floats), "float[]");
        assertFalse(NativeSegments.castable(MemorySegment.ofArray(new byte[8])), "byte[]");
        assertThrows(ClassCastException.class, () -> NativeSegments.NATIVE.cast(floats));
    }

    @Test
    void aTargetWithAHeapBufferIsStagedNotFused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment master = arena.allocate(64), half = arena.allocate(32), grad = arena.allocate(32);
            MemorySegment[] states = {arena.allocate(64), arena.allocate(64)};
            StepTarget allNative = new StepTarget(master, DType.F32, grad, DType.BF16, states, DType.F32, half, DType.BF16, false);
            assertSame(StepTarget.Fused.BF16_MASTER, allNative.fused);
            MemorySegment heapGrad = MemorySegment.ofArray(new short[16]);
            StepTarget heap = new StepTarget(master, DType.F32, heapGrad, DType.BF16, states, DType.F32, half, DType.BF16, false);
            assertFalse(heap.allNative);
            assertSame(StepTarget.Fused.NONE, heap.fused);
        }
    }

    /** Lengths around the vector width, the norm's chunk and a few in between. */
    private static final int[] LENGTHS = {0, 1, 15, 16, 17, 100, 1000, 4095, 4097, CpuBackend.CHUNK, CpuBackend.CHUNK + 3};

    @Test
    void normLoopsGiveTheSameBitsForHeapAndNativeGradients() {
        LoopParityHarness.assumeVectorized();
        Random rnd = new Random(11);
        for (DType d : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            for (int n : LENGTHS) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment nat = arena.allocate((long) n * d.byteSize() + 64, 64).asSlice(2, (long) n * d.byteSize());
                    for (int i = 0; i < n; i++) {
                        Storage.store(nat, d, i, (float) rnd.nextGaussian());
                    }
                    MemorySegment heap = heapCopy(nat);
                    String where = d + " n=" + n;
                    int from = n / 3;
                    assertEquals(Double.doubleToRawLongBits(NormKernel.sumOfSquares(nat, d, from, n, true)),
                            Double.doubleToRawLongBits(NormKernel.sumOfSquares(heap, d, from, n, true)), "sum of squares " + where);
                    assertEquals(NormKernel.maxAbs(nat, d, from, n, true), NormKernel.maxAbs(heap, d, from, n, true), "max " + where);
                    NormKernel.scale(nat, d, 0.37f, from, n, true);
                    NormKernel.scale(heap, d, 0.37f, from, n, true);
                    assertArrayEquals(bytes(nat), bytes(heap), "scale " + where);
                    NormKernel.clamp(nat, d, -0.2f, 0.3f, from, n, true);
                    NormKernel.clamp(heap, d, -0.2f, 0.3f, from, n, true);
                    assertArrayEquals(bytes(nat), bytes(heap), "clamp " + where);
                }
            }
        }
    }

    @Test
    void castsGiveTheSameBitsForHeapAndNativeBuffers() {
        LoopParityHarness.assumeVectorized();
        Random rnd = new Random(12);
        for (CastKernel k : CastKernel.values()) {
            for (int n : new int[] {0, 5, 16, 33, 4096, 4096 * 2 + 17}) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment src = arena.allocate((long) n * k.from().byteSize(), 64);
                    for (int i = 0; i < n; i++) {
                        // every bit pattern of the source dtype, NaNs and subnormals included
                        if (k.from() == DType.F32) {
                            src.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, rnd.nextInt());
                        } else {
                            src.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) rnd.nextInt());
                        }
                    }
                    MemorySegment nativeOut = arena.allocate((long) n * k.to().byteSize(), 64);
                    MemorySegment heapOut = MemorySegment.ofArray(new byte[n * k.to().byteSize()]);
                    k.vector(src, nativeOut, 0, n);
                    k.vector(heapCopy(src), heapOut, 0, n);
                    assertArrayEquals(bytes(nativeOut), bytes(heapOut), k + " n=" + n);
                }
            }
        }
    }

    private static MemorySegment heapCopy(MemorySegment s) {
        return MemorySegment.ofArray(s.toArray(ValueLayout.JAVA_BYTE));
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }
}

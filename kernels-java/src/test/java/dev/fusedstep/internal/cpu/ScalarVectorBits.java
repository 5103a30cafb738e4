package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a kernel's scalar and vector loops side by side on identical random buffers and demands
 * the same bits in every output after every step. Lengths, slice offsets, the element range and
 * heap versus native memory vary per run, so every tail length and misalignment gets exercised.
 */
final class ScalarVectorBits {
    private ScalarVectorBits() {}

    static final int MAX_LENGTH = 5000;

    /** Skips the calling test, with the provider's reason, when the vector loops may not run. */
    static void assumeVectorized() {
        VectorizationProvider provider = VectorizationProvider.getInstance();
        Assumptions.assumeTrue(provider.vectorized(),
                "vector loops unavailable, nothing to compare the scalar loops with: " + provider.describe());
    }

    /** A length that hits every small tail often and the long range sometimes. */
    static int randomLength(Random rnd) {
        return rnd.nextInt(4) == 0 ? rnd.nextInt(70) : rnd.nextInt(MAX_LENGTH + 1);
    }

    /**
     * Steps {@code kernel} {@code steps} times over one random configuration of length {@code n}
     * and fails, naming {@code label}, at the first element whose bits differ.
     */
    static void check(String label, OptimizerKernel kernel, float initialState, int n, int steps, Random rnd) {
        boolean nativeMemory = rnd.nextBoolean();
        // native slices may start at any byte; heap float arrays at any element
        int byteShift = nativeMemory ? rnd.nextInt(Float.BYTES) : 0;
        int elementShift = rnd.nextInt(20);
        int from = n == 0 ? 0 : rnd.nextInt(Math.min(n, 40) + 1);
        int to = n - (n - from == 0 ? 0 : rnd.nextInt(Math.min(n - from, 40) + 1));
        String where = label + " n=" + n + " range=[" + from + "," + to + ") " + (nativeMemory ? "native" : "heap")
                + " shift=" + elementShift + " floats + " + byteShift + " bytes";
        int buffers = 2 + kernel.stateCount();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] scalarSide = new MemorySegment[buffers];
            MemorySegment[] vectorSide = new MemorySegment[buffers];
            for (int b = 0; b < buffers; b++) {
                scalarSide[b] = allocate(arena, nativeMemory, n, elementShift, byteShift);
                vectorSide[b] = allocate(arena, nativeMemory, n, elementShift, byteShift);
            }
            fill(scalarSide[0], vectorSide[0], rnd, n, 1f); // param
            for (int b = 2; b < buffers; b++) {
                for (int i = 0; i < n; i++) {
                    scalarSide[b].setAtIndex(F32.LAYOUT, i, initialState);
                    vectorSide[b].setAtIndex(F32.LAYOUT, i, initialState);
                }
            }
            MemorySegment[] scalarStates = states(scalarSide);
            MemorySegment[] vectorStates = states(vectorSide);
            float[] scalars = new float[OptimizerKernel.SCALAR_SLOTS];
            for (int step = 1; step <= steps; step++) {
                // some steps get tiny gradients, where eps decides the result
                fill(scalarSide[1], vectorSide[1], rnd, n, rnd.nextInt(4) == 0 ? 1e-6f : 1f);
                kernel.prepare(step, 1.0, scalars);
                kernel.scalar(scalars, scalarSide[0], scalarSide[1], scalarStates, from, to);
                kernel.vector(scalars, vectorSide[0], vectorSide[1], vectorStates, from, to);
                for (int b = 0; b < buffers; b++) {
                    assertSameBits(where + " step " + step + " buffer " + b, scalarSide[b], vectorSide[b], n);
                }
            }
        }
    }

    private static MemorySegment allocate(Arena arena, boolean nativeMemory, int n, int elementShift, int byteShift) {
        long offset = (long) elementShift * Float.BYTES + byteShift;
        if (nativeMemory) {
            return arena.allocate(offset + (long) n * Float.BYTES, 1).asSlice(offset, (long) n * Float.BYTES);
        }
        return MemorySegment.ofArray(new float[elementShift + n]).asSlice(offset, (long) n * Float.BYTES);
    }

    private static MemorySegment[] states(MemorySegment[] side) {
        MemorySegment[] states = new MemorySegment[side.length - 2];
        System.arraycopy(side, 2, states, 0, states.length);
        return states;
    }

    /** Same random values into both segments: mostly normal, sometimes zero, minus zero or tiny. */
    private static void fill(MemorySegment a, MemorySegment b, Random rnd, int n, float scale) {
        for (int i = 0; i < n; i++) {
            float v = switch (rnd.nextInt(40)) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> (float) rnd.nextGaussian() * 1e-30f;
                default -> (float) rnd.nextGaussian() * scale;
            };
            a.setAtIndex(F32.LAYOUT, i, v);
            b.setAtIndex(F32.LAYOUT, i, v);
        }
    }

    private static void assertSameBits(String where, MemorySegment expected, MemorySegment actual, int n) {
        for (int i = 0; i < n; i++) {
            int e = Float.floatToRawIntBits(expected.getAtIndex(F32.LAYOUT, i));
            int a = Float.floatToRawIntBits(actual.getAtIndex(F32.LAYOUT, i));
            if (e != a) {
                fail(where + ": element " + i + " scalar " + Float.intBitsToFloat(e) + " (0x" + Integer.toHexString(e)
                        + ") vector " + Float.intBitsToFloat(a) + " (0x" + Integer.toHexString(a) + ")");
            }
        }
    }
}

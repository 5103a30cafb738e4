package dev.fusedstep.cast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scalar and vector casts agree bit for bit, and F16 agrees with the JDK's IEEE conversions. */
class CastsTest {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static CpuBackend scalar;
    private static CpuBackend vector;

    @BeforeAll
    static void backends() {
        scalar = new CpuBackend(false, 2);
        vector = VectorizationProvider.getInstance().vectorized() ? new CpuBackend(true, 2) : null;
    }

    @AfterAll
    static void close() {
        scalar.close();
        if (vector != null) {
            vector.close();
        }
    }

    /** Every float32 class that matters: random over many decades, specials, ties, both half formats' edges. */
    private static float[] interestingFloats(int randomCount) {
        Random r = new Random(42);
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7F800001),
            Float.intBitsToFloat(0xFFC12345), 65504f, 65519.996f, 65520f, 65536f, -65520f, 6.1035156e-5f, 5.9604645e-8f,
            2.9802322e-8f, 2.9802326e-8f, 1.0009766f, 1.0004883f, 1.0014648f, 1.00390625f, 1.0f + 1f / 256 + 1f / 512,
            3.3895314e38f, 3.4028235e38f};
        float[] out = new float[special.length + randomCount];
        System.arraycopy(special, 0, out, 0, special.length);
        for (int i = special.length; i < out.length; i++) {
            out[i] = switch (i % 3) {
                case 0 -> Float.intBitsToFloat(r.nextInt());
                case 1 -> (float) ((r.nextBoolean() ? 1 : -1) * Math.pow(10, r.nextDouble() * 30 - 15));
                default -> (float) r.nextGaussian() * 1e-5f;
            };
        }
        return out;
    }

    @Test
    void everyHalfPatternDecodesLikeTheJdkAndTheVectorLoop() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            float[] s = new float[all.length];
            Casts.convert(scalar, Tensor.of(MemorySegment.ofArray(all), half), Tensor.of(s));
            for (int i = 0; i < all.length; i++) {
                float expected = half == DType.F16 ? Float.float16ToFloat(all[i]) : Float.intBitsToFloat(i << 16);
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(s[i]), half + " pattern " + Integer.toHexString(i) + " must decode to NaN");
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(s[i]),
                            half + " pattern 0x" + Integer.toHexString(i));
                }
            }
            if (vector != null) {
                float[] v = new float[all.length];
                Casts.convert(vector, Tensor.of(MemorySegment.ofArray(all), half), Tensor.of(v));
                for (int i = 0; i < all.length; i++) {
                    assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(v[i]), half + " vector, pattern " + i);
                }
            }
        }
    }

    @Test
    void encodingToF16RoundsLikeTheJdk() {
        float[] in = interestingFloats(1_000_000);
        short[] out = new short[in.length];
        Casts.convert(scalar, Tensor.of(in), Tensor.of(MemorySegment.ofArray(out), DType.F16));
        for (int i = 0; i < in.length; i++) {
            short expected = Float.floatToFloat16(in[i]);
            if (Float.isNaN(in[i])) {
                assertTrue(Float.isNaN(Float.float16ToFloat(out[i])), "NaN encodes to a NaN");
            } else {
                assertEquals(expected, out[i], "F16 of " + in[i]);
            }
        }
    }

    @Test
    void encodingToBf16RoundsToNearestEven() {
        float[] in = interestingFloats(1_000_000);
        short[] out = new short[in.length];
        Casts.convert(scalar, Tensor.of(in), Tensor.of(MemorySegment.ofArray(out), DType.BF16));
        for (int i = 0; i < in.length; i++) {
            if (Float.isNaN(in[i])) {
                assertEquals((short) 0x7FC0, out[i]);
                continue;
            }
            if (Float.isInfinite(in[i])) {
                assertEquals(Float.floatToRawIntBits(in[i]) >>> 16, out[i] & 0xFFFF);
                continue;
            }
            // Nearest of the two bf16 neighbours by exact double arithmetic, ties to the even one.
            int bits = Float.floatToRawIntBits(in[i]);
            int down = bits >>> 16, up = down + 1;
            double x = in[i], a = Float.intBitsToFloat(down << 16), b = Float.intBitsToFloat(up << 16);
            if (Float.isInfinite((float) b)) {
                b = Math.copySign(Math.scalb(1.0, 128), b); // IEEE rounds past the largest finite as if 2^128 were next
            }
            double da = Math.abs(x - a), db = Math.abs(x - b);
            int expected = da < db ? down : db < da ? up : ((down & 1) == 0 ? down : up);
            assertEquals(expected & 0xFFFF, out[i] & 0xFFFF, "BF16 of " + in[i]);
        }
    }

    @Test
    void vectorEncodingMatchesScalarForEveryTailAndOffset() {
        assumeTrue(vector != null, "the Vector API is not in use in this JVM: " + VectorizationProvider.getInstance().describe());
        float[] in = interestingFloats(5000);
        Random r = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            for (int trial = 0; trial < 200; trial++) {
                int n = r.nextInt(in.length - 40), offset = r.nextInt(16);
                MemorySegment src = trial % 2 == 0 ? MemorySegment.ofArray(in) : arena.allocate(in.length * 4L, 64).copyFrom(MemorySegment.ofArray(in));
                Tensor s = Tensor.of(src.asSlice(offset * 4L, n * 4L), DType.F32);
                for (DType half : new DType[] {DType.F16, DType.BF16}) {
                    MemorySegment a = arena.allocate(n * 2L + 2).asSlice(1, n * 2L), b = arena.allocate(n * 2L + 2).asSlice(1, n * 2L);
                    Casts.convert(scalar, s, Tensor.of(a, half));
                    Casts.convert(vector, s, Tensor.of(b, half));
                    for (int i = 0; i < n; i++) {
                        assertEquals(a.getAtIndex(HALF, i), b.getAtIndex(HALF, i), half + " element " + i + " of " + n);
                    }
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeWriting() {
        float[] src = {1, 2, 3};
        short[] dst = {7, 7};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Casts.convert(Tensor.of(src), Tensor.of(MemorySegment.ofArray(dst), DType.BF16)));
        assertTrue(e.getMessage().contains("dst: got 2 elements, expected 3"), e.getMessage());
        assertEquals(7, dst[0]);
        short[] ro = new short[3];
        e = assertThrows(IllegalArgumentException.class,
                () -> Casts.convert(Tensor.of(src), Tensor.of(MemorySegment.ofArray(ro).asReadOnly(), DType.F16)));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    }
}

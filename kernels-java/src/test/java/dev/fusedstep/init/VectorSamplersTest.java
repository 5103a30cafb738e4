package dev.fusedstep.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Vector API samplers give the scalar samplers' bits: the building blocks over every input
 * Box-Muller can give them, the samplers at odd starts and lengths (the truncated normal with
 * central, one-sided, far-tail and unbounded bounds), and whole initializers for every dtype,
 * thread count and an unaligned tensor.
 */
class VectorSamplersTest {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @BeforeAll
    static void vectorApi() {
        assumeTrue(VectorizationProvider.getInstance().vectorized(), "the Vector API is not in use");
    }

    /** Each sampler's twin against its scalar source, at starts inside a block and lengths around the vector width. */
    @Test
    void twinsMatchTheirScalarSourcesAtOddStartsAndLengths() {
        RandomStream rng = new RandomStream(0x5eed_5eed_5eedL, -9);
        Samplers.ChunkSource[] sources = {
            Samplers.uniform(rng, -2f, 3f), Samplers.uniform(rng, 0f, 1f), Samplers.uniform(rng, 1e-3f, 1e-3f),
            Samplers.normal(rng, 0.5f, 2f), Samplers.normal(rng, 0f, 0f), Samplers.normal(RandomStream.of(0), 0f, 1f),
            Samplers.constant(-1.25f), Samplers.truncNormal(rng, 0, 1, -2, 2), Samplers.truncNormal(rng, 0, 1, 3, 5),
            Samplers.truncNormal(rng, 0, 0.02, Double.NEGATIVE_INFINITY, 0.01), Samplers.truncNormal(rng, 1, 0.5, -0.25, 1.75),
            Samplers.truncNormal(rng, 0, 1, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
            Samplers.truncNormal(RandomStream.of(0), -3, 2, 30, 31)};
        long[] starts = {0, 1, 2, 3, 5, 4L * 1_000_003 + 1, (1L << 34) + 3, (1L << 32) * 4 - 9};
        int[] lengths = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 35, 63, 64, 65, 1000, 4099};
        for (Samplers.ChunkSource source : sources) {
            Samplers.SegmentSource twin = source.vectorTwin();
            for (long from : starts) {
                for (int len : lengths) {
                    float[] expected = new float[len];
                    source.generate(from, expected, len);
                    MemorySegment out = MemorySegment.ofArray(new float[len]);
                    twin.generate(from, out, len);
                    assertArrayEquals(bits(expected), bits(out.toArray(FLOAT)), "from " + from + " len " + len);
                }
            }
        }
    }

    private interface Call {
        void run(CpuBackend backend, Tensor t);
    }

    /** Whole initializers: vector backends on 1-3 threads give the scalar backend's bytes, for every dtype. */
    @Test
    void initializersMatchTheScalarBackend() {
        RandomStream rng = new RandomStream(77, 3);
        Call[] calls = {
            (b, t) -> Init.uniform(b, t, -0.5, 0.25, rng),
            (b, t) -> Init.normal(b, t, 1, 3, rng),
            (b, t) -> Fill.run(b, t, Samplers.constant(0.1f)),
            (b, t) -> Init.truncNormal(b, t, 0, 1, -2, 2, rng),
            (b, t) -> Init.truncNormal(b, t, 0, 1, 3, 5, rng),
            (b, t) -> Init.truncNormal(b, t, 0, 0.02, Double.NEGATIVE_INFINITY, 0.01, rng),
        };
        long[] sizes = {1, 17, CpuBackend.CHUNK + 5, 2L * CpuBackend.CHUNK + 2049};
        try (Arena arena = Arena.ofShared()) {
            CpuBackend scalar = new CpuBackend(false, 1);
            CpuBackend[] vector = {new CpuBackend(true, 1), new CpuBackend(true, 2), new CpuBackend(true, 3)};
            for (Call call : calls) {
                for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                    for (long n : sizes) {
                        // one byte in: an unaligned tensor
                        MemorySegment raw = arena.allocate(n * dtype.byteSize() + 1, 64);
                        Tensor t = Tensor.of(raw.asSlice(1, n * dtype.byteSize()), dtype);
                        call.run(scalar, t);
                        byte[] expected = t.segment().toArray(ValueLayout.JAVA_BYTE);
                        for (CpuBackend backend : vector) {
                            t.segment().fill((byte) 0x5a);
                            call.run(backend, t);
                            assertArrayEquals(expected, t.segment().toArray(ValueLayout.JAVA_BYTE),
                                    dtype + " n " + n + " threads " + backend.threads());
                        }
                    }
                }
            }
            scalar.close();
            for (CpuBackend b : vector) {
                b.close();
            }
        }
    }

    @Test
    void logOnEveryUniform() {
        Lanes.logOnEveryUniform();
    }

    @Test
    void cosAndSinOnEveryTurn() {
        Lanes.cosAndSinOnEveryTurn();
    }

    @Test
    void philoxWordsInElementOrder() {
        Lanes.philoxWordsInElementOrder();
    }

    /** The checks that name vector types, apart so that a JVM without the Vector API can load this class. */
    private static final class Lanes {
        private static final int LANES = VectorPhilox.ELEMENTS;

        /** Box-Muller's u1 takes the 2^24 values (k + 1) 2^-24: the vector log matches on all of them. */
        static void logOnEveryUniform() {
            float[] u = new float[LANES];
            float[] got = new float[LANES];
            for (int base = 0; base < 1 << 24; base += LANES) {
                for (int j = 0; j < LANES; j++) {
                    u[j] = (base + j + 1) * 0x1p-24f;
                }
                VectorSamplers.log(jdk.incubator.vector.FloatVector.fromArray(
                        VectorPhilox.I.withLanes(float.class), u, 0)).intoArray(got, 0);
                for (int j = 0; j < LANES; j++) {
                    if (Float.floatToRawIntBits(got[j]) != Float.floatToRawIntBits(Float32Math.log(u[j]))) {
                        assertEquals(Float32Math.log(u[j]), got[j], "log(" + u[j] + ")");
                    }
                }
            }
        }

        /** The angle takes the 2^24 values t 2^-24: the vector cosine and sine match on all. */
        static void cosAndSinOnEveryTurn() {
            int[] turns = new int[LANES];
            float[] cos = new float[LANES];
            float[] sin = new float[LANES];
            for (int base = 0; base < 1 << 24; base += LANES) {
                for (int j = 0; j < LANES; j++) {
                    turns[j] = base + j;
                }
                IntVector t = IntVector.fromArray(VectorPhilox.I, turns, 0);
                VectorSamplers.cos2pi(t).intoArray(cos, 0);
                VectorSamplers.sin2pi(t).intoArray(sin, 0);
                for (int j = 0; j < LANES; j++) {
                    if (Float.floatToRawIntBits(cos[j]) != Float.floatToRawIntBits(Float32Math.cos2pi(turns[j]))
                            || Float.floatToRawIntBits(sin[j]) != Float.floatToRawIntBits(Float32Math.sin2pi(turns[j]))) {
                        assertEquals(Float32Math.cos2pi(turns[j]), cos[j], "cos2pi(" + turns[j] + ")");
                        assertEquals(Float32Math.sin2pi(turns[j]), sin[j], "sin2pi(" + turns[j] + ")");
                    }
                }
            }
        }

        /** The vector Philox words of many counters are the scalar blocks: words 0 and 2 in firsts, 1 and 3 in seconds. */
        static void philoxWordsInElementOrder() {
            long[] seeds = {0, -1, 0x299f31d0_a4093822L, 42};
            long[] streams = {0, -1, 0x03707344_13198a2eL, 7};
            long[] groups = {0, 1, 0xFFFF_FFFFL - 1, 0x85a308d3_243f6a88L, -3};
            int count = 2 * VectorPhilox.WORDS; // two steps: the counter advances between them
            int[] firsts = new int[count / 2];
            int[] seconds = new int[count / 2];
            int[] keys = new int[VectorPhilox.KEYS];
            int[] block = new int[4];
            for (long seed : seeds) {
                VectorPhilox.roundKeys(seed, keys);
                for (long stream : streams) {
                    for (long group : groups) {
                        VectorPhilox.words(keys, stream, group, firsts, seconds, count);
                        for (int g = 0; g < count / 4; g++) {
                            Philox4x32.group(seed, stream, group + g, block);
                            int[] got = {firsts[2 * g], seconds[2 * g], firsts[2 * g + 1], seconds[2 * g + 1]};
                            for (int j = 0; j < 4; j++) {
                                assertEquals(block[j], got[j], "seed " + seed + " stream " + stream + " group "
                                        + (group + g) + " word " + j);
                            }
                        }
                    }
                }
            }
        }
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}

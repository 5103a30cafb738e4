package dev.fusedstep.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same bits for 1, 2 and 3 threads, scalar or vector backends, and for any split of the index
 * range: each element equals what a one-element generation at its index gives.
 */
class DeterminismTest {
    /** Three full chunks and an odd tail, so chunks and Philox blocks both end mid-way. */
    private static final long N = 3L * CpuBackend.CHUNK + 4099;
    private static final List<CpuBackend> BACKENDS = new ArrayList<>();

    @BeforeAll
    static void backends() {
        for (int threads = 1; threads <= 3; threads++) {
            BACKENDS.add(new CpuBackend(false, threads));
            if (VectorizationProvider.getInstance().vectorized()) {
                BACKENDS.add(new CpuBackend(true, threads));
            }
        }
    }

    @AfterAll
    static void close() {
        BACKENDS.forEach(CpuBackend::close);
    }

    private interface Call {
        void run(CpuBackend backend, Tensor t, RandomStream rng);
    }

    private static final Call[] CALLS = {
        (b, t, r) -> Init.uniform(b, t, -2, 3, r),
        (b, t, r) -> Init.normal(b, t, 0.5, 2, r),
        (b, t, r) -> Init.truncNormal(b, t, 0, 1, -2, 2, r),
    };

    @Test
    void sameBitsForEveryThreadCountAndDtype() {
        RandomStream rng = new RandomStream(0x1234_5678_9abc_def0L, 42);
        try (Arena arena = Arena.ofShared()) {
            for (int c = 0; c < CALLS.length; c++) {
                for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                    byte[] reference = null;
                    for (CpuBackend backend : BACKENDS) {
                        Tensor t = Tensor.allocate(arena, dtype, N);
                        CALLS[c].run(backend, t, rng);
                        byte[] bits = t.segment().toArray(ValueLayout.JAVA_BYTE);
                        if (reference == null) {
                            reference = bits;
                        } else {
                            assertArrayEquals(reference, bits, "call " + c + " " + dtype + " on " + backend.threads()
                                    + " threads, vectorized " + backend.vectorized());
                        }
                    }
                }
            }
        }
    }

    @Test
    void eachElementDependsOnlyOnItsIndex() {
        RandomStream rng = new RandomStream(-7, 3);
        Samplers.ChunkSource[] sources = {
            Samplers.uniform(rng, -2f, 3f), Samplers.normal(rng, 0.5f, 2f), Samplers.truncNormal(rng, 0, 1, -2, 2)};
        for (Samplers.ChunkSource source : sources) {
            float[] whole = new float[4099];
            source.generate(1_000_001, whole, whole.length); // starts mid-block
            float[] one = new float[1];
            for (int i = 0; i < whole.length; i += 13) {
                source.generate(1_000_001 + i, one, 1);
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(one[0]), "element " + i);
            }
        }
    }

    /** Pinned values: a change of formula anywhere (Philox, Box-Muller, erfinv) shows up here first. */
    @Test
    void pinnedValues() {
        float[] u = new float[4], z = new float[4];
        Samplers.uniform(RandomStream.of(0), 0f, 1f).generate(0, u, 4);
        // Philox(key 0, counter 0) = 6627e8d5 e169c58d bc57ac4c 9b00dbd8; u = (w >>> 8) / 2^24
        assertArrayEquals(new float[] {0x6627e8 * 0x1p-24f, 0xe169c5 * 0x1p-24f, 0xbc57ac * 0x1p-24f, 0x9b00db * 0x1p-24f}, u);
        Samplers.normal(RandomStream.of(0), 0f, 1f).generate(0, z, 4);
        double r = Math.sqrt(-2 * Math.log((0x6627e8 + 1) * 0x1p-24));
        double theta = 2 * Math.PI * 0xe169c5 * 0x1p-24;
        assertEquals(r * Math.cos(theta), z[0], 1e-6);
        assertEquals(r * Math.sin(theta), z[1], 1e-6);
    }
}

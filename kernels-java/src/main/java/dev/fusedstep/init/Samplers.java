package dev.fusedstep.init;

/**
 * The per-element sampling formulas. Element {@code i} uses word {@code i % 4} of the Philox
 * block for counter {@code (i / 4, stream)} (the normal uses the words in pairs), so its value
 * depends only on (seed, stream, i). Each formula is written down once here; the GPU twin,
 * native/src/main/cuda/tensor/init.cu, follows the same operations in the same order (checked
 * bit for bit by HostEmulationInitTest and, on a GPU, CudaInitTest): change both together.
 */
final class Samplers {
    private Samplers() {}

    /** Fills {@code out[0..len)} with the values of elements {@code [from, from + len)}. */
    interface ChunkSource {
        void generate(long from, float[] out, int len);

        /**
         * The Vector API twin of {@link #generate} (the same bits), or null if there is none. Call
         * it only when the Vector API is in use: it loads the vector classes.
         */
        default SegmentSource vectorTwin() {
            return null;
        }
    }

    /** Writes the float32 values of elements {@code [from, from + len)} to {@code out} from byte 0, little-endian. */
    interface SegmentSource {
        void generate(long from, java.lang.foreign.MemorySegment out, int len);
    }

    /** A source computing the four values of one Philox block at a time. */
    private abstract static class BlockSource implements ChunkSource {
        final long seed;
        final long stream;

        BlockSource(RandomStream rng) {
            this.seed = rng.seed();
            this.stream = rng.stream();
        }

        abstract void values(int[] words, float[] out4);

        @Override
        public final void generate(long from, float[] out, int len) {
            int[] words = new int[4];
            float[] four = new float[4];
            long end = from + len;
            long g = from >>> 2;
            if ((from & 3) != 0) { // a partial block at the start
                g = partial(g, from, end, words, four, out);
            }
            for (int at = (int) ((g << 2) - from); at + 4 <= len; at += 4, g++) {
                Philox4x32.group(seed, stream, g, words);
                values(words, four);
                System.arraycopy(four, 0, out, at, 4);
            }
            if ((g << 2) < end) { // a partial block at the end
                partial(g, from, end, words, four, out);
            }
        }

        private long partial(long g, long from, long end, int[] words, float[] four, float[] out) {
            Philox4x32.group(seed, stream, g, words);
            values(words, four);
            for (int j = 0; j < 4; j++) {
                long i = (g << 2) + j;
                if (i >= from && i < end) {
                    out[(int) (i - from)] = four[j];
                }
            }
            return g + 1;
        }
    }

    /** The 24 high bits of a word as a float in [0, 1): {@code (w >>> 8) * 2^-24}, exact. */
    static float unit(int word) {
        return (word >>> 8) * 0x1p-24f;
    }

    /**
     * Uniform on [a, b): {@code v = fma(u, b - a, a)} in float32 with {@code u = unit(word)} and
     * {@code b - a} rounded to float once; a {@code v} that rounds up to {@code b} becomes {@code a}
     * (as PyTorch's CUDA uniform does), keeping the interval half-open.
     */
    static ChunkSource uniform(RandomStream rng, float a, float b) {
        float range = b - a;
        return new BlockSource(rng) {
            @Override
            void values(int[] w, float[] out) {
                for (int j = 0; j < 4; j++) {
                    float v = Math.fma(unit(w[j]), range, a);
                    out[j] = v >= b ? a : v;
                }
            }

            @Override
            public SegmentSource vectorTwin() {
                return (from, out, len) -> VectorSamplers.uniform(this, seed, stream, a, b, from, out, len);
            }
        };
    }

    /**
     * Normal by Box-Muller in float32, words (0, 1) giving elements 0 and 1 of the block and words
     * (2, 3) elements 2 and 3: {@code u1 = ((w0 >>> 8) + 1) 2^-24} in (0, 1],
     * {@code r = sqrt(-2 log(u1))} (correctly rounded sqrt, {@link Float32Math#log}),
     * {@code z0 = r cos(2 pi t)}, {@code z1 = r sin(2 pi t)} with {@code t = (w1 >>> 8) 2^-24}
     * ({@link Float32Math#cos2pi}), then {@code fma(z, std, mean)}. The 24-bit uniforms cap
     * |z| at sqrt(2 ln 2^24) = 5.77.
     */
    static ChunkSource normal(RandomStream rng, float mean, float std) {
        return new BlockSource(rng) {
            @Override
            void values(int[] w, float[] out) {
                pair(w[0], w[1], mean, std, out, 0);
                pair(w[2], w[3], mean, std, out, 2);
            }

            @Override
            public SegmentSource vectorTwin() {
                return (from, out, len) -> VectorSamplers.normal(this, seed, stream, mean, std, from, out, len);
            }
        };
    }

    static void pair(int w0, int w1, float mean, float std, float[] out, int at) {
        float u1 = ((w0 >>> 8) + 1) * 0x1p-24f;
        float r = (float) Math.sqrt(-2f * Float32Math.log(u1));
        int t = w1 >>> 8;
        out[at] = Math.fma(r * Float32Math.cos2pi(t), std, mean);
        out[at + 1] = Math.fma(r * Float32Math.sin2pi(t), std, mean);
    }

    /**
     * Truncated normal, PyTorch's method in double with the quantile in one step:
     * {@code lo = erf((a - mean) / (std sqrt 2))}, {@code hi = erf((b - mean) / (std sqrt 2))}
     * (2 Phi - 1 at the standardized bounds, {@link Erf#erf}), {@code v = fma(u, hi - lo, lo)}
     * with {@code u = unit(word)} as a double, {@code z = NormalQuantile.ofErf(v)} (that is
     * sqrt(2) erfinv(v)), {@code x = fma(z, std, mean)}, clamped to [a, b], rounded to float.
     */
    static ChunkSource truncNormal(RandomStream rng, double mean, double std, double a, double b) {
        Truncation t = Truncation.of(mean, std, a, b);
        return new BlockSource(rng) {
            @Override
            void values(int[] w, float[] out) {
                for (int j = 0; j < 4; j++) {
                    out[j] = t.value(unit(w[j]));
                }
            }

            @Override
            public SegmentSource vectorTwin() {
                return (from, out, len) -> VectorSamplers.truncNormal(this, seed, stream, t, from, out, len);
            }
        };
    }

    /** The truncated normal's per-call constants: the bounds in erf space ({@code lo}, {@code width = hi - lo}). */
    record Truncation(double mean, double std, double a, double b, double lo, double width) {
        static Truncation of(double mean, double std, double a, double b) {
            double scale = std * Math.sqrt(2.0);
            double lo = Erf.erf((a - mean) / scale);
            double hi = Erf.erf((b - mean) / scale);
            return new Truncation(mean, std, a, b, lo, hi - lo);
        }

        /** The sample for the uniform {@code u} in [0, 1). */
        float value(float u) {
            double z = NormalQuantile.ofErf(Math.fma(u, width, lo));
            return (float) Math.min(Math.max(Math.fma(z, std, mean), a), b);
        }
    }

    /** Every element {@code value}. */
    static ChunkSource constant(float value) {
        return new ChunkSource() {
            @Override
            public void generate(long from, float[] out, int len) {
                java.util.Arrays.fill(out, 0, len, value);
            }

            @Override
            public SegmentSource vectorTwin() {
                return (from, out, len) -> VectorSamplers.constant(value, out, len);
            }
        };
    }
}

package dev.fusedstep.init;

/**
 * The counter-based generator Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3", SC 2011; the generator of cuRAND and of PyTorch on CUDA): ten rounds of two 32x32->64
 * multiplications over a 128-bit counter under a 64-bit key. Its output depends only on the key
 * and the counter, so any element can be drawn on its own, by any thread, on any device.
 *
 * <p>The initializers use key = the seed (low word first) and counter = (element index / 4 as a
 * 64-bit value in words 0-1, the stream in words 2-3); element {@code i} takes word {@code i % 4}.
 */
public final class Philox4x32 {
    private Philox4x32() {}

    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    /** Key increments (Weyl sequence): the golden ratio and sqrt(3) - 1, as 32-bit fractions. */
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    private static final long MASK = 0xFFFFFFFFL;

    /**
     * Philox4x32-10 of counter {@code (c0, c1, c2, c3)} under key {@code (k0, k1)}, written into
     * {@code out[0..3]}.
     */
    public static void block(int k0, int k1, int c0, int c1, int c2, int c3, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & MASK) * (c0 & MASK);
            long p1 = (M1 & MASK) * (c2 & MASK);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The four words for elements {@code 4*group .. 4*group+3} of {@code stream} under {@code seed}. */
    public static void group(long seed, long stream, long group, int[] out) {
        block((int) seed, (int) (seed >>> 32), (int) group, (int) (group >>> 32), (int) stream, (int) (stream >>> 32), out);
    }
}

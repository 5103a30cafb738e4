package dev.fusedstep.init;

import static dev.fusedstep.init.Philox4x32.M0;
import static dev.fusedstep.init.Philox4x32.M1;
import static dev.fusedstep.init.Philox4x32.W0;
import static dev.fusedstep.init.Philox4x32.W1;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Philox4x32} on Vector API lanes, the same bits. Loaded only when the Vector API is in
 * use.
 *
 * <p>A Philox block is held in two adjacent 64-bit lanes: the even lane is {@code c0 | c1 << 32},
 * the odd one {@code c2 | c3 << 32}. Read as 32-bit lanes that is {@code c0 c1 c2 c3} in order,
 * so after the rounds a vector holds the words of consecutive elements exactly as they lie in
 * memory: no transpose. The initial counter is then simply the group index (even lane) and the
 * stream (odd lane). One round is
 * <pre>
 *   p = lo32(lane) * (M0 | M1)                         32x32 -> 64-bit
 *   q = p as ints, each 4-int block reversed            (p1hi p1lo p0hi p0lo): the pair swap and
 *                                                        the hi/lo swap in one permute
 *   lane = q ^ (lane >>> 32) ^ (k0 | k1)                low word: hi(p) ^ c1 ^ k0; high word: lo(p)
 * </pre>
 * which is the scalar round: {@code c0' = hi(p1) ^ c1 ^ k0, c1' = lo(p1), c2' = hi(p0) ^ c3 ^ k1,
 * c3' = lo(p0)}.
 */
final class VectorPhilox {
    private VectorPhilox() {}

    static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(L.vectorShape());
    /** Philox blocks per vector. */
    static final int GROUPS = L.length() / 2;
    /** Elements (32-bit words) per vector. */
    static final int ELEMENTS = I.length();

    private static final long LOW = 0xFFFFFFFFL;
    private static final VectorMask<Long> EVEN = VectorMask.fromLong(L, 0x5555_5555_5555_5555L);
    /** Within each 4-int block: 3 2 1 0. */
    static final VectorShuffle<Integer> REVERSE4 = VectorShuffle.fromOp(I, i -> (i & ~3) | (3 - (i & 3)));

    /** {@code even} in the even lanes, {@code odd} in the odd ones. */
    static LongVector pairs(long even, long odd) {
        return LongVector.broadcast(L, odd).blend(even, EVEN);
    }

    /** The multipliers, as each lane's low word meets them. */
    static LongVector multipliers() {
        return pairs(M0 & LOW, M1 & LOW);
    }

    /** The key of round 0: {@code k0 | k1} in each pair of 32-bit words. */
    static IntVector key(long seed) {
        return pairs((int) seed & LOW, (int) (seed >>> 32) & LOW).reinterpretAsInts();
    }

    /**
     * What the key advances by from round to round, added as 32-bit lanes so that each key word
     * wraps on its own (the high words stay 0).
     */
    static IntVector weyl() {
        return pairs(W0 & LOW, W1 & LOW).reinterpretAsInts();
    }

    /** The counters of groups {@code group .. group + GROUPS - 1} of {@code stream}. */
    static LongVector counters(long group, long stream) {
        LongVector groups = LongVector.broadcast(L, group).add(LongVector.zero(L).addIndex(1).lanewise(VectorOperators.LSHR, 1));
        return LongVector.broadcast(L, stream).blend(groups, EVEN);
    }

    /** What {@link #counters} advances by from one vector to the next. */
    static LongVector counterStep() {
        return pairs(GROUPS, 0);
    }

    /**
     * The ten rounds over counter {@code x}. A loop, not ten calls: C2 parses a Vector API call
     * into many nodes before it intrinsifies them, and ten unrolled rounds (plus a sampler) pass
     * its inlining node budget, which boxes every vector; the loop is parsed once and unrolled
     * after intrinsification.
     */
    static IntVector words(LongVector x, LongVector m, IntVector key, IntVector weyl) {
        // Both factors visibly zero-extended (m already is; its mask is hoisted): the shape for
        // which C2 may emit one vpmuludq instead of vpmullq (JDK-8341137), 1 uop instead of 3 on
        // Intel. Neutral on AMD Zen 4, where this was measured.
        LongVector m32 = m.and(LOW);
        IntVector k = key;
        for (int round = 0; round < 10; round++) {
            LongVector p = x.and(LOW).mul(m32);
            IntVector q = p.reinterpretAsInts().rearrange(REVERSE4);
            x = q.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 32).reinterpretAsInts())
                    .lanewise(VectorOperators.XOR, k)
                    .reinterpretAsLongs();
            k = k.add(weyl);
        }
        return x.reinterpretAsInts();
    }
}

package dev.fusedstep.init;

import static dev.fusedstep.init.Philox4x32.M0;
import static dev.fusedstep.init.Philox4x32.M1;
import static dev.fusedstep.init.Philox4x32.W0;
import static dev.fusedstep.init.Philox4x32.W1;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Philox4x32} on Vector API lanes, the same bits. Loaded only when the Vector API is in
 * use.
 *
 * <p>One 64-bit lane per Philox block, each counter word in a vector of its own (c0, c1, c2, c3
 * in the low 32 bits of their lanes): a round is then two 64-bit multiplies, two shifts and two
 * (masked) xors for {@link #BLOCKS} blocks, with no permute. One round is
 * <pre>
 *   p0 = c0 * M0,  p1 = c2 * M1                        c0, c2 < 2^32: exact 32x32 -> 64-bit products
 *   c0 = (p1 >>> 32) ^ c1 ^ k0,  c1 = p1,  c2 = (p0 >>> 32) ^ c3 ^ k1,  c3 = p0
 * </pre>
 * where c1 and c3 keep the products' high words above their low ones (only their low words are
 * read) and c0, c2 are kept below 2^32 by {@link #highXor}. An earlier layout held a block in two
 * adjacent lanes and swapped words with a permute every round; it did about 1.8x the vector work
 * per word (measured 9.6 against 5.6 ms for 16M words on one Zen 4 core).
 *
 * <p>The words come out split by pair, as Box-Muller takes them: {@code firsts} holds words 0
 * and 2 of each block (in that order, block after block), {@code seconds} words 1 and 3. Element
 * order, word {@code i % 4} of block {@code i / 4}, interleaves the two.
 */
final class VectorPhilox {
    private VectorPhilox() {}

    static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(L.vectorShape());
    /** Int lanes per vector. */
    static final int ELEMENTS = I.length();
    /** Philox blocks per step of {@link #words}: one per 64-bit lane. */
    static final int BLOCKS = L.length();
    /** Words per step of {@link #words}: a vector of firsts and one of seconds. */
    static final int WORDS = 4 * BLOCKS;
    /** Length of a {@link #roundKeys} array: k0 of round r at r, k1 at {@code ROUNDS + r}. */
    static final int KEYS = 20;

    private static final int ROUNDS = 10;
    private static final long LOW = 0xFFFFFFFFL;
    private static final LongVector IOTA = LongVector.zero(L).addIndex(1);
    /** The low word of every 64-bit lane, as int lanes. */
    private static final VectorMask<Integer> LOW_WORDS = VectorMask.fromLong(I, 0x5555_5555_5555_5555L);

    /**
     * The key words of every round under {@code seed} into {@code keys}. Ints, so that C2
     * broadcasts each from memory straight into the int lanes {@link #highXor} works in.
     */
    static void roundKeys(long seed, int[] keys) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int r = 0; r < ROUNDS; r++) {
            keys[r] = k0;
            keys[ROUNDS + r] = k1;
            k0 += W0;
            k1 += W1;
        }
    }

    /**
     * The words of blocks {@code group .. group + count / 4 - 1} of {@code stream}: words 0 and 2
     * of each into {@code firsts[0 .. count / 2)}, words 1 and 3 into {@code seconds}; count a
     * multiple of {@link #WORDS}. The rounds are a loop: C2 parses a Vector API call into many
     * nodes before it intrinsifies them, and ten unrolled rounds pass its inlining node budget,
     * which boxes every vector; the loop is parsed once and unrolled after intrinsification.
     */
    static void words(int[] keys, long stream, long group, int[] firsts, int[] seconds, int count) {
        LongVector m0 = LongVector.broadcast(L, M0 & LOW), m1 = LongVector.broadcast(L, M1 & LOW);
        // Round 0 multiplies the stream word c2, the same in every block: its product, and the
        // words it gives c0 and c2 with the keys, are computed once.
        long p1First = (stream & LOW) * (M1 & LOW);
        LongVector c1First = LongVector.broadcast(L, p1First);
        LongVector c0Key = LongVector.broadcast(L, (p1First >>> 32) ^ (keys[0] & LOW));
        LongVector c2Key = LongVector.broadcast(L, (stream >>> 32) ^ (keys[ROUNDS] & LOW));
        LongVector g = LongVector.broadcast(L, group).add(IOTA);
        for (int at = 0; at < count / 2; at += ELEMENTS) {
            LongVector p0 = g.and(LOW).mul(m0);
            LongVector c0 = g.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c0Key);
            LongVector c2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c2Key);
            LongVector c1 = c1First, c3 = p0;
            for (int r = 1; r < ROUNDS; r++) {
                p0 = c0.mul(m0);
                LongVector p1 = c2.mul(m1);
                c0 = highXor(p1, c1, keys[r]);
                c2 = highXor(p0, c3, keys[ROUNDS + r]);
                c1 = p1;
                c3 = p0;
            }
            lowWords(c0, c2).intoArray(firsts, at);
            lowWords(c1, c3).intoArray(seconds, at);
            g = g.add(BLOCKS);
        }
    }

    /**
     * {@code (p >>> 32) ^ c ^ k} in the low words, 0 in the high ones: the xor is masked to the
     * low (even) int lanes and the others keep the shift's zeros, so the next multiply needs no
     * mask of its own (one instruction less per product than masking with {@code and}; 1.2x
     * measured). Both xors are on int lanes, the key broadcast to every one: C2 then fuses them
     * into one masked three-way xor ({@code vpternlogd} under the mask); with the inner xor on
     * long lanes it kept two instructions.
     */
    private static LongVector highXor(LongVector p, LongVector c, int k) {
        IntVector shifted = p.lanewise(VectorOperators.LSHR, 32).reinterpretAsInts();
        IntVector keyed = c.reinterpretAsInts().lanewise(VectorOperators.XOR, k);
        return shifted.lanewise(VectorOperators.XOR, keyed, LOW_WORDS).reinterpretAsLongs();
    }

    /** The low words of {@code a} and {@code b} alternating, lane by lane: a0 b0 a1 b1 ... */
    private static IntVector lowWords(LongVector a, LongVector b) {
        return a.and(LOW).or(b.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts();
    }
}

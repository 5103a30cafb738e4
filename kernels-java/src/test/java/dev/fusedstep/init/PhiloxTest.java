package dev.fusedstep.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** Known-answer vectors of Philox4x32-10 from Random123's kat_vectors. */
class PhiloxTest {

    private static int[] block(int k0, int k1, int c0, int c1, int c2, int c3) {
        int[] out = new int[4];
        Philox4x32.block(k0, k1, c0, c1, c2, c3, out);
        return out;
    }

    @Test
    void zeroKeyAndCounter() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, block(0, 0, 0, 0, 0, 0));
    }

    @Test
    void allOnes() {
        int f = 0xffffffff;
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, block(f, f, f, f, f, f));
    }

    @Test
    void digitsOfPi() {
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                block(0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344));
    }

    @Test
    void groupMapsSeedAndCountersToWords() {
        int[] viaGroup = new int[4];
        long seed = 0x299f31d0_a4093822L;
        long stream = 0x03707344_13198a2eL;
        long group = 0x85a308d3_243f6a88L;
        Philox4x32.group(seed, stream, group, viaGroup);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, viaGroup);
        int[] other = new int[4];
        Philox4x32.group(seed, stream + 1, group, other);
        assertNotEquals(viaGroup[0], other[0]);
    }
}

package dev.fusedstep.internal.vectorization;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;

/**
 * The Vector API kernels. Created only reflectively, after the module check; the constructor
 * refuses (and the lookup falls back to scalar) where vectors would be slower than scalars.
 */
final class PanamaVectorizationProvider extends VectorizationProvider {
    private final int bits;

    PanamaVectorizationProvider() {
        bits = VectorShape.preferredShape().vectorBitSize();
        if (bits < 128) {
            throw new UnsupportedOperationException("the preferred vector size is " + bits + " bits, below 128");
        }
        if (FloatVector.SPECIES_PREFERRED.vectorBitSize() != bits) {
            throw new UnsupportedOperationException("the preferred float species disagrees with the preferred shape");
        }
    }

    @Override
    public boolean vectorized() {
        return true;
    }

    @Override
    public int floatLanes() {
        return bits / Float.SIZE;
    }

    @Override
    public String describe() {
        return "Vector API kernels, " + bits + "-bit vectors (" + floatLanes() + " float lanes)";
    }
}

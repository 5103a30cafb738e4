package dev.fusedstep.internal.cpu;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API constants for the vector loops. Only the nested {@code Vectorized} classes of the
 * kernels touch this class, so it is initialized only once the provider has found
 * {@code jdk.incubator.vector} in the module graph.
 */
final class Lanes {
    private Lanes() {}

    /** The widest float species this CPU runs natively (16 lanes with AVX-512). */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Bytes per vector of {@link #F}. */
    static final long STRIDE_BYTES = F.vectorByteSize();
}

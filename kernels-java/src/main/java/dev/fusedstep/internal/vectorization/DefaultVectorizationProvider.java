package dev.fusedstep.internal.vectorization;

/** The scalar kernels: always available, and the oracle the vector kernels are tested against. */
final class DefaultVectorizationProvider extends VectorizationProvider {
    private final String reason;

    DefaultVectorizationProvider(String reason) {
        this.reason = reason;
    }

    @Override
    public boolean vectorized() {
        return false;
    }

    @Override
    public int floatLanes() {
        return 1;
    }

    @Override
    public String describe() {
        return "scalar kernels (" + reason + ")";
    }
}

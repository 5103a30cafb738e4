package dev.fusedstep.init;

/** The truncated normal's quantile and its test arguments, for the kernels' tests in other packages. */
public final class QuantileReference {
    private QuantileReference() {}

    /** {@link NormalQuantile#ofErf}. */
    public static double ofErf(double v) {
        return NormalQuantile.ofErf(v);
    }

    /** {@link NormalQuantileTest#arguments}: every range and case edge of the quantile. */
    public static double[] arguments() {
        return NormalQuantileTest.arguments();
    }
}

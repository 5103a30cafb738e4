package dev.fusedstep.optim;

import dev.fusedstep.DType;

/**
 * How a parameter group stores its numbers; the math is float32 whatever the storage.
 * <ul>
 *   <li>{@link #defaults()}: states in the parameters' dtype (all F32, all BF16 or all F16);</li>
 *   <li>{@link #masterWeights()}: for BF16 or F16 parameters and gradients, a float32 master
 *       copy and float32 states owned by the optimizer; each step reads the half gradient,
 *       updates master and states, and writes the rounded half parameter, in one pass;</li>
 *   <li>{@link #states(DType)}: states in the given dtype, e.g. BF16 states for float32
 *       parameters, halving state memory.</li>
 * </ul>
 * {@link #withStochasticRounding(long)} rounds BF16 parameter writes stochastically (seeded,
 * reproducible, unbiased) instead of to nearest-even.
 *
 * @param float32Master whether the optimizer keeps a float32 master copy of half parameters
 * @param stateDtype the states' dtype, or null for the parameters' (float32 under master weights)
 * @param stochasticRounding whether BF16 parameter writes round stochastically
 * @param seed the stochastic-rounding seed
 */
public record Precision(boolean float32Master, DType stateDtype, boolean stochasticRounding, long seed) {

    public Precision {
        if (stateDtype == DType.F64) {
            throw new IllegalArgumentException("stateDtype: got F64, expected F32, BF16, F16 or null (the parameters' dtype)");
        }
    }

    /** States in the parameters' dtype, nearest-even rounding. */
    public static Precision defaults() {
        return new Precision(false, null, false, 0);
    }

    /** A float32 master copy and float32 states for half-precision parameters. */
    public static Precision masterWeights() {
        return new Precision(true, null, false, 0);
    }

    /** States stored as {@code stateDtype} (F32, BF16 or F16). */
    public static Precision states(DType stateDtype) {
        if (stateDtype == null) {
            throw new IllegalArgumentException("stateDtype: got null, expected F32, BF16 or F16");
        }
        return new Precision(false, stateDtype, false, 0);
    }

    /** The same storage with the states in {@code stateDtype}. */
    public Precision withStates(DType stateDtype) {
        return new Precision(float32Master, stateDtype, stochasticRounding, seed);
    }

    /** The same storage, rounding BF16 parameter writes stochastically with {@code seed}. */
    public Precision withStochasticRounding(long seed) {
        return new Precision(float32Master, stateDtype, true, seed);
    }

    /** The dtype the states take for parameters stored as {@code paramDtype} (the CUDA backend stores them alike). */
    public DType stateDtypeFor(DType paramDtype) {
        return stateDtype != null ? stateDtype : float32Master ? DType.F32 : paramDtype;
    }
}

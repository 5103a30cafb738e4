package dev.fusedstep.bench;

import dev.fusedstep.DType;
import dev.fusedstep.optim.Precision;
import java.util.Locale;

/**
 * How an optimizer benchmark stores its numbers: the {@code layout} {@code @Param} of the
 * optimizer benchmarks, named as in the reports.
 */
public enum Layout {
    /** Parameters, gradients and states in float32. */
    F32(DType.F32, Precision.defaults()),
    /** Parameters, gradients and states in bfloat16. */
    BF16(DType.BF16, Precision.defaults()),
    /** Parameters, gradients and states in IEEE half precision. */
    F16(DType.F16, Precision.defaults()),
    /** BF16 parameters and gradients, float32 master weights and states owned by the optimizer. */
    MASTER_BF16(DType.BF16, Precision.masterWeights()),
    /** Float32 parameters and gradients, bfloat16 states. */
    F32_BF16_STATES(DType.F32, Precision.states(DType.BF16));

    private final DType paramDtype;
    private final Precision precision;

    Layout(DType paramDtype, Precision precision) {
        this.paramDtype = paramDtype;
        this.precision = precision;
    }

    /** The dtype of the caller's parameter and gradient buffers. */
    public DType paramDtype() {
        return paramDtype;
    }

    public Precision precision() {
        return precision;
    }

    /** The dtype the optimizer keeps its states in: float32 (f32, master_bf16) or the half type. */
    public DType stateDtype() {
        return precision.stateDtypeFor(paramDtype);
    }

    /** Bytes of one state element ({@link #stateDtype()}). */
    public int stateBytes() {
        return stateDtype().byteSize();
    }

    /** The name used in {@code @Param} and reports, e.g. {@code master_bf16}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Layout of(String label) {
        for (Layout l : values()) {
            if (l.label().equals(label)) {
                return l;
            }
        }
        throw new IllegalArgumentException("layout: got \"" + label + "\", expected f32, bf16, f16, master_bf16 or f32_bf16_states");
    }

    /**
     * Bytes one step must move per parameter for an optimizer with {@code states} state buffers:
     * read the gradient, the parameter (or master) and each state; write the parameter (or
     * master) and each state; under master weights also write the rounded half parameter.
     * AdamW (2 states): f32 28, bf16 and f16 14, master_bf16 2+4+8 + 4+8+2 = 28, f32_bf16_states 20.
     */
    public int bytesPerParam(int states) {
        int half = 2, full = 4;
        return switch (this) {
            case F32 -> full + full + states * full + full + states * full;
            case BF16, F16 -> half + half + states * half + half + states * half;
            case MASTER_BF16 -> half + full + states * full + full + states * full + half;
            case F32_BF16_STATES -> full + full + states * half + full + states * half;
        };
    }
}

package dev.fusedstep;

/**
 * Storage type of a tensor's elements. All arithmetic happens in float32 registers whatever
 * the storage type; the names follow safetensors ("F32", "F16", "BF16").
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    /** Only for reading reference data (float64 truth in golden files); no kernel takes it. */
    F64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype named {@code name} in safetensors spelling, or an exception listing the known names. */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("dtype: got \"" + name + "\", expected one of F32, F16, BF16, F64");
    }
}

package dev.fusedstep.io;

import dev.fusedstep.DType;
import java.util.Arrays;

/**
 * A tensor's entry in a safetensors header: its name, dtype and shape ({@code []} for a
 * scalar); the byte count follows from them. What {@link SafeTensors#header} lays out.
 */
public record TensorSpec(String name, DType dtype, long[] shape) {
    public TensorSpec {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name: got " + (name == null ? "null" : "\"\"") + ", expected a non-empty name");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype: got null for tensor '" + name + "', expected one of "
                    + Arrays.toString(DType.values()));
        }
        if (shape == null) {
            throw new IllegalArgumentException("shape: got null for tensor '" + name + "', expected an array of sizes");
        }
        shape = shape.clone();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException("shape[" + d + "]: got " + shape[d] + " for tensor '" + name + "', expected >= 0");
            }
        }
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Bytes of data: the product of the shape times the dtype's size. */
    public long byteSize() {
        long n = dtype.byteSize();
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}

package dev.fusedstep;

/**
 * Where a tensor's memory lives. Host memory is {@link #CPU}; device memory is
 * {@code Device.cuda(i)} (used once the CUDA backend lands). Tensors of one call must share a device.
 */
public record Device(Kind kind, int index) {

    /** The kind of memory. */
    public enum Kind { CPU, CUDA }

    /** Host memory: heap arrays, native segments, memory-mapped files. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        if (kind == null) {
            throw new IllegalArgumentException("kind: got null, expected CPU or CUDA");
        }
        if (index < 0 || (kind == Kind.CPU && index != 0)) {
            throw new IllegalArgumentException("index: got " + index + " for " + kind
                    + ", expected 0 for CPU and >= 0 for CUDA");
        }
    }

    /** The CUDA device with ordinal {@code index}. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}

package dev.fusedstep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A typed, contiguous, zero-copy view of a {@link MemorySegment}: dtype, device and shape.
 *
 * <p>A tensor never copies: {@link #of(float[], long...)} wraps a heap array through
 * {@link MemorySegment#ofArray(float[])}, {@link #of(MemorySegment, DType, long...)} wraps
 * any segment (native, memory-mapped, another library's buffer). Elements are little-endian,
 * as in safetensors, PyTorch and every supported machine.
 */
public final class Tensor {

    /** Float32 elements, little-endian, without an alignment requirement (segments from mapped files may be unaligned). */
    static final ValueLayout.OfFloat F32_LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final MemorySegment segment;
    private final DType dtype;
    private final Device device;
    private final long[] shape;
    private final long numel;

    private Tensor(MemorySegment segment, DType dtype, Device device, long[] shape) {
        this.segment = segment;
        this.dtype = dtype;
        this.device = device;
        this.shape = shape;
        this.numel = elementCount(shape);
    }

    /**
     * Views {@code segment} as a host tensor of {@code dtype} and {@code shape} (no shape means
     * one dimension covering the whole segment). The segment's size must be exactly what the
     * shape needs.
     */
    public static Tensor of(MemorySegment segment, DType dtype, long... shape) {
        if (segment == null) {
            throw new IllegalArgumentException("segment: got null, expected a MemorySegment");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype: got null, expected one of " + Arrays.toString(DType.values()));
        }
        long[] dims = shape == null || shape.length == 0
                ? new long[] {wholeSegmentLength(segment, dtype)}
                : shape.clone();
        long expectedBytes = elementCount(dims) * dtype.byteSize();
        if (segment.byteSize() != expectedBytes) {
            throw new IllegalArgumentException("segment: got " + segment.byteSize() + " bytes, expected "
                    + expectedBytes + " for " + dtype + " of shape " + Arrays.toString(dims));
        }
        return new Tensor(segment, dtype, Device.CPU, dims);
    }

    /**
     * Views {@code segment} as a tensor on {@code device}. For a CUDA device the segment carries
     * a device address (a zero-length segment from {@code MemorySegment.ofAddress}, reinterpreted
     * to the tensor's byte size) that the host must never dereference; the CUDA backend that reads
     * such tensors arrives with the GPU issue, and the CPU kernels reject them by name.
     */
    public static Tensor of(MemorySegment segment, DType dtype, Device device, long... shape) {
        if (device == null) {
            throw new IllegalArgumentException("device: got null, expected Device.CPU or Device.cuda(i)");
        }
        Tensor host = of(segment, dtype, shape);
        return device.equals(Device.CPU) ? host : new Tensor(segment, dtype, device, host.shape);
    }

    /** Wraps a heap array without copying: writes through the tensor land in {@code values}. */
    public static Tensor of(float[] values, long... shape) {
        if (values == null) {
            throw new IllegalArgumentException("values: got null, expected a float[]");
        }
        return of(MemorySegment.ofArray(values), DType.F32, shape);
    }

    /**
     * Allocates a zero-filled host tensor in {@code arena}, aligned to 64 bytes (one cache line,
     * one AVX-512 register) so that full-width vector loads never split a line.
     */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        if (arena == null) {
            throw new IllegalArgumentException("arena: got null, expected an Arena");
        }
        long[] dims = shape.clone();
        long bytes = elementCount(dims) * dtype.byteSize();
        return new Tensor(arena.allocate(bytes, 64), dtype, Device.CPU, dims);
    }

    /** The viewed memory. */
    public MemorySegment segment() {
        return segment;
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return device;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (the product of the shape). */
    public long numel() {
        return numel;
    }

    /** Element {@code i} of a float32 tensor (bounds-checked by the segment). */
    public float getFloat(long i) {
        requireF32("getFloat");
        return segment.getAtIndex(F32_LAYOUT, i);
    }

    /** Sets element {@code i} of a float32 tensor. */
    public void setFloat(long i, float value) {
        requireF32("setFloat");
        segment.setAtIndex(F32_LAYOUT, i, value);
    }

    /** A copy of a float32 tensor's elements on the heap. */
    public float[] toFloatArray() {
        requireF32("toFloatArray");
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("toFloatArray: tensor has " + numel + " elements, more than a Java array holds");
        }
        float[] out = new float[(int) numel];
        MemorySegment.copy(segment, F32_LAYOUT, 0, out, 0, out.length);
        return out;
    }

    /** Copies {@code values} into this float32 tensor; the lengths must match. */
    public void copyFrom(float[] values) {
        requireF32("copyFrom");
        if (values.length != numel) {
            throw new IllegalArgumentException("values: got " + values.length + " elements, expected " + numel);
        }
        MemorySegment.copy(values, 0, segment, F32_LAYOUT, 0, values.length);
    }

    private void requireF32(String what) {
        if (!device.equals(Device.CPU)) {
            // a device address read on the host would crash the JVM, not throw
            throw new IllegalStateException(what + ": tensor is on " + device + ", expected a host tensor (copy it to the host first)");
        }
        if (dtype != DType.F32) {
            throw new IllegalStateException(what + ": tensor dtype is " + dtype + ", expected F32");
        }
    }

    private static long wholeSegmentLength(MemorySegment segment, DType dtype) {
        if (segment.byteSize() % dtype.byteSize() != 0) {
            throw new IllegalArgumentException("segment: got " + segment.byteSize()
                    + " bytes, expected a multiple of " + dtype.byteSize() + " for " + dtype);
        }
        return segment.byteSize() / dtype.byteSize();
    }

    private static long elementCount(long[] shape) {
        long n = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException("shape[" + d + "]: got " + shape[d] + ", expected >= 0");
            }
            n = Math.multiplyExact(n, shape[d]);
        }
        return n;
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + " on " + device + "]";
    }
}

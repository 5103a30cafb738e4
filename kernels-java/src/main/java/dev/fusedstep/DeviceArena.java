package dev.fusedstep;

import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Device memory for tensors on one CUDA device, freed together on {@link #close()} (newest
 * first), like an {@link Arena} for host memory. Tensors it hands out are
 * {@code Tensor.of(segment, dtype, Device.cuda(i), shape)}: their segments carry device addresses
 * that the host must never dereference.
 *
 * <p>Copies between host and device are explicit ({@link #copy}): same dtype, same element count,
 * and a host side on the CPU; a device side on this arena's device. Heap-backed host tensors are
 * staged through native memory, since the CUDA runtime can only read native memory.
 */
public final class DeviceArena implements AutoCloseable {

    private final int ordinal;
    private final Deque<MemorySegment> allocations = new ArrayDeque<>();
    private boolean closed;

    /** An arena on CUDA device {@code ordinal} (allocation needs a working CUDA device). */
    public DeviceArena(int ordinal) {
        if (ordinal < 0) {
            throw new IllegalArgumentException("ordinal: got " + ordinal + ", expected a CUDA device index >= 0");
        }
        this.ordinal = ordinal;
    }

    public Device device() {
        return Device.cuda(ordinal);
    }

    /** {@code bytes} of uninitialized device memory (at least 256-byte aligned), freed with the arena. */
    public synchronized MemorySegment allocateBytes(long bytes) {
        if (closed) {
            throw new IllegalStateException("DeviceArena on " + device() + " is closed");
        }
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes: got " + bytes + ", expected > 0");
        }
        Cuda.setDevice(ordinal);
        MemorySegment p = Cuda.malloc(bytes);
        allocations.push(p);
        return p;
    }

    /** A zero-filled device tensor of {@code dtype} and {@code shape}, as Tensor.allocate gives on the host. */
    public Tensor allocate(DType dtype, long... shape) {
        if (dtype == null || dtype == DType.F64) {
            throw new IllegalArgumentException("dtype: got " + dtype + ", expected F32, F16 or BF16");
        }
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape: got " + Arrays.toString(shape) + ", expected sizes >= 0");
            }
            numel = Math.multiplyExact(numel, d);
        }
        long bytes = Math.multiplyExact(numel, (long) dtype.byteSize());
        // cudaMalloc of 0 bytes is legal but pointless; keep one element's worth so every tensor has an address
        MemorySegment p = allocateBytes(Math.max(bytes, dtype.byteSize()));
        Cuda.memset(p, 0, Math.max(bytes, dtype.byteSize()));
        return Tensor.of(p.reinterpret(bytes), dtype, device(), shape);
    }

    /** A device copy of {@code host} (same dtype and shape). */
    public Tensor upload(Tensor host) {
        requireHost("host", host);
        Tensor t = allocate(host.dtype(), host.shape());
        copy(host, t);
        return t;
    }

    /**
     * Copies every element of {@code src} into {@code dst}, host to device, device to host or
     * device to device on one device, and returns when the copy is done (the legacy default
     * stream, so it waits for the device's earlier synchronous work; use a backend's stream and
     * {@link #copyAsync} to stay in stream order).
     */
    public static void copy(Tensor src, Tensor dst) {
        int kind = kindOf(src, dst);
        long bytes = src.numel() * src.dtype().byteSize();
        if (bytes == 0) {
            return;
        }
        Cuda.setDevice(deviceOf(src, dst).index());
        copyBytes(dst.segment(), src.segment(), bytes, kind);
    }

    /**
     * {@code cudaMemcpy} of {@code bytes} from {@code src} to {@code dst} on the current device,
     * a heap-backed host side staged through native memory (the runtime reads only native
     * memory); returns when the copy is done. For callers that copy parts of tensors (a
     * checkpoint's chunks); {@link #copy} checks whole tensors first.
     */
    public static void copyBytes(MemorySegment dst, MemorySegment src, long bytes, int kind) {
        if (kind == CudaRuntime.cudaMemcpyHostToDevice && !src.isNative()) {
            try (Arena staging = Arena.ofConfined()) {
                MemorySegment n = staging.allocate(bytes, 16);
                MemorySegment.copy(src, 0, n, 0, bytes);
                Cuda.memcpy(dst, n, bytes, kind);
            }
        } else if (kind == CudaRuntime.cudaMemcpyDeviceToHost && !dst.isNative()) {
            try (Arena staging = Arena.ofConfined()) {
                MemorySegment n = staging.allocate(bytes, 16);
                Cuda.memcpy(n, src, bytes, kind);
                MemorySegment.copy(n, 0, dst, 0, bytes);
            }
        } else {
            Cuda.memcpy(dst, src, bytes, kind);
        }
    }

    /**
     * Queues the copy of {@code src} into {@code dst} on {@code stream} and returns at once. The
     * host side must be native memory that stays alive until the stream reaches the copy
     * (page-locked memory from {@link Cuda#mallocHost} lets it overlap with other work).
     */
    public static void copyAsync(Tensor src, Tensor dst, MemorySegment stream) {
        int kind = kindOf(src, dst);
        Tensor host = kind == CudaRuntime.cudaMemcpyHostToDevice ? src
                : kind == CudaRuntime.cudaMemcpyDeviceToHost ? dst : null;
        if (host != null && !host.segment().isNative()) {
            throw new IllegalArgumentException((host == src ? "src" : "dst") + ": got a heap-backed host tensor,"
                    + " expected native memory for an asynchronous copy (use copy() for heap arrays)");
        }
        long bytes = src.numel() * src.dtype().byteSize();
        if (bytes == 0) {
            return;
        }
        Cuda.setDevice(deviceOf(src, dst).index());
        Cuda.memcpyAsync(dst.segment(), src.segment(), bytes, kind, stream);
    }

    /** The cudaMemcpyKind for {@code src -> dst}, after checking dtype, size, devices and writability. */
    static int kindOf(Tensor src, Tensor dst) {
        if (src == null || dst == null) {
            throw new IllegalArgumentException((src == null ? "src" : "dst") + ": got null, expected a tensor");
        }
        if (src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("dst: got dtype " + dst.dtype() + ", expected " + src.dtype()
                    + " like src (copies do not convert; cast on the device)");
        }
        if (src.numel() != dst.numel()) {
            throw new IllegalArgumentException("dst: got " + dst.numel() + " elements, expected " + src.numel() + " like src");
        }
        if (dst.segment().isReadOnly()) {
            throw new IllegalArgumentException("dst: got a read-only segment, expected a writable one");
        }
        boolean srcHost = src.device().equals(Device.CPU), dstHost = dst.device().equals(Device.CPU);
        if (srcHost && dstHost) {
            throw new IllegalArgumentException("src, dst: both on cpu, expected one of them on a CUDA device"
                    + " (copy host memory with MemorySegment.copy)");
        }
        if (!srcHost && !dstHost && !src.device().equals(dst.device())) {
            throw new IllegalArgumentException("dst: got " + dst.device() + ", expected " + src.device()
                    + " like src (copies between two GPUs are not supported)");
        }
        return srcHost ? CudaRuntime.cudaMemcpyHostToDevice
                : dstHost ? CudaRuntime.cudaMemcpyDeviceToHost : CudaRuntime.cudaMemcpyDeviceToDevice;
    }

    private static Device deviceOf(Tensor src, Tensor dst) {
        return src.device().equals(Device.CPU) ? dst.device() : src.device();
    }

    private static void requireHost(String name, Tensor t) {
        if (t == null || !t.device().equals(Device.CPU)) {
            throw new IllegalArgumentException(name + ": got " + (t == null ? "null" : "a tensor on " + t.device())
                    + ", expected a host (cpu) tensor");
        }
    }

    /** Frees every allocation, newest first. Queued work that still uses them must be finished (synchronize first). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (allocations.isEmpty()) {
            return;  // nothing to free: an arena that never allocated needs no CUDA at all
        }
        Cuda.setDevice(ordinal);
        RuntimeException first = null;
        while (!allocations.isEmpty()) {
            try {
                Cuda.free(allocations.pop());
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

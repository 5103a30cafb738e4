package dev.fusedstep.internal.cuda;

import dev.fusedstep.Device;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaDeviceInfo;
import dev.fusedstep.bindings.CudaProbe;
import dev.fusedstep.bindings.KernelArgs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * The CUDA backend on one device: the fatbin loaded as a CUDA library, its kernels looked up by
 * name, and one stream that all of this backend's work is queued on, in order. Work is
 * asynchronous; {@link #synchronize()} is the explicit point where the host waits.
 *
 * <p>The stream is a blocking one (it orders itself with the legacy default stream): the
 * synchronous copies and memsets of {@link DeviceArena} and {@link TensorTable} run on the legacy
 * stream, and a host-to-device cudaMemcpy may return before its transfer lands, so only that
 * ordering keeps a kernel on this stream from reading memory a copy has not yet written.
 *
 * <p>{@link #availability()} says, without throwing, whether a backend can be opened here and if
 * not why: no CUDA runtime, no driver, no device, or no compiled kernels.
 *
 * <p>Every call first makes this backend's device current on the calling thread (CUDA keeps the
 * current device per host thread), so one backend may be used from any thread, one at a time.
 */
public final class CudaBackend implements AutoCloseable {

    /** Whether a backend can be opened here, and why not (or what was found), in one line. */
    public record Availability(boolean available, String reason, CudaProbe probe, FatbinImage fatbin) {}

    private static final class Cached {
        static final Availability INSTANCE = availability(CudaProbe.probe(), FatbinImage.find());
    }

    /** This JVM's answer, computed once. */
    public static Availability availability() {
        return Cached.INSTANCE;
    }

    static Availability availability(CudaProbe probe, FatbinImage fatbin) {
        if (!probe.available()) {
            String why = probe.reason();
            if (!fatbin.found()) {
                why += "; also " + fatbin.source();
            }
            return new Availability(false, why, probe, fatbin);
        }
        if (!fatbin.found()) {
            return new Availability(false, probe.reason() + ", but " + fatbin.source(), probe, fatbin);
        }
        return new Availability(true, probe.reason() + "; kernels from " + fatbin.source(), probe, fatbin);
    }

    private static final Map<Integer, CudaBackend> SHARED = new HashMap<>();

    /**
     * The JVM's backend on device {@code ordinal}, opened on first use and closed when the JVM
     * exits: for callers that hold no backend of their own (the initializers on a device tensor,
     * the conformance replay, the GPU tests). Opening a context per call would dominate the work.
     *
     * @throws IllegalStateException with {@link #availability()}'s reason where CUDA cannot run here
     */
    public static CudaBackend shared(int ordinal) {
        synchronized (SHARED) {
            CudaBackend b = SHARED.get(ordinal);
            if (b == null) {
                CudaBackend opened = open(ordinal);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        opened.close();
                    } catch (RuntimeException ignored) {
                        // the process is ending; the driver reclaims everything
                    }
                }));
                SHARED.put(ordinal, opened);
                b = opened;
            }
            return b;
        }
    }

    private final int ordinal;
    private final CudaDeviceInfo info;
    private final Arena imageArena;
    private final MemorySegment library;
    private final MemorySegment stream;
    private final Map<String, MemorySegment> kernels = new HashMap<>();
    private final Map<String, Integer> residentBlocks = new HashMap<>();
    private boolean closed;

    private CudaBackend(int ordinal, FatbinImage image) {
        this.ordinal = ordinal;
        this.info = CudaDeviceInfo.query(ordinal);
        Cuda.setDevice(ordinal);
        // The image stays in native memory for the backend's life: lazy module loading may read it later.
        this.imageArena = Arena.ofShared();
        MemorySegment code = imageArena.allocate(image.bytes().length, 16);
        MemorySegment.copy(MemorySegment.ofArray(image.bytes()), 0, code, 0, image.bytes().length);
        MemorySegment lib;
        try {
            lib = Cuda.libraryLoadData(code);
        } catch (RuntimeException e) {
            imageArena.close();
            throw e;
        }
        this.library = lib;
        this.stream = Cuda.streamCreate(false);
    }

    /**
     * Opens the backend on CUDA device {@code ordinal}.
     *
     * @throws IllegalStateException with {@link #availability()}'s reason where CUDA cannot run here
     * @throws IllegalArgumentException for an ordinal the runtime does not see
     */
    public static CudaBackend open(int ordinal) {
        Availability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("CUDA backend unavailable: " + a.reason());
        }
        return new CudaBackend(ordinal, a.fatbin());
    }

    public Device device() {
        return Device.cuda(ordinal);
    }

    public int ordinal() {
        return ordinal;
    }

    public CudaDeviceInfo info() {
        return info;
    }

    /** The stream this backend queues all its work on. */
    public MemorySegment stream() {
        return stream;
    }

    /** Makes this backend's device current on the calling thread. */
    public void makeCurrent() {
        requireOpen();
        Cuda.setDevice(ordinal);
    }

    /** The kernel {@code name} from the fatbin (looked up once). */
    public synchronized MemorySegment kernel(String name) {
        requireOpen();
        return kernels.computeIfAbsent(name, n -> {
            Cuda.setDevice(ordinal);
            return Cuda.libraryGetKernel(library, n);
        });
    }

    /**
     * Blocks for a grid-stride kernel over {@code chunks} units: enough to keep every SM full
     * ({@code SMs x resident blocks of BLOCK_THREADS}), never more than there is work.
     */
    public synchronized int gridFor(String kernelName, long chunks) {
        int perSm = residentBlocks.computeIfAbsent(kernelName, this::residentBlocksPerSm);
        long full = (long) info.multiprocessors() * perSm;
        return (int) Math.max(1, Math.min(chunks, full));
    }

    /**
     * Resident blocks of BLOCK_THREADS per SM from the occupancy API; where the runtime does not
     * take a library kernel there, the hardware's thread limit per SM (the kernels use few
     * registers and no dynamic shared memory, so threads are what limits them).
     */
    private int residentBlocksPerSm(String kernelName) {
        MemorySegment k = kernel(kernelName);
        try {
            return Math.max(1, Cuda.maxActiveBlocksPerMultiprocessor(k, DeviceLayouts.BLOCK_THREADS, 0));
        } catch (dev.fusedstep.bindings.CudaException e) {
            dev.fusedstep.bindings.CudaRuntime.cudaGetLastError();  // clear it, so no later check reports it
            return Math.max(1, info.maxThreadsPerMultiprocessor() / DeviceLayouts.BLOCK_THREADS);
        }
    }

    /** Queues {@code kernelName} on this backend's stream, after checking the arguments' types against it. */
    public void launch(String kernelName, int grid, int block, KernelArgs args) {
        KernelSignatures.check(kernelName, args.signature());
        MemorySegment k = kernel(kernelName);
        Cuda.setDevice(ordinal);
        Cuda.launch(k, grid, block, 0, stream, args);
    }

    /** Waits for everything queued so far; a fault in earlier work surfaces here as a CudaException. */
    public void synchronize() {
        makeCurrent();
        Cuda.streamSynchronize(stream);
    }

    /** Copies {@code bytes} between host and device (or device and device) in stream order, then waits. */
    public void copyAndWait(MemorySegment dst, MemorySegment src, long bytes, int kind) {
        makeCurrent();
        Cuda.memcpyAsync(dst, src, bytes, kind, stream);
        Cuda.streamSynchronize(stream);
    }

    /** Reads one long at {@code devicePtr + offset}: a synchronization point. */
    public long readLong(MemorySegment devicePtr, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(ValueLayout.JAVA_LONG);
            copyAndWait(host, MemorySegment.ofAddress(devicePtr.address() + offset), 8,
                    dev.fusedstep.bindings.CudaRuntime.cudaMemcpyDeviceToHost);
            return host.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("CUDA backend on " + device() + " is closed");
        }
    }

    /** Waits for queued work, then releases the stream and the library. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        Cuda.setDevice(ordinal);
        try {
            Cuda.streamSynchronize(stream);
        } finally {
            closed = true;
            Cuda.streamDestroy(stream);
            Cuda.libraryUnload(library);
            imageArena.close();
        }
    }

    @Override
    public String toString() {
        return "CudaBackend[" + device() + ", " + info.describe() + "]";
    }
}

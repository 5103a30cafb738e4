package dev.fusedstep.bench.gpu;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.internal.cuda.DeviceInit;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.function.Function;

/**
 * Times cases on CUDA device {@code ordinal} through the JVM's shared backend (whose stream the
 * library queues on). Each case and probe gets its own {@link DeviceArena}, closed after it, so
 * device memory is freed between cases; the backend is synchronized before anything is freed.
 */
final class CudaMeasurer implements Measurer {

    private final int ordinal;
    private final CudaBackend backend;
    private long seed = 1;

    private CudaMeasurer(int ordinal, CudaBackend backend) {
        this.ordinal = ordinal;
        this.backend = backend;
    }

    /**
     * The measurer on device {@code ordinal}.
     *
     * @throws IllegalStateException with the backend's reason where CUDA cannot run here
     */
    static CudaMeasurer open(int ordinal) {
        CudaBackend.Availability a = CudaBackend.availability();
        if (!a.available()) {
            throw new IllegalStateException("no CUDA backend here: " + a.reason());
        }
        return new CudaMeasurer(ordinal, CudaBackend.shared(ordinal));
    }

    /** The backend's one-line description: name, arch, SMs, memory, L2. */
    String describe() {
        return backend.info().describe() + "; CUDA runtime " + Cuda.runtimeVersion() + ", driver " + Cuda.driverVersion()
                + "; " + CudaBackend.availability().reason();
    }

    @Override
    public String deviceName() {
        return backend.info().name();
    }

    @Override
    public String memoryLine() {
        try {
            backend.makeCurrent();
            long[] m = Cuda.memoryInfo();
            return String.format(Locale.ROOT, "%.1f of %.1f GiB free", m[0] / (double) (1L << 30), m[1] / (double) (1L << 30));
        } catch (RuntimeException e) {
            return "memory unknown: " + e.getMessage();
        }
    }

    @Override
    public Measurement measure(GpuCase c, Repetitions r) {
        return inArena(arena -> {
            DeviceContext ctx = new DeviceContext(backend, arena, 1000 * seed++);
            try (GpuCase.Workload w = c.setup().open(ctx)) {
                backend.synchronize();
                DeviceTimer.Timing t = DeviceTimer.time(backend, w::step, r);
                return new Measurement(t.seconds(), w.check(t.steps()));
            }
        });
    }

    @Override
    public double[] copy(long bytes, Repetitions r) {
        long half = evenHalf(bytes);
        return inArena(arena -> {
            MemorySegment src = arena.allocateBytes(half), dst = arena.allocateBytes(half);
            // random source data, as every case reads (a copy does not care, but nothing here times zeros)
            DeviceInit.normal(backend, Tensor.of(src, DType.F32, backend.device(), half / Float.BYTES), 0, seed++, 0, 0f, 1f);
            MemorySegment stream = backend.stream();
            return DeviceTimer.time(backend,
                    () -> Cuda.memcpyAsync(dst, src, half, CudaRuntime.cudaMemcpyDeviceToDevice, stream), r).seconds();
        });
    }

    @Override
    public double[] write(long bytes, Repetitions r) {
        return inArena(arena -> {
            MemorySegment dst = arena.allocateBytes(bytes);
            MemorySegment stream = backend.stream();
            return DeviceTimer.time(backend, () -> Cuda.memsetAsync(dst, 0x5A, bytes, stream), r).seconds();
        });
    }

    /**
     * Runs {@code body} with a fresh arena, then waits for the queued work (nothing in flight may
     * use freed memory) and frees the arena, also when {@code body} throws (whose error then wins).
     */
    private <T> T inArena(Function<DeviceArena, T> body) {
        backend.makeCurrent();
        DeviceArena arena = new DeviceArena(ordinal);
        T result;
        try {
            result = body.apply(arena);
        } catch (RuntimeException | Error e) {
            try {
                backend.synchronize();
            } catch (RuntimeException s) {
                e.addSuppressed(s);
            }
            try {
                arena.close();
            } catch (RuntimeException s) {
                e.addSuppressed(s);
            }
            throw e;
        }
        try {
            backend.synchronize();
        } finally {
            arena.close();
        }
        return result;
    }

    /** Half of {@code bytes}, which must split into two float32 buffers. */
    static long evenHalf(long bytes) {
        if (bytes <= 0 || bytes % 8 != 0) {
            throw new IllegalArgumentException("bytes: got " + bytes + ", expected a positive multiple of 8"
                    + " (two float32 buffers of half of it)");
        }
        return bytes / 2;
    }
}

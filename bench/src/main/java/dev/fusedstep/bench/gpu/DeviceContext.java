package dev.fusedstep.bench.gpu;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.internal.cuda.DeviceInit;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * What one case builds its tensors with: the JVM's shared backend on the device (its stream is
 * the one the library queues on and the one the timer records events on) and an arena that the
 * runner closes after the case, so every case starts with the device memory the last one freed.
 */
final class DeviceContext {

    /** cudaMalloc's alignment: every tensor of a set starts on such a boundary, as if allocated alone. */
    private static final long ALIGN = 256;

    private final CudaBackend backend;
    private final DeviceArena arena;
    private long seed;

    DeviceContext(CudaBackend backend, DeviceArena arena, long seed) {
        this.backend = backend;
        this.arena = arena;
        this.seed = seed;
    }

    CudaBackend backend() {
        return backend;
    }

    DeviceArena arena() {
        return arena;
    }

    /**
     * Tensors of {@code dtype} and {@code shapes}, filled with standard normal values (never
     * zeros: they would hide unwritten outputs and can run faster than real data). One allocation
     * sliced at 256-byte boundaries and one fill launch, so that 4096 tensors take no 4096 mallocs.
     */
    List<Tensor> randomTensors(DType dtype, List<long[]> shapes) {
        long[] offsets = new long[shapes.size()];
        long total = 0;
        for (int i = 0; i < shapes.size(); i++) {
            offsets[i] = total;
            long bytes = TensorSets.numel(shapes.get(i)) * dtype.byteSize();
            total = Math.addExact(total, (bytes + ALIGN - 1) / ALIGN * ALIGN);
        }
        MemorySegment block = arena.allocateBytes(Math.max(total, ALIGN));
        Tensor flat = Tensor.of(block, dtype, backend.device(), block.byteSize() / dtype.byteSize());
        DeviceInit.normal(backend, flat, 0, seed++, 0, 0f, 1f);
        List<Tensor> out = new ArrayList<>(shapes.size());
        for (int i = 0; i < shapes.size(); i++) {
            long bytes = TensorSets.numel(shapes.get(i)) * dtype.byteSize();
            out.add(Tensor.of(block.asSlice(offsets[i], bytes), dtype, backend.device(), shapes.get(i)));
        }
        return out;
    }

    /** {@code bytes} of uninitialized device memory, freed with the case. */
    MemorySegment allocate(long bytes) {
        return arena.allocateBytes(bytes);
    }

    /** The first {@code count} floats of float32 device memory at {@code devicePtr} (waits for queued work). */
    float[] headFloats(MemorySegment devicePtr, int count) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate((long) count * Float.BYTES, 16);
            backend.copyAndWait(host, devicePtr, host.byteSize(), CudaRuntime.cudaMemcpyDeviceToHost);
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }
}

package dev.fusedstep.internal.cuda;

import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import java.lang.foreign.MemorySegment;

/**
 * Work on a backend's stream captured once into a CUDA graph and replayed with one call. The
 * kernels read every per-step value (learning rate, step count, loss scale, found-inf) from
 * device memory, so a replay computes this step's values, not the captured ones: change the
 * learning rate in device memory between replays and the replay follows it.
 */
public final class CudaGraph implements AutoCloseable {

    private final CudaBackend backend;
    private final MemorySegment graph;
    private final MemorySegment exec;
    private boolean closed;

    private CudaGraph(CudaBackend backend, MemorySegment graph, MemorySegment exec) {
        this.backend = backend;
        this.graph = graph;
        this.exec = exec;
    }

    /**
     * Captures what {@code work} queues on {@code backend}'s stream (nothing runs during capture).
     * Thread-local capture mode: other threads' CUDA calls are not affected.
     */
    public static CudaGraph capture(CudaBackend backend, Runnable work) {
        backend.makeCurrent();
        Cuda.beginCapture(backend.stream(), CudaRuntime.cudaStreamCaptureModeThreadLocal);
        MemorySegment graph;
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            try {
                Cuda.graphDestroy(Cuda.endCapture(backend.stream()));
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        graph = Cuda.endCapture(backend.stream());
        try {
            return new CudaGraph(backend, graph, Cuda.graphInstantiate(graph));
        } catch (RuntimeException e) {
            Cuda.graphDestroy(graph);
            throw e;
        }
    }

    /** Queues one replay on the backend's stream. */
    public void launch() {
        if (closed) {
            throw new IllegalStateException("CudaGraph is closed");
        }
        backend.makeCurrent();
        Cuda.graphLaunch(exec, backend.stream());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        backend.makeCurrent();
        Cuda.graphExecDestroy(exec);
        Cuda.graphDestroy(graph);
    }
}

package dev.fusedstep.bench.gpu;

import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.internal.cuda.CudaBackend;
import java.lang.foreign.MemorySegment;

/**
 * Times steps with CUDA events on the backend's stream, as torch_optim.py's time_cuda does:
 * warm-up steps (see {@link Repetitions}) and a wait, then for each repetition an event, the
 * step, an event, recorded back to back without a wait between steps (a step bound by the host
 * shows the host's pace), then one wait and the elapsed time between each pair.
 */
final class DeviceTimer {
    private DeviceTimer() {}

    /** The timed steps' seconds, and how many steps ran in all (warm-up included). */
    record Timing(double[] seconds, int steps) {}

    static Timing time(CudaBackend backend, Runnable step, Repetitions r) {
        backend.makeCurrent();
        int warm = 0;
        long warmUntil = System.nanoTime() + (long) (r.warmupSeconds() * 1e9);
        while (warm < r.warmup() || System.nanoTime() < warmUntil) {
            step.run();
            warm++;
        }
        backend.synchronize();
        int repeats = r.repeats();
        MemorySegment[] start = new MemorySegment[repeats], end = new MemorySegment[repeats];
        try {
            for (int i = 0; i < repeats; i++) {
                start[i] = Cuda.eventCreate(true);
                end[i] = Cuda.eventCreate(true);
            }
            MemorySegment stream = backend.stream();
            for (int i = 0; i < repeats; i++) {
                Cuda.eventRecord(start[i], stream);
                step.run();
                Cuda.eventRecord(end[i], stream);
            }
            Cuda.eventSynchronize(end[repeats - 1]);
            Cuda.checkLastError("the timed steps");
            double[] seconds = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                seconds[i] = Cuda.eventElapsedMillis(start[i], end[i]) / 1e3;
            }
            return new Timing(seconds, warm + repeats);
        } finally {
            destroy(start);
            destroy(end);
        }
    }

    private static void destroy(MemorySegment[] events) {
        for (MemorySegment e : events) {
            if (e != null) {
                try {
                    Cuda.eventDestroy(e);
                } catch (RuntimeException ignored) {
                    // a sticky device error makes every call fail; the measurement's own error is what matters
                }
            }
        }
    }
}

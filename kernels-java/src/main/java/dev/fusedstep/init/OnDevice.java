package dev.fusedstep.init;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
import java.lang.foreign.Arena;
import java.util.function.Consumer;

/**
 * The initializers on a CUDA tensor: the kernels run on the JVM's shared backend for the tensor's
 * device, and the call waits for them, so the values are in place for any stream that uses the
 * tensor next (an optimizer group's backend has a stream of its own).
 */
final class OnDevice {
    private OnDevice() {}

    static boolean is(Tensor t) {
        return t.device().kind() == Device.Kind.CUDA;
    }

    /** Queues {@code launch} on the shared backend of {@code t}'s device and waits for it; nothing for no elements. */
    static void run(Tensor t, Consumer<CudaBackend> launch) {
        if (t.numel() == 0) {
            return;
        }
        CudaBackend backend = CudaBackend.shared(t.device().index());
        launch.accept(backend);
        backend.synchronize();
    }

    /** Fills a host tensor of {@code t}'s dtype and shape with {@code fill}, then copies it into {@code t}. */
    static void copyFromHost(Tensor t, Consumer<Tensor> fill) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor host = Tensor.allocate(arena, t.dtype(), t.shape());
            fill.accept(host);
            DeviceArena.copy(host, t);
        }
    }
}

package dev.fusedstep.amp;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.internal.cuda.DeviceLossScaler;
import dev.fusedstep.internal.cuda.TensorTable;
import dev.fusedstep.optim.Optimizer;
import java.lang.ref.Cleaner;
import java.util.List;

/**
 * A {@link GradScaler}'s state while it drives an optimizer on a CUDA device: a
 * {@link DeviceLossScaler} (scale, growth tracker, found-inf, multiplier in device memory) and
 * the gradient table of the last optimizer it stepped, built once per optimizer. Its device
 * memory is freed when the scaler that holds it becomes unreachable (a {@link Cleaner}), or when
 * the scaler moves back to the CPU.
 */
final class DeviceScaling {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Device device;
    private final DeviceArena arena;
    private final DeviceLossScaler scaler;
    private final Cleaner.Cleanable cleanable;
    private Optimizer tableOwner;
    private List<TensorTable> grads;

    private DeviceScaling(Device device, DeviceArena arena, DeviceLossScaler scaler, Object holder) {
        this.device = device;
        this.arena = arena;
        this.scaler = scaler;
        this.cleanable = CLEANER.register(holder, arena::close);
    }

    /** Device state for {@code holder} on {@code device}, starting at {@code holder}'s scale and tracker. */
    static DeviceScaling start(GradScaler holder, Device device) {
        CudaBackend backend = CudaBackend.shared(device.index());
        DeviceArena arena = new DeviceArena(device.index());
        try {
            DeviceLossScaler s = DeviceLossScaler.create(backend, arena, holder.hostScale(), holder.growthFactor(),
                    holder.backoffFactor(), holder.growthInterval());
            s.restore(holder.hostScale(), holder.hostGrowthTracker());
            return new DeviceScaling(device, arena, s, holder);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    Device device() {
        return device;
    }

    /**
     * Queues one scaled step of {@code opt} (clipped to a {@code normType}-norm of {@code maxNorm}
     * unless it is NaN): found-inf
     * and the multiplier from one read-only norm pass, the step reading both, the scale update.
     * Nothing waits for the GPU.
     */
    void queueStep(Optimizer opt, double maxNorm, double normType) {
        if (opt != tableOwner) {
            List<Tensor> g = opt.gradients();
            grads = List.of(TensorTable.of(arena, g));
            tableOwner = opt;
        }
        scaler.queueBeginStep();
        if (Double.isNaN(maxNorm)) {
            scaler.queueUnscale(grads);  // L2, no clipping: GradScaler.step(opt)
        } else {
            scaler.queueUnscale(grads, maxNorm, normType);
        }
        opt.stepOnDevice(scaler.gradMultiplier(), scaler.foundInf());
        scaler.queueUpdate();
    }

    DeviceLossScaler scaler() {
        return scaler;
    }

    /** Frees the device state now. */
    void close() {
        cleanable.clean();
    }
}

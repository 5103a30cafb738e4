package dev.fusedstep.bench.gpu;

import java.util.List;

/**
 * One GPU measurement: what it steps (kernel, layout, tensor set, as bench/peers/torch_optim.py
 * names them, so that rows join with PyTorch's), the bytes a one-pass step must move per
 * parameter, the targets, and how to build it on the device.
 *
 * @param id            unique, stable; what {@code --cases} matches
 * @param kernel        the row's kernel, PyTorch's label where PyTorch measures the same job
 * @param layout        fusedstep's layout name (f32, master_bf16)
 * @param tensors       the tensor set's label ({@link TensorSets})
 * @param bytesPerParam bytes a one-pass implementation moves per parameter: GB/s comes from these
 * @param variant       how the step is driven (public Optimizer, stepOnDevice, DeviceInit, ...)
 * @param peerImpl      the impl of PyTorch's row to compare with (fused, op), or null for none
 * @param writeProbe    whether the write probe (memset) is this case's roofline instead of the copy (initializers)
 * @param targets       the targets for this case (maybe none)
 * @param note          what the row does, in a line
 * @param setup         builds the step on the device (runs only with a GPU)
 */
record GpuCase(String id, String kernel, String layout, String tensors, int bytesPerParam, String variant,
        String peerImpl, boolean writeProbe, List<Target> targets, String note, Setup setup) {

    GpuCase {
        if (id == null || id.isBlank() || kernel == null || layout == null || tensors == null || variant == null
                || setup == null) {
            throw new IllegalArgumentException("case " + id + ": got a null or blank field, expected id, kernel, layout,"
                    + " tensors, variant and setup");
        }
        if (bytesPerParam <= 0) {
            throw new IllegalArgumentException("bytesPerParam of " + id + ": got " + bytesPerParam + ", expected > 0");
        }
        targets = List.copyOf(targets);
    }

    /** The shapes of the tensor set. */
    List<long[]> shapes() {
        return TensorSets.shapes(tensors);
    }

    /** Parameters in one step. */
    long size() {
        return TensorSets.size(shapes());
    }

    /** Bytes one step must move. */
    long bytes() {
        return Math.multiplyExact(size(), bytesPerParam);
    }

    /** Builds a case's step in device memory. */
    @FunctionalInterface
    interface Setup {
        Workload open(DeviceContext device);
    }

    /** A case's step, built and ready: {@link #step} only queues work on the backend's stream. */
    interface Workload extends AutoCloseable {
        /** Queues one step; never waits for the GPU. */
        void step();

        /**
         * After {@code steps} steps: null if what the steps left behind is plausible, else what is
         * wrong (the row is then marked suspect). May wait for the GPU.
         */
        default String check(int steps) {
            return null;
        }

        /** Frees what {@link Setup#open} took beyond the case's arena. */
        @Override
        default void close() {}
    }
}

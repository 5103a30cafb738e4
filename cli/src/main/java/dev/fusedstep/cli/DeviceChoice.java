package dev.fusedstep.cli;

import dev.fusedstep.internal.cuda.CudaBackend;

/**
 * {@code --device} against what this machine has. The demo trains on the CPU: the CUDA kernels
 * and cuBLAS bindings exist, but the optimizer does not dispatch to CUDA yet, so {@code cuda} is
 * refused (with the reason when there is no usable GPU) and {@code auto} says why it used the CPU.
 */
final class DeviceChoice {
    private DeviceChoice() {}

    /** Why {@code device} cannot run here (exit code 2), or null when it can. */
    static String refusal(String device, CudaBackend.Availability gpu) {
        if (!device.equals("cuda")) {
            return null;
        }
        if (!gpu.available()) {
            return "--device cuda: no usable GPU here: " + gpu.reason() + ". Use --device cpu (or auto).";
        }
        return "--device cuda: a GPU is usable (" + gpu.reason() + "), but training on it is not wired in this version"
                + " (the optimizer does not dispatch to CUDA yet). Use --device cpu (or auto).";
    }

    /** The one line that says where the demo trains, and for {@code auto} why not on the GPU. */
    static String line(String device, CudaBackend.Availability gpu) {
        if (device.equals("cpu")) {
            return "training on the CPU (--device cpu).";
        }
        return gpu.available()
                ? "training on the CPU; the GPU is usable (" + gpu.reason() + ") but the optimizer does not dispatch to CUDA yet."
                : "training on the CPU; GPU not used: " + gpu.reason() + ".";
    }
}

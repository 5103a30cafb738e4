package dev.fusedstep.cli;

import dev.fusedstep.Device;
import dev.fusedstep.bindings.Cublas;
import dev.fusedstep.internal.cuda.CudaBackend;
import java.util.List;

/**
 * {@code --device} against what this machine has. The linear regression always runs on the CPU;
 * the MLP runs (and the PyTorch check) run on the CPU ({@code cpu}), on GPU 0 ({@code cuda},
 * refused with the reason where no GPU is usable), or on the CPU and, where a GPU is usable, on
 * the GPU too ({@code auto}, saying which and why).
 */
final class DeviceChoice {
    private DeviceChoice() {}

    /** The GPU the demo would use, {@code cuda:0}. */
    static final Device GPU = Device.cuda(0);

    /** Whether the demo's MLP can train on a GPU here (CUDA kernels and cuBLAS), and what was found or missing. */
    record Gpu(boolean usable, String reason) {
        static Gpu here() {
            CudaBackend.Availability a = CudaBackend.availability();
            if (!a.available()) {
                return new Gpu(false, a.reason());
            }
            if (!Cublas.library().isLoaded()) {
                return new Gpu(false, a.reason() + ", but no cuBLAS: " + Cublas.library().missingReason().orElse("not loaded"));
            }
            return new Gpu(true, a.reason());
        }
    }

    /** Why {@code device} cannot run here (exit code 2), or null when it can. */
    static String refusal(String device, Gpu gpu) {
        if (device.equals("cuda") && !gpu.usable()) {
            return "--device cuda: no usable GPU here: " + gpu.reason() + ". Use --device cpu (or auto).";
        }
        return null;
    }

    /** Where the MLP trains, in order: the CPU first when it trains at all. */
    static List<Device> devices(String device, Gpu gpu) {
        return switch (device) {
            case "cpu" -> List.of(Device.CPU);
            case "cuda" -> List.of(GPU);
            default -> gpu.usable() ? List.of(Device.CPU, GPU) : List.of(Device.CPU);
        };
    }

    /** The one line that says where the demo trains, and for {@code auto} why not on the GPU where it does not. */
    static String line(String device, Gpu gpu) {
        return switch (device) {
            case "cpu" -> "training on the CPU (--device cpu).";
            case "cuda" -> "training the MLP on the GPU, " + GPU + " (" + gpu.reason() + "); the linear regression on the CPU.";
            default -> gpu.usable()
                    ? "training on the CPU, and the MLP on the GPU too, " + GPU + " (" + gpu.reason() + ")."
                    : "training on the CPU; GPU not used: " + gpu.reason() + ".";
        };
    }

    /** "the CPU" or "the GPU (cuda:0)", for headings. */
    static String name(Device device) {
        return device.equals(Device.CPU) ? "the CPU" : "the GPU (" + device + ")";
    }
}

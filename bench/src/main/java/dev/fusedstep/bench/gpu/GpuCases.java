package dev.fusedstep.bench.gpu;

import static dev.fusedstep.bench.gpu.TensorSets.GPT2_SMALL;
import static dev.fusedstep.bench.gpu.TensorSets.MANY_4096;
import static dev.fusedstep.bench.gpu.TensorSets.ONE_64M;

import dev.fusedstep.bench.BenchRules;
import dev.fusedstep.bench.Layout;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.OptimizerRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every GPU case, in run order, with the speed targets. Kernel, layout and tensor labels
 * are those of bench/peers/torch_optim.py wherever PyTorch measures the same job, so rows join
 * on (kernel, layout, tensors, bytes per parameter). Building this list touches no GPU.
 */
final class GpuCases {
    private GpuCases() {}

    /** The plain float32 AdamW step on GPT-2 small: the baseline of the loss-scaled steps' targets. */
    static final String ADAMW_GPT2 = "adamw-f32-gpt2-small";

    private static final String OPTIMIZER = "cuda_optimizer";
    private static final String ON_DEVICE = "cuda_stepOnDevice";

    /** PyTorch's labels for the rules whose row we join with one of its rows (torch_optim.py's cuda_cases). */
    private static final Map<String, String> TORCH_KERNELS = Map.of("sgd_momentum", "SGD momentum",
            "adamw_amsgrad", "AdamW amsgrad");

    static List<GpuCase> all() {
        AdamW adamw = new AdamW();
        int adamwBytes = Layout.F32.bytesPerParam(adamw.stateNames().size());
        int masterBytes = Layout.MASTER_BF16.bytesPerParam(adamw.stateNames().size());
        List<GpuCase> cases = new ArrayList<>();
        cases.add(new GpuCase("adamw-f32-1x64M", "AdamW", "f32", ONE_64M, adamwBytes, OPTIMIZER, "fused", false,
                List.of(Target.ofCopy(0.90)), "Optimizer.step() over one tensor",
                Workloads.optimizer(adamw, Layout.F32, ONE_64M)));
        cases.add(new GpuCase(ADAMW_GPT2, "AdamW", "f32", GPT2_SMALL, adamwBytes, OPTIMIZER, "fused", false,
                List.of(Target.ofCopy(0.85)), "Optimizer.step(), one group: one launch over 148 tensors",
                Workloads.optimizer(adamw, Layout.F32, GPT2_SMALL)));
        cases.add(new GpuCase("adamw-f32-4096x4096", "AdamW", "f32", MANY_4096, adamwBytes, OPTIMIZER, "fused", false,
                List.of(Target.ofCopy(0.80)), "Optimizer.step(), one group: one launch from the cached pointer table",
                Workloads.optimizer(adamw, Layout.F32, MANY_4096)));
        cases.add(new GpuCase("adamw-master_bf16-gpt2-small", "AdamW", "master_bf16", GPT2_SMALL, masterBytes, OPTIMIZER,
                "fused", false, List.of(Target.ofCopy(0.85), Target.speedupVsTorch(5)),
                "BF16 params and grads, float32 master and states (Precision.masterWeights()), one pass;"
                        + " PyTorch's row is its cast-in, fused step, cast-out recipe",
                Workloads.optimizer(adamw, Layout.MASTER_BF16, GPT2_SMALL)));
        cases.add(new GpuCase("adamw-master_bf16-1x64M", "AdamW", "master_bf16", ONE_64M, masterBytes, OPTIMIZER, null,
                false, List.of(Target.ofCopy(0.85)), "BF16 params and grads, float32 master and states, one pass",
                Workloads.optimizer(adamw, Layout.MASTER_BF16, ONE_64M)));
        cases.add(new GpuCase("adamw-gradscaler-gpt2-small", "AdamW + GradScaler", "f32", GPT2_SMALL, adamwBytes + 4,
                ON_DEVICE, "fused", false, List.of(Target.timeVs(ADAMW_GPT2, 1.05)),
                "zero found_inf, inf check of grads x 1/scale (DeviceOps.norm INF), stepOnDevice(1/scale, found_inf);"
                        + " scale 1, no scale update",
                Workloads.lossScaled(adamw, GPT2_SMALL)));
        cases.add(new GpuCase("adamw-clip-gpt2-small", "AdamW + clip_grad_norm_", "f32", GPT2_SMALL, adamwBytes + 4,
                ON_DEVICE, "fused", false, List.of(),
                "L2 norm, clip coefficient (max_norm 1), stepOnDevice(coefficient): grads never rewritten",
                Workloads.clipped(adamw, GPT2_SMALL)));
        cases.add(new GpuCase("adamw-gradscaler-clip-gpt2-small", "AdamW + GradScaler + clip_grad_norm_", "f32",
                GPT2_SMALL, adamwBytes + 4, ON_DEVICE, null, false, List.of(Target.timeVs(ADAMW_GPT2, 1.15)),
                "zero found_inf, L2 norm of grads x 1/scale (its found_inf is the inf check), clip coefficient,"
                        + " 1/scale x coefficient, stepOnDevice(multiplier, found_inf)",
                Workloads.lossScaledAndClipped(adamw, GPT2_SMALL)));
        for (String name : BenchRules.names()) {
            if (name.equals("adamw")) {
                continue;  // the first case
            }
            OptimizerRule rule = BenchRules.of(name);
            String torchKernel = TORCH_KERNELS.get(name);
            cases.add(new GpuCase(name.replace('_', '-') + "-f32-1x64M", torchKernel != null ? torchKernel : label(name, rule),
                    "f32", ONE_64M, Layout.F32.bytesPerParam(rule.stateNames().size()), OPTIMIZER,
                    torchKernel != null ? "fused" : null, false, List.of(Target.ofCopy(0.85)),
                    "Optimizer.step(), PyTorch's defaults" + (name.startsWith("sgd") ? " (lr 1e-3)" : ""),
                    Workloads.optimizer(rule, Layout.F32, ONE_64M)));
        }
        cases.add(new GpuCase("normal-1x64M", "normal_", "f32", ONE_64M, 4, "cuda_DeviceInit", "op", true,
                List.of(Target.ofWrite(0.85)), "DeviceInit.normal (Init.normal's kernel), queued without a wait",
                Workloads.normalQueued(ONE_64M)));
        cases.add(new GpuCase("uniform-1x64M", "uniform_", "f32", ONE_64M, 4, "cuda_DeviceInit", null, true,
                List.of(Target.ofWrite(0.85)), "DeviceInit.uniform (Init.uniform's kernel), queued without a wait",
                Workloads.uniformQueued(ONE_64M)));
        cases.add(new GpuCase("normal-init-api-1x64M", "normal_", "f32", ONE_64M, 4, "cuda_Init", "op", true, List.of(),
                "Init.normal, the public API: waits for its kernel, so every step includes a host round trip",
                Workloads.normalPublic(ONE_64M)));
        return List.copyOf(cases);
    }

    /** The cases whose id {@code filter} finds (null: all), in run order. */
    static List<GpuCase> select(List<GpuCase> cases, Pattern filter) {
        return filter == null ? cases : cases.stream().filter(c -> filter.matcher(c.id()).find()).toList();
    }

    /** "RMSprop centered" for rmsprop_centered: PyTorch's class name and the variant. */
    static String label(String name, OptimizerRule rule) {
        int u = name.indexOf('_');
        return u < 0 ? rule.torchName() : rule.torchName() + " " + name.substring(u + 1);
    }
}

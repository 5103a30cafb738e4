package dev.fusedstep.conformance;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.internal.cuda.DeviceOptimizerGroup;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.ScalarState;
import java.util.Arrays;
import java.util.List;

/**
 * A case on a CUDA device: the parameter, gradient and states in device memory, one
 * multi-tensor launch per step (the kernels the GPU backend runs), copies back to compare.
 */
final class CudaReplay implements CaseReplay {

    private final CudaBackend backend;
    private final DeviceArena arena;
    private final OptimizerRule rule;
    private final Tensor param;
    private final Tensor grad;
    private final Tensor[] states;
    private final DeviceOptimizerGroup group;

    CudaReplay(OptimizerRule rule, float[] param0, int ordinal) {
        this.backend = CudaBackend.shared(ordinal);  // one per device for the JVM: a context per case would dominate
        this.rule = rule;
        this.arena = new DeviceArena(ordinal);
        try {
            param = arena.upload(Tensor.of(param0));
            grad = arena.allocate(DType.F32, param0.length);
            List<String> names = rule.stateNames();
            states = new Tensor[names.size()];
            for (int k = 0; k < states.length; k++) {
                float[] init = new float[param0.length];
                Arrays.fill(init, rule.initialStateValue(names.get(k)));
                states[k] = arena.upload(Tensor.of(init));
            }
            group = DeviceOptimizerGroup.create(backend, arena, rule, List.of(param), List.of(grad),
                    List.<Tensor[]>of(states), null);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static float[] download(Tensor device) {
        float[] out = new float[Math.toIntExact(device.numel())];
        DeviceArena.copy(device, Tensor.of(out));
        return out;
    }

    @Override
    public String backend() {
        return backend.device() + " (" + backend.info().describe() + ")";
    }

    @Override
    public void gradient(float[] values) {
        DeviceArena.copy(Tensor.of(values), grad);
    }

    @Override
    public void step() {
        group.step();
    }

    @Override
    public float[] param() {
        return download(param);
    }

    @Override
    public float[] state(String name) {
        return download(states[rule.stateNames().indexOf(name)]);
    }

    @Override
    public ScalarState scalarState() {
        return group.scalarState();
    }

    @Override
    public void close() {
        arena.close();
    }
}

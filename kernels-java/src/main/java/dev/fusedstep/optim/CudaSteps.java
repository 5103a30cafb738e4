package dev.fusedstep.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.init.Init;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.internal.cuda.DeviceOptimizerGroup;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer's state and steps on one CUDA device: state buffers and master weights in a
 * {@link DeviceArena}, one {@link DeviceOptimizerGroup} per parameter group (one launch per group
 * and step, from a pointer table built once), all on the device's shared backend stream.
 *
 * <p>{@link #step} only queues work: it never waits for the GPU. A gradient multiplier other than
 * 1 is copied into device memory in stream order first. The step count lives on the device, one
 * per group (the CPU keeps one per parameter; they are equal because every parameter of a group
 * steps together); reading it ({@link #scalarState}) waits for the queued steps.
 */
final class CudaSteps extends StepEngine {

    private final CudaBackend backend;
    private final DeviceArena arena;
    private final Arena hostArena;
    private final DeviceOptimizerGroup[] deviceGroups;
    private final int[] groupOf;
    /** A device float the step reads its gradient multiplier from, when it is not 1. */
    private final MemorySegment gradScaleSlot;
    /** Host source of that copy; the runtime reads pageable memory before memcpyAsync returns. */
    private final MemorySegment gradScaleHost;
    private boolean open = true;

    CudaSteps(Device device, List<ParamGroup> groups, Param[] params, int[] groupOf) {
        super(params.length);
        this.groupOf = groupOf;
        this.backend = CudaBackend.shared(device.index());
        this.arena = new DeviceArena(device.index());
        this.hostArena = Arena.ofShared();
        int n = params.length;
        deviceGroups = new DeviceOptimizerGroup[groups.size()];
        try {
            for (int i = 0; i < n; i++) {
                Param p = params[i];
                ParamGroup group = groups.get(groupOf[i]);
                Precision precision = group.precision();
                if (precision.float32Master()) {
                    masters[i] = arena.allocate(DType.F32, p.param().shape());
                    Casts.convert(p.param(), masters[i]);
                }
                DType stateType = precision.stateDtypeFor(p.param().dtype());
                List<String> names = group.rule().stateNames();
                stateTensors[i] = new Tensor[names.size()];
                for (int s = 0; s < names.size(); s++) {
                    Tensor t = arena.allocate(stateType, p.param().shape());
                    float init = group.rule().initialStateValue(names.get(s));
                    if (init != 0f) {
                        Init.constant(t, init);
                    }
                    stateTensors[i][s] = t;
                }
            }
            for (int g = 0; g < groups.size(); g++) {
                deviceGroups[g] = createGroup(groups.get(g), params, g);
            }
            gradScaleSlot = arena.allocateBytes(Float.BYTES);
            gradScaleHost = hostArena.allocate(JAVA_FLOAT);  // the casts and fills above have waited for their kernels
        } catch (RuntimeException e) {
            arena.close();
            hostArena.close();
            throw e;
        }
    }

    private DeviceOptimizerGroup createGroup(ParamGroup group, Param[] params, int g) {
        List<DeviceOptimizerGroup.Row> rows = new ArrayList<>();
        for (int i = 0; i < params.length; i++) {
            if (groupOf[i] == g) {
                // The index keys stochastic rounding as the CPU's does: the parameter's position in the optimizer.
                rows.add(new DeviceOptimizerGroup.Row(i, params[i].param(), params[i].grad(), masters[i], stateTensors[i]));
            }
        }
        return DeviceOptimizerGroup.create(backend, arena, group.rule(), group.precision(), rows, null);
    }

    @Override
    public void step(float gradScale) {
        if (!open) {
            throw new IllegalStateException("optimizer: closed, expected an open optimizer");
        }
        MemorySegment multiplier = MemorySegment.NULL;
        if (gradScale != 1f) {
            gradScaleHost.set(JAVA_FLOAT, 0, gradScale);
            backend.makeCurrent();
            Cuda.memcpyAsync(gradScaleSlot, gradScaleHost, Float.BYTES, CudaRuntime.cudaMemcpyHostToDevice, backend.stream());
            multiplier = gradScaleSlot;
        }
        for (DeviceOptimizerGroup group : deviceGroups) {
            group.step(multiplier, MemorySegment.NULL);
        }
    }

    /**
     * Queues one step whose gradient multiplier and found-inf flag are read from device memory
     * (either may be NULL): a device-side loss scaler's step, with no host synchronization.
     */
    void stepOnDevice(MemorySegment gradMultiplier, MemorySegment foundInf) {
        if (!open) {
            throw new IllegalStateException("optimizer: closed, expected an open optimizer");
        }
        for (DeviceOptimizerGroup group : deviceGroups) {
            group.step(gradMultiplier, foundInf);
        }
    }

    @Override
    public ScalarState scalarState(int param) {
        return deviceGroups[groupOf[param]].scalarState();
    }

    @Override
    public void restoreScalarState(int param, ScalarState saved) {
        deviceGroups[groupOf[param]].restoreScalarState(saved);
    }

    @Override
    public void ruleChanging(int group, OptimizerRule rule) {
        deviceGroups[group].setRule(rule);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Waits for the queued steps, then frees the device state. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        try {
            backend.synchronize();
        } finally {
            arena.close();
            hostArena.close();
        }
    }
}

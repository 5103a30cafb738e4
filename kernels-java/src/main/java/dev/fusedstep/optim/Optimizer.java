package dev.fusedstep.optim;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.checkpoint.TrainingState;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cuda.CudaBackend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fused optimizer steps over parameter groups. It owns the state buffers (off-heap, or in device
 * memory, freed on close) and the step counts; {@link #step()} updates every parameter of every
 * group from its gradient in one pass. State is readable under PyTorch's names.
 *
 * <p>Where the work runs follows the tensors: parameters and gradients on the CPU step there,
 * split into fixed chunks over worker threads; on a CUDA device (tensors from
 * {@code DeviceArena}) each group steps in one kernel launch on that device, queued without
 * waiting for the GPU. Every tensor of one optimizer lives on one device.
 *
 * <pre>{@code
 * try (Optimizer opt = Optimizer.builder()
 *         .group(new AdamW().withLr(1e-3), Param.of("w", w, gradW))
 *         .group(new AdamW().withLr(1e-3).withWeightDecay(0), Param.of("b", b, gradB))
 *         .build()) {
 *     for (...) { computeGradients(); opt.step(); }
 * }
 * }</pre>
 *
 * <p>On the CPU {@code step()} allocates nothing and checks, before writing anything, that every
 * buffer is still open. Not thread-safe: one thread steps an optimizer at a time.
 */
public final class Optimizer implements AutoCloseable {

    private final List<ParamGroup> groups;
    private final Map<String, Integer> indexByName;
    private final Param[] params;
    private final int[] groupOf;
    private final Device device;
    private final StepEngine engine;

    private Optimizer(Builder b) {
        if (b.groups.isEmpty()) {
            throw new IllegalArgumentException("groups: got none, expected at least one group of parameters");
        }
        List<Param> all = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int g = 0; g < b.groups.size(); g++) {
            for (Param p : b.groups.get(g).params) {
                all.add(p);
                owner.add(g);
            }
        }
        device = all.get(0).param() == null ? Device.CPU : all.get(0).param().device();
        List<TensorChecks.Buffer> buffers = validate(all, device);
        for (int g = 0; g < b.groups.size(); g++) {
            validatePrecision(g, b.groups.get(g));
        }
        if (device.kind() == Device.Kind.CUDA) {
            requireCuda(b, all.get(0));
        }
        int n = all.size();
        params = all.toArray(new Param[0]);
        groupOf = owner.stream().mapToInt(Integer::intValue).toArray();
        indexByName = new HashMap<>();
        for (int i = 0; i < n; i++) {
            indexByName.put(params[i].name(), i);
        }

        List<ParamGroup> gs = new ArrayList<>();
        for (int g = 0; g < b.groups.size(); g++) {
            int gi = g;
            gs.add(new ParamGroup(b.groups.get(g).rule, b.groups.get(g).precision, b.groups.get(g).params,
                    rule -> ruleChanging(gi, rule)));
        }
        groups = List.copyOf(gs);
        engine = device.kind() == Device.Kind.CUDA
                ? new CudaSteps(device, groups, params, groupOf)
                : new CpuSteps(groups, params, groupOf, buffers, b.vectorized, b.threads);
    }

    private void ruleChanging(int group, OptimizerRule rule) {
        engine.ruleChanging(group, rule);
    }

    /** A builder: add groups, optionally pin threads or the kernel kind, then {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Takes one step for every parameter of every group. */
    public void step() {
        step(1f);
    }

    /**
     * Takes one step with every gradient multiplied by {@code gradScale} inside the step kernel
     * (no pass writes the gradients): the loss scaler's {@code 1/scale} times the clip
     * coefficient. A multiplier of 1 changes no bit.
     */
    public void step(float gradScale) {
        if (!Float.isFinite(gradScale)) {
            throw new IllegalArgumentException("gradScale: got " + gradScale + ", expected a finite multiplier");
        }
        engine.step(gradScale);
    }

    /**
     * On a CUDA device: queues one step whose gradient multiplier ({@code float}) and found-inf
     * flag ({@code float}, non-zero skips the step, as PyTorch's GradScaler) are read from device
     * memory; either may be {@code MemorySegment.NULL}. No host synchronization: what a
     * device-side loss scaler and clipping pass use.
     *
     * @throws IllegalStateException on the CPU, whose steps take the multiplier as a float
     */
    public void stepOnDevice(MemorySegment gradMultiplier, MemorySegment foundInf) {
        if (!(engine instanceof CudaSteps cuda)) {
            throw new IllegalStateException("stepOnDevice: this optimizer's tensors are on " + device
                    + ", expected a CUDA device (on the CPU call step(gradScale))");
        }
        cuda.stepOnDevice(gradMultiplier == null ? MemorySegment.NULL : gradMultiplier,
                foundInf == null ? MemorySegment.NULL : foundInf);
    }

    /** The device every parameter, gradient and state of this optimizer lives on. */
    public Device device() {
        return device;
    }

    /** The groups, in the order they were added. */
    public List<ParamGroup> groups() {
        return groups;
    }

    /** State buffer {@code stateName} (PyTorch's name, e.g. {@code "exp_avg"}) of parameter {@code paramName}. */
    public Tensor state(String paramName, String stateName) {
        int i = indexOf(paramName);
        List<String> names = groups.get(groupOf[i]).rule().stateNames();
        int s = names.indexOf(stateName);
        if (s < 0) {
            throw new IllegalArgumentException("stateName: got \"" + stateName + "\", expected one of " + names);
        }
        return engine.states(i)[s];
    }

    /** Every state buffer of parameter {@code paramName}, by PyTorch name, in kernel order. */
    public Map<String, Tensor> states(String paramName) {
        int i = indexOf(paramName);
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> names = groups.get(groupOf[i]).rule().stateNames();
        Tensor[] states = engine.states(i);
        for (int s = 0; s < names.size(); s++) {
            out.put(names.get(s), states[s]);
        }
        return out;
    }

    /** The float32 master copy of half-precision parameter {@code paramName} (groups with {@link Precision#masterWeights()}). */
    public Tensor masterWeights(String paramName) {
        Tensor m = engine.master(indexOf(paramName));
        if (m == null) {
            throw new IllegalArgumentException("paramName: \"" + paramName + "\" has no master weights, expected a parameter"
                    + " of a group built with Precision.masterWeights()");
        }
        return m;
    }

    /** Every parameter's gradient, in group order (what a loss scaler or clipping pass reads). */
    public List<Tensor> gradients() {
        List<Tensor> out = new ArrayList<>(params.length);
        for (Param p : params) {
            out.add(p.grad());
        }
        return out;
    }

    /**
     * The scalar state ({@code step}, {@code mu_product}) of parameter {@code paramName}. On a CUDA
     * device this waits for the queued steps and returns a copy.
     */
    public ScalarState scalarState(String paramName) {
        return engine.scalarState(indexOf(paramName));
    }

    /**
     * Resumes parameter {@code paramName} at {@code saved}'s step count and {@code mu_product}
     * (what a checkpoint load does; the state buffers are written through {@link #states}). On a
     * CUDA device the count is kept per group, so this sets it for the parameter's whole group.
     */
    public void restoreScalarState(String paramName, ScalarState saved) {
        if (saved == null) {
            throw new IllegalArgumentException("saved: got null, expected a ScalarState");
        }
        engine.restoreScalarState(indexOf(paramName), saved);
    }

    /** Whether {@link #close()} has not been called: the state buffers are readable and writable. */
    public boolean isOpen() {
        return engine.isOpen();
    }

    /**
     * Writes this optimizer's whole state (buffers, master weights, step counts, hyperparameters)
     * to a safetensors checkpoint at {@code path}, atomically; see {@link TrainingState}.
     */
    public void save(Path path) throws IOException {
        TrainingState.of(this).save(path);
    }

    /**
     * Restores the state {@link #save} wrote, after checking the whole file (checksum, header,
     * that it matches this optimizer); on any error nothing is changed.
     */
    public void load(Path path) throws IOException {
        TrainingState.of(this).load(path);
    }

    /** Worker threads a step runs on, the caller included (0 on a CUDA device). */
    public int threads() {
        return engine instanceof CpuSteps cpu ? cpu.threads() : 0;
    }

    /** Whether the Vector API loops run (otherwise the scalar loops); false on a CUDA device. */
    public boolean vectorized() {
        return engine instanceof CpuSteps cpu && cpu.vectorized();
    }

    private int indexOf(String paramName) {
        Integer i = indexByName.get(paramName);
        if (i == null) {
            throw new IllegalArgumentException("paramName: got \"" + paramName + "\", expected one of " + indexByName.keySet());
        }
        return i;
    }

    /** Frees the state buffers (and the worker threads, if this optimizer has its own). */
    @Override
    public void close() {
        engine.close();
    }

    private static List<TensorChecks.Buffer> validate(List<Param> all, Device device) {
        Map<String, Boolean> names = new HashMap<>();
        List<TensorChecks.Buffer> buffers = new ArrayList<>();
        String first = "param '" + all.get(0).name() + "'";
        for (Param p : all) {
            if (names.put(p.name(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("name: got \"" + p.name() + "\" twice, expected unique parameter names");
            }
            String pn = "param '" + p.name() + "'";
            String gn = "grad '" + p.name() + "'";
            TensorChecks.requireUsableOn(pn, p.param(), device, first, DType.F32, DType.BF16, DType.F16);
            TensorChecks.requireUsableOn(gn, p.grad(), device, first, DType.F32, DType.BF16, DType.F16);
            if (p.grad().dtype() != p.param().dtype()) {
                throw new IllegalArgumentException(gn + ": got dtype " + p.grad().dtype() + ", expected "
                        + p.param().dtype() + " (the dtype of " + pn + ")");
            }
            TensorChecks.requireWritable(pn, p.param());
            TensorChecks.requireSameLength(gn, p.grad(), pn, p.param());
            buffers.add(new TensorChecks.Buffer(pn, p.param().segment(), true));
            buffers.add(new TensorChecks.Buffer(gn, p.grad().segment(), false));
        }
        TensorChecks.requireNoOverlap(buffers);
        return buffers;
    }

    /** The CPU-only builder options are refused, and CUDA must be usable, before any device memory is taken. */
    private static void requireCuda(Builder b, Param first) {
        if (b.threads != null || b.vectorized != null) {
            throw new IllegalArgumentException((b.threads != null ? "threads" : "vectorized") + ": set, but param '"
                    + first.name() + "' is on " + first.param().device() + "; expected CPU tensors (threads and the"
                    + " vector/scalar choice apply to the CPU backend only)");
        }
        CudaBackend.Availability a = CudaBackend.availability();
        if (!a.available()) {
            throw new IllegalStateException("param '" + first.name() + "': on " + first.param().device()
                    + ", but the CUDA backend is unavailable: " + a.reason());
        }
    }

    private static void validatePrecision(int g, Builder.GroupSpec spec) {
        Precision precision = spec.precision;
        for (Param p : spec.params) {
            DType dtype = p.param().dtype();
            if (precision.float32Master() && dtype == DType.F32) {
                throw new IllegalArgumentException("precision: group " + g + " asks for master weights, but param '"
                        + p.name() + "' is already F32; expected BF16 or F16 parameters");
            }
            if (precision.stochasticRounding() && dtype != DType.BF16) {
                throw new IllegalArgumentException("precision: group " + g + " asks for stochastic rounding, but param '"
                        + p.name() + "' is " + dtype + "; expected BF16 parameters");
            }
        }
    }

    /** Collects groups; see {@link Optimizer}. */
    public static final class Builder {
        private record GroupSpec(OptimizerRule rule, Precision precision, List<Param> params) {}

        private final List<GroupSpec> groups = new ArrayList<>();
        private Integer threads;
        private Boolean vectorized;

        private Builder() {}

        /** Adds a group of parameters stepped with {@code rule}, states in the parameters' dtype. */
        public Builder group(OptimizerRule rule, List<Param> params) {
            return group(rule, Precision.defaults(), params);
        }

        /** Adds a group of parameters stepped with {@code rule}, stored as {@code precision} says. */
        public Builder group(OptimizerRule rule, Precision precision, Param... params) {
            return group(rule, precision, params == null ? null : List.of(params));
        }

        /** Adds a group of parameters stepped with {@code rule}, stored as {@code precision} says. */
        public Builder group(OptimizerRule rule, Precision precision, List<Param> params) {
            if (precision == null) {
                throw new IllegalArgumentException("precision: got null, expected e.g. Precision.defaults()");
            }
            if (rule == null) {
                throw new IllegalArgumentException("rule: got null, expected an optimizer rule such as new AdamW()");
            }
            if (params == null || params.isEmpty()) {
                throw new IllegalArgumentException("params: got " + (params == null ? "null" : "an empty list")
                        + ", expected at least one parameter");
            }
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i) == null) {
                    throw new IllegalArgumentException("params[" + i + "]: got null, expected a Param");
                }
            }
            groups.add(new GroupSpec(rule, precision, List.copyOf(params)));
            return this;
        }

        /** Adds a group of parameters stepped with {@code rule}. */
        public Builder group(OptimizerRule rule, Param... params) {
            return group(rule, params == null ? null : List.of(params));
        }

        /** Runs steps on {@code threads} threads of this optimizer's own (default: the shared pool, all cores). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads: got " + threads + ", expected >= 1");
            }
            this.threads = threads;
            return this;
        }

        /**
         * Chooses the Vector API loops ({@code true}, only where available) or the scalar loops
         * ({@code false}); by default the Vector API whenever it is available.
         */
        public Builder vectorized(boolean vectorized) {
            this.vectorized = vectorized;
            return this;
        }

        /** Validates every tensor, allocates the state, and returns the optimizer. */
        public Optimizer build() {
            return new Optimizer(this);
        }
    }
}

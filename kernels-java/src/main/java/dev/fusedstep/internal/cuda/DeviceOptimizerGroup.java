package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.bindings.KernelArgs;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Precision;
import dev.fusedstep.optim.ScalarState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One parameter group's fused step on the GPU: a rule, its parameters, gradients, state buffers
 * and float32 master copies (device tensors in any layout the CPU Optimizer accepts, see
 * {@link Precision}; states in {@code rule.stateNames()} order), a table of their pointers and
 * a control block ({@code fs_group}) in device memory.
 *
 * <p>{@link #step} queues two launches and never waits: a one-thread kernel that advances the
 * step count and computes this step's scalars (bias corrections, step sizes) from the learning
 * rate and step in device memory, in double, as the CPU's {@code OptimizerKernel.prepare} does on
 * the host; then one multi-tensor kernel over every tensor of the group. An optional gradient
 * multiplier (1/loss scale, times a clip coefficient) and found-inf flag are read from device
 * memory too; with found-inf set neither kernel writes anything (the step count stays).
 *
 * <p>The step count is per group (PyTorch keeps one per parameter; they are equal unless
 * parameters join a group late). The CPU computes the per-step scalars in double with Java's
 * {@code Math.pow}, the GPU with CUDA's double {@code pow}; both are within an ulp or two of the
 * exact double, and the scalars are then rounded to float, so they agree except when that double
 * lies within a couple of ulps of a float rounding boundary (about one scalar in 2^28).
 */
public final class DeviceOptimizerGroup {

    private final CudaBackend backend;
    private OptimizerRule rule;
    private DeviceRule deviceRule;
    /** Fixed when built; its stochastic-rounding flag is part of the control block's flags. */
    private final Precision precision;
    private final TensorTable table;
    private final MemorySegment control;
    private final String stepKernel;
    private final int stepGrid;

    private DeviceOptimizerGroup(CudaBackend backend, OptimizerRule rule, DeviceRule deviceRule, Precision precision,
            TensorTable table, MemorySegment control, String stepKernel) {
        this.backend = backend;
        this.rule = rule;
        this.deviceRule = deviceRule;
        this.precision = precision;
        this.table = table;
        this.control = control;
        this.stepKernel = stepKernel;
        // Look the kernels up and size the grid now, so that a step (and its capture) only queues launches.
        backend.kernel(deviceRule.prepareKernel());
        this.stepGrid = backend.gridFor(stepKernel, table.totalChunks());
    }

    /**
     * One parameter of a device group: its index in the optimizer (keys stochastic rounding),
     * param, grad, float32 master (null unless the precision has master weights) and states in
     * {@code rule.stateNames()} order, in the precision's state dtype, already holding their
     * initial values.
     */
    public record Row(int index, Tensor param, Tensor grad, Tensor master, Tensor[] states) {}

    /**
     * A group over {@code params[i]}, {@code grads[i]} and {@code states.get(i)} (each state in
     * {@code rule.stateNames()} order, already holding its initial value), in one dtype per
     * parameter (states in the param's dtype, as {@link Precision#defaults()}), on the backend's
     * device, starting from {@code start} (step count and NAdam's mu_product). Row indices are the
     * list positions.
     */
    public static DeviceOptimizerGroup create(CudaBackend backend, DeviceArena arena, OptimizerRule rule,
            List<Tensor> params, List<Tensor> grads, List<Tensor[]> states, ScalarState start) {
        if (params.isEmpty() || params.size() != grads.size() || params.size() != states.size()) {
            throw new IllegalArgumentException("params, grads, states: got " + params.size() + ", " + grads.size()
                    + ", " + states.size() + " entries, expected the same number, at least one");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            rows.add(new Row(i, params.get(i), grads.get(i), null, states.get(i)));
        }
        return create(backend, arena, rule, Precision.defaults(), rows, start);
    }

    /**
     * A group over {@code rows}, stored as {@code precision} says, as the CPU Optimizer stores a
     * group: params F32, BF16 or F16 (each row its own; grads in their param's dtype), states in
     * {@code precision.stateDtypeFor(param dtype)}, a float32 master per row exactly when
     * {@code precision.float32Master()} (half params only), stochastic rounding for BF16 params
     * only. The step gives the CPU Optimizer's bits in every layout, stochastic rounding included.
     * Everything is checked before any device memory is allocated; the table and the control
     * block come from {@code arena}.
     */
    public static DeviceOptimizerGroup create(CudaBackend backend, DeviceArena arena, OptimizerRule rule,
            Precision precision, List<Row> rows, ScalarState start) {
        if (rule == null) {
            throw new IllegalArgumentException("rule: got null, expected an optimizer rule");
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision: got null, expected e.g. Precision.defaults()");
        }
        if (rows == null || rows.isEmpty()) {
            throw new IllegalArgumentException("rows: got " + (rows == null ? "null" : "an empty list")
                    + ", expected at least one row");
        }
        if (!arena.device().equals(backend.device())) {
            throw new IllegalArgumentException("arena: got one on " + arena.device() + ", expected " + backend.device()
                    + " like the backend");
        }
        DeviceRule dr = DeviceRule.of(rule);
        int n = rows.size();
        List<MemorySegment[]> pointers = new ArrayList<>();
        List<DeviceBuffer> buffers = new ArrayList<>();
        long[] numel = new long[n];
        DType[] dtypes = new DType[n], stateDtypes = new DType[n];
        int[] indices = new int[n];
        Set<Integer> seen = new HashSet<>();
        boolean float32Only = true;
        for (int r = 0; r < n; r++) {
            Row row = rows.get(r);
            String at = "rows[" + r + "]";
            if (row == null) {
                throw new IllegalArgumentException(at + ": got null, expected a Row");
            }
            if (row.index() < 0 || !seen.add(row.index())) {
                throw new IllegalArgumentException(at + ".index: got " + row.index()
                        + ", expected a parameter index >= 0 that no other row has");
            }
            Tensor p = row.param();
            require(at + ".param", p, backend, -1, DType.F32, DType.BF16, DType.F16);
            DType pd = p.dtype();
            require(at + ".grad", row.grad(), backend, p.numel(), pd);
            if (precision.float32Master() && pd == DType.F32) {
                throw new IllegalArgumentException(at + ".param: got F32 under a precision with master weights,"
                        + " expected BF16 or F16 (master weights are for half parameters)");
            }
            if (precision.stochasticRounding() && pd != DType.BF16) {
                throw new IllegalArgumentException(at + ".param: got " + pd + " under a precision with stochastic"
                        + " rounding, expected BF16");
            }
            if (precision.float32Master()) {
                require(at + ".master", row.master(), backend, p.numel(), DType.F32);
            } else if (row.master() != null) {
                throw new IllegalArgumentException(at + ".master: got a tensor, expected null (the precision has no"
                        + " master weights)");
            }
            DType sd = precision.stateDtypeFor(pd);
            Tensor[] s = row.states();
            if (s == null || s.length != dr.states()) {
                throw new IllegalArgumentException(at + ".states: got " + (s == null ? "null" : s.length + " tensors")
                        + ", expected " + dr.states() + " " + rule.stateNames() + " for " + rule.torchName());
            }
            MemorySegment[] ptrs = new MemorySegment[DeviceLayouts.ROW_POINTERS];
            ptrs[0] = p.segment();
            ptrs[1] = row.grad().segment();
            buffers.add(new DeviceBuffer(at + ".param", p));
            buffers.add(new DeviceBuffer(at + ".grad", row.grad()));
            for (int k = 0; k < s.length; k++) {
                String name = at + ".states[" + k + "] (" + rule.stateNames().get(k) + ")";
                require(name, s[k], backend, p.numel(), sd);
                ptrs[2 + k] = s[k].segment();
                buffers.add(new DeviceBuffer(name, s[k]));
            }
            if (row.master() != null) {
                ptrs[DeviceLayouts.ROW_MASTER_SLOT] = row.master().segment();
                buffers.add(new DeviceBuffer(at + ".master", row.master()));
            }
            pointers.add(ptrs);
            numel[r] = p.numel();
            dtypes[r] = pd;
            stateDtypes[r] = sd;
            indices[r] = row.index();
            float32Only &= pd == DType.F32 && (s.length == 0 || sd == DType.F32);
        }
        requireNoOverlap(buffers);
        TensorTable table = TensorTable.build(arena, pointers, numel, dtypes, stateDtypes, indices);
        MemorySegment control = arena.allocateBytes(DeviceLayouts.GROUP.byteSize());
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment host = staging.allocate(DeviceLayouts.GROUP);
            writeGroup(host, dr, precision, start);
            Cuda.setDevice(backend.ordinal());
            Cuda.memcpy(control, host, host.byteSize(), CudaRuntime.cudaMemcpyHostToDevice);
        }
        // all-float32 groups get the lean float32 kernel (its registers, its occupancy); the rest the layouts kernel
        String stepKernel = float32Only ? dr.stepKernel() : dr.layoutsStepKernel();
        return new DeviceOptimizerGroup(backend, rule, dr, precision, table, control, stepKernel);
    }

    /**
     * Writes a fresh control block ({@code fs_group}) into zeroed host memory: the rule's
     * learning rate, constants and flags, and the step count and mu_product of {@code start}
     * (a fresh state if null). Host-side only, shared with the host emulation test.
     */
    static void writeGroup(MemorySegment host, DeviceRule dr, ScalarState start) {
        writeGroup(host, dr, Precision.defaults(), start);
    }

    /** As {@link #writeGroup(MemorySegment, DeviceRule, ScalarState)}, with the precision's stochastic rounding and seed. */
    static void writeGroup(MemorySegment host, DeviceRule dr, Precision precision, ScalarState start) {
        ScalarState from = start == null ? new ScalarState() : start;
        host.set(JAVA_DOUBLE, DeviceLayouts.GROUP_LR, dr.lr());
        for (int h = 0; h < DeviceLayouts.HYPER_SLOTS; h++) {
            host.set(JAVA_DOUBLE, DeviceLayouts.GROUP_HYPER + 8L * h, dr.hyper()[h]);
        }
        host.set(JAVA_LONG, DeviceLayouts.GROUP_STEP, from.step());
        host.set(JAVA_DOUBLE, DeviceLayouts.GROUP_MU_PRODUCT, from.muProduct());
        int rounding = precision.stochasticRounding() ? DeviceLayouts.FLAG_STOCHASTIC : 0;
        host.set(JAVA_INT, DeviceLayouts.GROUP_FLAGS, dr.flags() | rounding);
        host.set(JAVA_LONG, DeviceLayouts.GROUP_SEED, precision.seed());
    }

    /** A named span of device memory, for the overlap check. */
    record DeviceBuffer(String name, long address, long bytes) {
        DeviceBuffer(String name, Tensor t) {
            this(name, t.segment().address(), t.numel() * t.dtype().byteSize());
        }
    }

    /** No two buffers of the group may share an element: the kernel reads and writes each once, unordered. */
    static void requireNoOverlap(List<DeviceBuffer> buffers) {
        List<DeviceBuffer> spans = new ArrayList<>(buffers);
        spans.removeIf(b -> b.bytes() == 0);  // empty buffers share nothing
        spans.sort(java.util.Comparator.comparingLong(DeviceBuffer::address));
        DeviceBuffer reach = null;  // the span reaching furthest so far
        for (DeviceBuffer b : spans) {
            if (reach != null && b.address() < reach.address() + reach.bytes()) {
                throw new IllegalArgumentException(b.name() + ": overlaps " + reach.name()
                        + " in device memory, expected separate buffers");
            }
            if (reach == null || b.address() + b.bytes() > reach.address() + reach.bytes()) {
                reach = b;
            }
        }
    }

    private static void require(String name, Tensor t, CudaBackend backend, long numel, DType... dtypes) {
        if (t == null) {
            throw new IllegalArgumentException(name + ": got null, expected a tensor on " + backend.device());
        }
        if (!t.device().equals(backend.device())) {
            throw new IllegalArgumentException(name + ": got a tensor on " + t.device() + ", expected " + backend.device()
                    + " (copy it with DeviceArena.copy first)");
        }
        if (!List.of(dtypes).contains(t.dtype())) {
            throw new IllegalArgumentException(name + ": got dtype " + t.dtype() + ", expected "
                    + (dtypes.length == 1 ? dtypes[0] : "one of " + List.of(dtypes)));
        }
        if (numel >= 0 && t.numel() != numel) {
            throw new IllegalArgumentException(name + ": got " + t.numel() + " elements, expected " + numel + " like its param");
        }
    }

    /**
     * Queues one step. {@code gradScale} (a device float, or NULL) multiplies every gradient;
     * {@code foundInf} (a device float, or NULL) skips the step when non-zero.
     */
    public void step(MemorySegment gradScale, MemorySegment foundInf) {
        try (Arena a = Arena.ofConfined()) {
            backend.launch(deviceRule.prepareKernel(), 1, 1, new KernelArgs(a).pointer(control).pointer(foundInf));
            if (table.totalChunks() > 0) {
                KernelArgs args = new KernelArgs(a).pointer(table.address()).i32(table.rows()).i64(table.totalChunks())
                        .pointer(control).pointer(gradScale).pointer(foundInf);
                backend.launch(stepKernel, stepGrid, DeviceLayouts.BLOCK_THREADS, args);
            }
        }
    }

    /** Queues one plain step: no gradient multiplier, no found-inf flag. */
    public void step() {
        step(MemorySegment.NULL, MemorySegment.NULL);
    }

    /**
     * Queues a write of the learning rate the next steps use (in stream order, so steps already
     * queued keep theirs). Not for use inside a graph capture: between replays, write the rate
     * this way, or capture a copy from page-locked memory that the host updates.
     */
    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr: got " + lr + ", expected a finite value >= 0");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocateFrom(JAVA_DOUBLE, lr);
            backend.makeCurrent();
            // From pageable memory the runtime copies the source before returning, so the arena may close.
            Cuda.memcpyAsync(lrAddress(), host, 8, CudaRuntime.cudaMemcpyHostToDevice, backend.stream());
        }
    }

    /** Device address of the learning rate (a double), for a capture that copies it from pinned memory. */
    public MemorySegment lrAddress() {
        return MemorySegment.ofAddress(control.address() + DeviceLayouts.GROUP_LR);
    }

    /** The step count and mu_product after the queued steps: waits for them (a synchronization point). */
    public ScalarState scalarState() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(DeviceLayouts.GROUP);
            backend.copyAndWait(host, control, host.byteSize(), CudaRuntime.cudaMemcpyDeviceToHost);
            return new ScalarState(host.get(JAVA_LONG, DeviceLayouts.GROUP_STEP),
                    host.get(JAVA_DOUBLE, DeviceLayouts.GROUP_MU_PRODUCT));
        }
    }

    /** The per-step scalars the last unskipped step used (waits): what the CPU's prepare computes. */
    public float[] scalars() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(DeviceLayouts.GROUP);
            backend.copyAndWait(host, control, host.byteSize(), CudaRuntime.cudaMemcpyDeviceToHost);
            return host.asSlice(DeviceLayouts.GROUP_SCALARS, 4L * DeviceLayouts.SCALAR_SLOTS).toArray(JAVA_FLOAT);
        }
    }

    /**
     * Queues, in stream order, the switch to {@code newRule} for the following steps (a schedule
     * changing lr, betas or weight decay): its learning rate, constants and flags replace the
     * group's; the step count stays. It must use the same kernel with the same states.
     */
    public void setRule(OptimizerRule newRule) {
        DeviceRule dr = DeviceRule.of(newRule);
        if (!dr.kernel().equals(deviceRule.kernel()) || dr.states() != deviceRule.states()) {
            throw new IllegalArgumentException("rule: got " + newRule.torchName() + " with " + dr.states()
                    + " state buffers, expected " + rule.torchName() + " with " + deviceRule.states()
                    + " (the group's kernel and states are fixed when it is built)");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(DeviceLayouts.GROUP);
            writeGroup(host, dr, precision, null);
            backend.makeCurrent();
            // lr and hyper are the block's first 64 bytes; flags one int further on. From pageable
            // memory the runtime copies the source before returning, so the arena may close.
            Cuda.memcpyAsync(control, host, DeviceLayouts.GROUP_STEP, CudaRuntime.cudaMemcpyHostToDevice, backend.stream());
            Cuda.memcpyAsync(MemorySegment.ofAddress(control.address() + DeviceLayouts.GROUP_FLAGS),
                    host.asSlice(DeviceLayouts.GROUP_FLAGS, 4), 4, CudaRuntime.cudaMemcpyHostToDevice, backend.stream());
        }
        this.rule = newRule;
        this.deviceRule = dr;
    }

    /** Queues, in stream order, setting the step count and mu_product (a checkpoint load). */
    public void restoreScalarState(ScalarState saved) {
        if (saved == null) {
            throw new IllegalArgumentException("saved: got null, expected a ScalarState");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(DeviceLayouts.GROUP);
            host.set(JAVA_LONG, DeviceLayouts.GROUP_STEP, saved.step());
            host.set(JAVA_DOUBLE, DeviceLayouts.GROUP_MU_PRODUCT, saved.muProduct());
            backend.makeCurrent();
            Cuda.memcpyAsync(MemorySegment.ofAddress(control.address() + DeviceLayouts.GROUP_STEP),
                    host.asSlice(DeviceLayouts.GROUP_STEP, 16), 16, CudaRuntime.cudaMemcpyHostToDevice, backend.stream());
        }
    }

    public OptimizerRule rule() {
        return rule;
    }

    public TensorTable table() {
        return table;
    }

    /** The step kernel this group launches: {@link DeviceRule#stepKernel()} for all-float32 groups, else the layouts one. */
    public String stepKernel() {
        return stepKernel;
    }

    /** The group's control block ({@code fs_group*}) in device memory. */
    public MemorySegment control() {
        return control;
    }
}

package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.bindings.KernelArgs;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.ScalarState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One parameter group's fused step on the GPU: a rule, its float32 parameters, gradients and
 * state buffers (device tensors, states in {@code rule.stateNames()} order), a table of their
 * pointers and a control block ({@code fs_group}) in device memory.
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
    private final TensorTable table;
    private final MemorySegment control;
    private final int stepGrid;

    private DeviceOptimizerGroup(CudaBackend backend, OptimizerRule rule, DeviceRule deviceRule, TensorTable table,
            MemorySegment control) {
        this.backend = backend;
        this.rule = rule;
        this.deviceRule = deviceRule;
        this.table = table;
        this.control = control;
        // Look the kernels up and size the grid now, so that a step (and its capture) only queues launches.
        backend.kernel(deviceRule.prepareKernel());
        this.stepGrid = backend.gridFor(deviceRule.stepKernel(), table.totalChunks());
    }

    /**
     * A group over {@code params[i]}, {@code grads[i]} and {@code states.get(i)} (each state in
     * {@code rule.stateNames()} order, already holding its initial value), all F32 on the
     * backend's device, starting from {@code start} (step count and NAdam's mu_product).
     * Device memory for the table and the control block comes from {@code arena}.
     */
    public static DeviceOptimizerGroup create(CudaBackend backend, DeviceArena arena, OptimizerRule rule,
            List<Tensor> params, List<Tensor> grads, List<Tensor[]> states, ScalarState start) {
        if (rule == null) {
            throw new IllegalArgumentException("rule: got null, expected an optimizer rule");
        }
        if (params.isEmpty() || params.size() != grads.size() || params.size() != states.size()) {
            throw new IllegalArgumentException("params, grads, states: got " + params.size() + ", " + grads.size()
                    + ", " + states.size() + " entries, expected the same number, at least one");
        }
        if (!arena.device().equals(backend.device())) {
            throw new IllegalArgumentException("arena: got one on " + arena.device() + ", expected " + backend.device()
                    + " like the backend");
        }
        DeviceRule dr = DeviceRule.of(rule);
        List<MemorySegment[]> rows = new ArrayList<>();
        long[] numel = new long[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            require("params[" + i + "]", p, backend, -1);
            require("grads[" + i + "]", grads.get(i), backend, p.numel());
            Tensor[] s = states.get(i);
            if (s == null || s.length != dr.states()) {
                throw new IllegalArgumentException("states[" + i + "]: got " + (s == null ? "null" : s.length + " tensors")
                        + ", expected " + dr.states() + " " + rule.stateNames() + " for " + rule.torchName());
            }
            MemorySegment[] row = new MemorySegment[2 + s.length];
            row[0] = p.segment();
            row[1] = grads.get(i).segment();
            for (int k = 0; k < s.length; k++) {
                require("states[" + i + "][" + k + "] (" + rule.stateNames().get(k) + ")", s[k], backend, p.numel());
                row[2 + k] = s[k].segment();
            }
            rows.add(row);
            numel[i] = p.numel();
        }
        requireNoOverlap(rows, numel);
        TensorTable table = TensorTable.build(arena, rows, numel);
        MemorySegment control = arena.allocateBytes(DeviceLayouts.GROUP.byteSize());
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment host = staging.allocate(DeviceLayouts.GROUP);
            writeGroup(host, dr, start);
            Cuda.setDevice(backend.ordinal());
            Cuda.memcpy(control, host, host.byteSize(), CudaRuntime.cudaMemcpyHostToDevice);
        }
        return new DeviceOptimizerGroup(backend, rule, dr, table, control);
    }

    /**
     * Writes a fresh control block ({@code fs_group}) into zeroed host memory: the rule's
     * learning rate, constants and flags, and the step count and mu_product of {@code start}
     * (a fresh state if null). Host-side only, shared with the host emulation test.
     */
    static void writeGroup(MemorySegment host, DeviceRule dr, ScalarState start) {
        ScalarState from = start == null ? new ScalarState() : start;
        host.set(JAVA_DOUBLE, DeviceLayouts.GROUP_LR, dr.lr());
        for (int h = 0; h < DeviceLayouts.HYPER_SLOTS; h++) {
            host.set(JAVA_DOUBLE, DeviceLayouts.GROUP_HYPER + 8L * h, dr.hyper()[h]);
        }
        host.set(JAVA_LONG, DeviceLayouts.GROUP_STEP, from.step());
        host.set(JAVA_DOUBLE, DeviceLayouts.GROUP_MU_PRODUCT, from.muProduct());
        host.set(JAVA_INT, DeviceLayouts.GROUP_FLAGS, dr.flags());
    }

    /** No two buffers of the group may share an element: the kernel reads and writes each once, unordered. */
    static void requireNoOverlap(List<MemorySegment[]> rows, long[] numel) {
        record Span(long from, long to, String name) {}
        List<Span> spans = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            MemorySegment[] row = rows.get(r);
            for (int k = 0; k < row.length; k++) {
                long from = row[k].address();
                String name = (k == 0 ? "params[" + r + "]" : k == 1 ? "grads[" + r + "]" : "states[" + r + "][" + (k - 2) + "]");
                spans.add(new Span(from, from + 4 * numel[r], name));
            }
        }
        spans.removeIf(sp -> sp.to() == sp.from());  // empty buffers share nothing
        spans.sort(java.util.Comparator.comparingLong(Span::from));
        Span reach = null;  // the span reaching furthest so far
        for (Span b : spans) {
            if (reach != null && b.from() < reach.to()) {
                throw new IllegalArgumentException(b.name() + ": overlaps " + reach.name()
                        + " in device memory, expected separate buffers");
            }
            if (reach == null || b.to() > reach.to()) {
                reach = b;
            }
        }
    }

    private static void require(String name, Tensor t, CudaBackend backend, long numel) {
        if (t == null) {
            throw new IllegalArgumentException(name + ": got null, expected a tensor on " + backend.device());
        }
        if (!t.device().equals(backend.device())) {
            throw new IllegalArgumentException(name + ": got a tensor on " + t.device() + ", expected " + backend.device()
                    + " (copy it with DeviceArena.copy first)");
        }
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(name + ": got dtype " + t.dtype() + ", expected F32");
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
                backend.launch(deviceRule.stepKernel(), stepGrid, DeviceLayouts.BLOCK_THREADS, args);
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
            writeGroup(host, dr, null);
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

    /** The group's control block ({@code fs_group*}) in device memory. */
    public MemorySegment control() {
        return control;
    }
}

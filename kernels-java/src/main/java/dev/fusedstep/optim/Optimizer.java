package dev.fusedstep.optim;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.cpu.OptimizerKernel;
import dev.fusedstep.internal.cpu.WorkerPool;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fused optimizer steps over parameter groups. It owns the state buffers (off-heap, in an
 * arena it closes) and one {@link ScalarState} per parameter; {@link #step()} updates every
 * parameter of every group from its gradient in one pass per tensor, split into fixed chunks
 * over worker threads. State is readable under PyTorch's names.
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
 * <p>{@code step()} allocates nothing and checks, before writing anything, that every buffer is
 * still open. Not thread-safe: one thread steps an optimizer at a time.
 */
public final class Optimizer implements AutoCloseable {

    private final List<ParamGroup> groups;
    private final Map<String, Integer> indexByName;
    private final Param[] params;
    private final int[] groupOf;
    private final OptimizerKernel[] groupKernels;
    private final MemorySegment[] paramSegs;
    private final MemorySegment[] gradSegs;
    private final MemorySegment[][] stateSegs;
    private final Tensor[][] stateTensors;
    private final ScalarState[] scalarStates;
    private final float[][] scalars;
    private final int[] chunkParam;
    private final long[] chunkFrom;
    private final long[] chunkTo;
    private final CpuBackend backend;
    private final boolean ownsBackend;
    private final Arena arena;
    private final WorkerPool.Task chunkTask = this::runChunk;
    /** False when a caller's buffer is confined to its thread: steps then run on that thread alone. */
    private final boolean parallel;

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
        List<TensorChecks.Buffer> buffers = validate(all);
        int n = all.size();
        params = all.toArray(new Param[0]);
        groupOf = owner.stream().mapToInt(Integer::intValue).toArray();
        indexByName = new HashMap<>();
        for (int i = 0; i < n; i++) {
            indexByName.put(params[i].name(), i);
        }

        groupKernels = new OptimizerKernel[b.groups.size()];
        List<ParamGroup> gs = new ArrayList<>();
        for (int g = 0; g < b.groups.size(); g++) {
            int gi = g;
            ParamGroup group = new ParamGroup(b.groups.get(g).rule, b.groups.get(g).params,
                    () -> groupKernels[gi] = OptimizerKernel.forRule(groups().get(gi).rule()));
            gs.add(group);
            groupKernels[g] = OptimizerKernel.forRule(group.rule());
        }
        groups = List.copyOf(gs);

        if (b.vectorized != null || b.threads != null) {
            backend = new CpuBackend(b.vectorized != null ? b.vectorized : VectorizationProvider.getInstance().vectorized(),
                    b.threads != null ? b.threads : CpuBackend.defaultThreads());
            ownsBackend = true;
        } else {
            backend = CpuBackend.shared();
            ownsBackend = false;
        }

        parallel = TensorChecks.shareable(backend.pool(), buffers);
        arena = Arena.ofShared();
        paramSegs = new MemorySegment[n];
        gradSegs = new MemorySegment[n];
        stateSegs = new MemorySegment[n][];
        stateTensors = new Tensor[n][];
        scalarStates = new ScalarState[n];
        scalars = new float[n][OptimizerKernel.SCALAR_SLOTS];
        List<int[]> chunks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Param p = params[i];
            paramSegs[i] = p.param().segment();
            gradSegs[i] = p.grad().segment();
            OptimizerRule rule = groups.get(groupOf[i]).rule();
            List<String> names = rule.stateNames();
            stateSegs[i] = new MemorySegment[names.size()];
            stateTensors[i] = new Tensor[names.size()];
            long[] taken = {residue(paramSegs[i]), residue(gradSegs[i])};
            for (int s = 0; s < names.size(); s++) {
                long r = StateStagger.pick(taken);
                taken = append(taken, r);
                MemorySegment seg = StateStagger.allocate(arena, p.param().numel() * Float.BYTES, r);
                float init = rule.initialStateValue(names.get(s));
                if (init != 0f) {
                    for (long e = 0; e < p.param().numel(); e++) {
                        seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e, init);
                    }
                }
                stateSegs[i][s] = seg;
                stateTensors[i][s] = Tensor.of(seg, DType.F32, p.param().shape());
            }
            scalarStates[i] = new ScalarState();
            for (long from = 0; from < p.param().numel(); from += CpuBackend.CHUNK) {
                chunks.add(new int[] {i, (int) (from / CpuBackend.CHUNK)});
            }
        }
        chunkParam = new int[chunks.size()];
        chunkFrom = new long[chunks.size()];
        chunkTo = new long[chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            int i = chunks.get(c)[0];
            chunkParam[c] = i;
            chunkFrom[c] = (long) chunks.get(c)[1] * CpuBackend.CHUNK;
            chunkTo[c] = Math.min(chunkFrom[c] + CpuBackend.CHUNK, params[i].param().numel());
        }
    }

    /** A builder: add groups, optionally pin threads or the kernel kind, then {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Takes one step for every parameter of every group. */
    public void step() {
        Thread caller = Thread.currentThread();
        for (int i = 0; i < params.length; i++) {
            // Names are built only on failure: the hot path allocates nothing.
            if (!paramSegs[i].scope().isAlive() || !paramSegs[i].isAccessibleBy(caller)) {
                TensorChecks.requireAlive("param '" + params[i].name() + "'", paramSegs[i]);
            }
            if (!gradSegs[i].scope().isAlive() || !gradSegs[i].isAccessibleBy(caller)) {
                TensorChecks.requireAlive("grad '" + params[i].name() + "'", gradSegs[i]);
            }
        }
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("optimizer: closed, expected an open optimizer");
        }
        for (int i = 0; i < params.length; i++) {
            OptimizerKernel k = groupKernels[groupOf[i]];
            ScalarState st = scalarStates[i];
            st.advance(k.momentumFactor(st.step() + 1));
            k.prepare(st.step(), st.muProduct(), scalars[i]);
        }
        backend.pool().run(chunkParam.length, chunkTask, parallel);
    }

    private void runChunk(int c) {
        int i = chunkParam[c];
        backend.update(groupKernels[groupOf[i]], scalars[i], paramSegs[i], gradSegs[i], stateSegs[i], chunkFrom[c], chunkTo[c]);
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
        return stateTensors[i][s];
    }

    /** Every state buffer of parameter {@code paramName}, by PyTorch name, in kernel order. */
    public Map<String, Tensor> states(String paramName) {
        int i = indexOf(paramName);
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> names = groups.get(groupOf[i]).rule().stateNames();
        for (int s = 0; s < names.size(); s++) {
            out.put(names.get(s), stateTensors[i][s]);
        }
        return out;
    }

    /** The scalar state ({@code step}, {@code mu_product}) of parameter {@code paramName}. */
    public ScalarState scalarState(String paramName) {
        return scalarStates[indexOf(paramName)];
    }

    /** Worker threads a step runs on, the caller included. */
    public int threads() {
        return backend.threads();
    }

    /** Whether the Vector API loops run (otherwise the scalar loops). */
    public boolean vectorized() {
        return backend.vectorized();
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
        if (arena.scope().isAlive()) {
            arena.close();
        }
        if (ownsBackend) {
            backend.close();
        }
    }

    private static List<TensorChecks.Buffer> validate(List<Param> all) {
        Map<String, Boolean> names = new HashMap<>();
        List<TensorChecks.Buffer> buffers = new ArrayList<>();
        for (Param p : all) {
            if (names.put(p.name(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("name: got \"" + p.name() + "\" twice, expected unique parameter names");
            }
            String pn = "param '" + p.name() + "'";
            String gn = "grad '" + p.name() + "'";
            TensorChecks.requireUsable(pn, p.param());
            TensorChecks.requireUsable(gn, p.grad());
            TensorChecks.requireWritable(pn, p.param());
            TensorChecks.requireSameLength(gn, p.grad(), pn, p.param());
            buffers.add(new TensorChecks.Buffer(pn, p.param().segment(), true));
            buffers.add(new TensorChecks.Buffer(gn, p.grad().segment(), false));
        }
        TensorChecks.requireNoOverlap(buffers);
        return buffers;
    }

    private static long residue(MemorySegment s) {
        return s.isNative() ? s.address() & (StateStagger.PAGE - 1) : 0;
    }

    private static long[] append(long[] a, long v) {
        long[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }

    /** Collects groups; see {@link Optimizer}. */
    public static final class Builder {
        private record GroupSpec(OptimizerRule rule, List<Param> params) {}

        private final List<GroupSpec> groups = new ArrayList<>();
        private Integer threads;
        private Boolean vectorized;

        private Builder() {}

        /** Adds a group of parameters stepped with {@code rule}. */
        public Builder group(OptimizerRule rule, List<Param> params) {
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
            groups.add(new GroupSpec(rule, List.copyOf(params)));
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

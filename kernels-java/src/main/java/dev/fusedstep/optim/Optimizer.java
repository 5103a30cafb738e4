package dev.fusedstep.optim;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.checkpoint.TrainingState;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.cpu.OptimizerKernel;
import dev.fusedstep.internal.cpu.StepTarget;
import dev.fusedstep.internal.cpu.WorkerPool;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
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
    private final StepTarget[] targets;
    private final Tensor[][] stateTensors;
    /** Float32 master copies of half-precision parameters (null entries elsewhere). */
    private final Tensor[] masters;
    private final Precision[] precisions;
    private final ScalarState[] scalarStates;
    private final float[][] scalars;
    private final int[] chunkParam;
    private final long[] chunkFrom;
    private final long[] chunkTo;
    private final CpuBackend backend;
    private final boolean ownsBackend;
    private final Arena arena;
    private final WorkerPool.Task chunkTask = this::runChunk;
    /**
     * False when a caller's buffer is confined to its thread, or when a step of all parameters
     * together is too little work to be worth splitting ({@link CpuBackend#worthSplitting}):
     * steps then run on the caller's thread alone.
     */
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
        for (int g = 0; g < b.groups.size(); g++) {
            validatePrecision(g, b.groups.get(g));
        }
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
            ParamGroup group = new ParamGroup(b.groups.get(g).rule, b.groups.get(g).precision, b.groups.get(g).params,
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

        double oneThreadNanos = 0;
        for (int i = 0; i < n; i++) {
            Param p = all.get(i);
            Precision precision = b.groups.get(owner.get(i)).precision;
            boolean half = p.param().dtype() != DType.F32 || p.grad().dtype() != DType.F32
                    || precision.stateDtypeFor(p.param().dtype()) != DType.F32;
            oneThreadNanos += p.param().numel()
                    * OptimizerKernel.nanosPerElement(groups.get(owner.get(i)).rule(), half, backend.vectorized());
        }
        parallel = TensorChecks.shareable(backend.pool(), buffers) && CpuBackend.worthSplitting(oneThreadNanos);
        arena = Arena.ofShared();
        paramSegs = new MemorySegment[n];
        gradSegs = new MemorySegment[n];
        targets = new StepTarget[n];
        stateTensors = new Tensor[n][];
        masters = new Tensor[n];
        precisions = new Precision[n];
        scalarStates = new ScalarState[n];
        scalars = new float[n][OptimizerKernel.SCALAR_SLOTS];
        List<int[]> chunks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Param p = params[i];
            Precision precision = b.groups.get(groupOf[i]).precision;
            precisions[i] = precision;
            paramSegs[i] = p.param().segment();
            gradSegs[i] = p.grad().segment();
            long numel = p.param().numel();
            long[] taken = {residue(paramSegs[i]), residue(gradSegs[i])};
            Tensor master = null;
            if (precision.float32Master()) {
                long r = StateStagger.pick(taken);
                taken = append(taken, r);
                master = Tensor.of(StateStagger.allocate(arena, numel * Float.BYTES, r), DType.F32, p.param().shape());
                Casts.convert(p.param(), master);
            }
            masters[i] = master;
            OptimizerRule rule = groups.get(groupOf[i]).rule();
            List<String> names = rule.stateNames();
            DType stateType = precision.stateDtypeFor(p.param().dtype());
            MemorySegment[] stateSegs = new MemorySegment[names.size()];
            stateTensors[i] = new Tensor[names.size()];
            for (int s = 0; s < names.size(); s++) {
                long r = StateStagger.pick(taken);
                taken = append(taken, r);
                MemorySegment seg = StateStagger.allocate(arena, numel * stateType.byteSize(), r);
                stateTensors[i][s] = Tensor.of(seg, stateType, p.param().shape());
                float init = rule.initialStateValue(names.get(s));
                if (init != 0f) {
                    fill(stateTensors[i][s], init);
                }
                stateSegs[s] = seg;
            }
            targets[i] = master != null
                    ? new StepTarget(master.segment(), DType.F32, gradSegs[i], p.grad().dtype(), stateSegs, stateType,
                            paramSegs[i], p.param().dtype(), precision.stochasticRounding())
                    : new StepTarget(paramSegs[i], p.param().dtype(), gradSegs[i], p.grad().dtype(), stateSegs, stateType,
                            null, null, precision.stochasticRounding());
            scalarStates[i] = new ScalarState();
            for (long from = 0; from < numel; from += CpuBackend.CHUNK) {
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
            scalars[i][OptimizerKernel.GRAD_SCALE] = gradScale;
            if (precisions[i].stochasticRounding()) {
                targets[i].setRoundingKey(roundingKey(precisions[i].seed(), i, st.step()));
            }
        }
        backend.pool().run(chunkParam.length, chunkTask, parallel);
    }

    /** A key per (seed, parameter, step): each step of each parameter draws fresh, reproducible bits. */
    private static int roundingKey(long seed, int param, long step) {
        long x = seed * 0x9E3779B97F4A7C15L + param * 0xC2B2AE3D27D4EB4FL + step * 0x165667B19E3779F9L;
        x = (x ^ (x >>> 33)) * 0xFF51AFD7ED558CCDL;
        x = (x ^ (x >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return (int) (x ^ (x >>> 33));
    }

    private void runChunk(int c) {
        int i = chunkParam[c];
        backend.update(groupKernels[groupOf[i]], scalars[i], targets[i], chunkFrom[c], chunkTo[c]);
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

    /** The float32 master copy of half-precision parameter {@code paramName} (groups with {@link Precision#masterWeights()}). */
    public Tensor masterWeights(String paramName) {
        Tensor m = masters[indexOf(paramName)];
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

    /** The scalar state ({@code step}, {@code mu_product}) of parameter {@code paramName}. */
    public ScalarState scalarState(String paramName) {
        return scalarStates[indexOf(paramName)];
    }

    /**
     * Resumes parameter {@code paramName} at {@code saved}'s step count and {@code mu_product}
     * (what a checkpoint load does; the state buffers are written through {@link #states}).
     */
    public void restoreScalarState(String paramName, ScalarState saved) {
        if (saved == null) {
            throw new IllegalArgumentException("saved: got null, expected a ScalarState");
        }
        scalarStates[indexOf(paramName)].copyFrom(saved);
    }

    /** Whether {@link #close()} has not been called: the state buffers are readable and writable. */
    public boolean isOpen() {
        return arena.scope().isAlive();
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
            TensorChecks.requireUsable(pn, p.param(), DType.F32, DType.BF16, DType.F16);
            TensorChecks.requireUsable(gn, p.grad(), DType.F32, DType.BF16, DType.F16);
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

    private static void fill(Tensor t, float value) {
        try (Arena scratch = Arena.ofConfined()) {
            Tensor one = Tensor.allocate(scratch, DType.F32, t.numel());
            for (long e = 0; e < t.numel(); e++) {
                one.setFloat(e, value);
            }
            Casts.convert(one, t);
        }
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

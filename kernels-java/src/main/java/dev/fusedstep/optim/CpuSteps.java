package dev.fusedstep.optim;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.init.Init;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.cpu.OptimizerKernel;
import dev.fusedstep.internal.cpu.StepTarget;
import dev.fusedstep.internal.cpu.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer's state and steps on the CPU: state buffers off-heap in an arena this engine
 * closes, page-staggered so that a step's streams do not alias in the cache; one
 * {@link ScalarState} per parameter; each step split into fixed chunks over worker threads.
 * {@link #step} allocates nothing and checks, before writing anything, that every caller's buffer
 * is still open.
 */
final class CpuSteps extends StepEngine {

    private final Param[] params;
    private final int[] groupOf;
    private final OptimizerKernel[] groupKernels;
    private final MemorySegment[] paramSegs;
    private final MemorySegment[] gradSegs;
    private final StepTarget[] targets;
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

    /**
     * @param buffers   every caller buffer, for the check that worker threads may touch them
     * @param vectorized the Vector API loops (null: whenever available)
     * @param threads   a pool of this many threads of its own (null: the shared pool)
     */
    CpuSteps(List<ParamGroup> groups, Param[] params, int[] groupOf, List<TensorChecks.Buffer> buffers,
            Boolean vectorized, Integer threads) {
        super(params.length);
        this.params = params;
        this.groupOf = groupOf;
        int n = params.length;
        groupKernels = new OptimizerKernel[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            groupKernels[g] = OptimizerKernel.forRule(groups.get(g).rule());
        }
        if (vectorized != null || threads != null) {
            backend = new CpuBackend(vectorized != null ? vectorized
                    : dev.fusedstep.internal.vectorization.VectorizationProvider.getInstance().vectorized(),
                    threads != null ? threads : CpuBackend.defaultThreads());
            ownsBackend = true;
        } else {
            backend = CpuBackend.shared();
            ownsBackend = false;
        }

        double oneThreadNanos = 0;
        for (int i = 0; i < n; i++) {
            Param p = params[i];
            Precision precision = groups.get(groupOf[i]).precision();
            boolean half = p.param().dtype() != DType.F32 || p.grad().dtype() != DType.F32
                    || precision.stateDtypeFor(p.param().dtype()) != DType.F32;
            oneThreadNanos += p.param().numel()
                    * OptimizerKernel.nanosPerElement(groups.get(groupOf[i]).rule(), half, backend.vectorized());
        }
        parallel = TensorChecks.shareable(backend.pool(), buffers) && CpuBackend.worthSplitting(oneThreadNanos);
        arena = Arena.ofShared();
        paramSegs = new MemorySegment[n];
        gradSegs = new MemorySegment[n];
        targets = new StepTarget[n];
        precisions = new Precision[n];
        scalarStates = new ScalarState[n];
        scalars = new float[n][OptimizerKernel.SCALAR_SLOTS];
        List<int[]> chunks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Param p = params[i];
            Precision precision = groups.get(groupOf[i]).precision();
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
                    Init.constant(stateTensors[i][s], init);
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

    @Override
    public void step(float gradScale) {
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
    static int roundingKey(long seed, int param, long step) {
        long x = seed * 0x9E3779B97F4A7C15L + param * 0xC2B2AE3D27D4EB4FL + step * 0x165667B19E3779F9L;
        x = (x ^ (x >>> 33)) * 0xFF51AFD7ED558CCDL;
        x = (x ^ (x >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return (int) (x ^ (x >>> 33));
    }

    private void runChunk(int c) {
        int i = chunkParam[c];
        backend.update(groupKernels[groupOf[i]], scalars[i], targets[i], chunkFrom[c], chunkTo[c]);
    }

    @Override
    public ScalarState scalarState(int param) {
        return scalarStates[param];
    }

    @Override
    public void restoreScalarState(int param, ScalarState saved) {
        scalarStates[param].copyFrom(saved);
    }

    @Override
    public void ruleChanging(int group, OptimizerRule rule) {
        groupKernels[group] = OptimizerKernel.forRule(rule);
    }

    int threads() {
        return backend.threads();
    }

    boolean vectorized() {
        return backend.vectorized();
    }

    @Override
    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
        if (ownsBackend) {
            backend.close();
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
}

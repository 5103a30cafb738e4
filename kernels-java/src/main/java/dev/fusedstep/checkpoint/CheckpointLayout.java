package dev.fusedstep.checkpoint;

/**
 * Names inside a checkpoint file. Tensors follow PyTorch's optimizer {@code state_dict}:
 * {@code state.<param index>.<state name>}, parameters numbered across groups in order, plus
 * {@code step} (F64 scalar: exact past 2^24, where PyTorch's float32 step is not),
 * {@code mu_product} (F32 scalar, NAdam only, as PyTorch keeps it) and {@code master_param} (the
 * float32 master copy under {@code Precision.masterWeights()}; PyTorch has no such state).
 * Everything else is JSON in the safetensors metadata under the keys below.
 */
final class CheckpointLayout {
    private CheckpointLayout() {}

    static final String FORMAT_KEY = "format";
    static final String FORMAT = "fusedstep-checkpoint/1";
    /** {@code "<algorithm>:<8 hex digits>"} over the whole file with these digits read as zeros; see {@link FileChecksum}. */
    static final String CHECKSUM_KEY = "checksum";
    /** JSON list: the torch.optim class name of each group. */
    static final String OPTIMIZER_KEY = "optimizer";
    /** JSON list: each group's hyperparameters under PyTorch's names, with {@code params} (indices) and {@code param_names}. */
    static final String PARAM_GROUPS_KEY = "param_groups";
    /** JSON list: each group's storage (master weights, state dtype, stochastic rounding and its seed). */
    static final String PRECISION_KEY = "precision";
    /** JSON object: the schedule's position (optional). */
    static final String SCHEDULER_KEY = "scheduler";
    /** JSON object: the loss scaler's state under PyTorch's GradScaler state_dict names (optional). */
    static final String SCALER_KEY = "scaler";

    static final String STEP = "step";
    static final String MU_PRODUCT = "mu_product";
    static final String MASTER = "master_param";

    /** {@code state.<param>.<name>}. */
    static String tensorName(int param, String name) {
        return "state." + param + "." + name;
    }
}

package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The structs the kernels read from device memory, mirrored from {@code native/src/main/cuda/common.cuh}
 * (whose static_asserts pin the same sizes and offsets), and the constants that go with them.
 * Change both sides together.
 */
public final class DeviceLayouts {
    private DeviceLayouts() {}

    /** Elements per chunk ({@code FS_CHUNK}): one block's unit of work; equals the CPU's CpuBackend.CHUNK. */
    public static final int CHUNK = 16384;

    /**
     * Pointer slots per table row: param, grad, up to three states and a float32 master copy. A
     * master-weights row needs all six (half param, half grad, three AMSGrad states, master); the
     * master comes last so the states keep slots 2..4 in every layout.
     */
    public static final int ROW_POINTERS = 6;

    /** The pointer slot of a step row's float32 master copy ({@code FS_MASTER_SLOT}); null without master weights. */
    public static final int ROW_MASTER_SLOT = 5;

    /** {@code struct fs_tensor}: one row of a group's table, 80 bytes (a 16-byte multiple). */
    public static final StructLayout TENSOR_ROW = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(ROW_POINTERS, ADDRESS).withName("ptr"),
            JAVA_LONG.withName("numel"),
            JAVA_LONG.withName("first_chunk"),
            JAVA_INT.withName("dtype"),
            JAVA_INT.withName("index"),
            JAVA_INT.withName("state_dtype"),
            JAVA_INT.withName("reserved")).withName("fs_tensor");

    public static final long ROW_NUMEL = 48;
    public static final long ROW_FIRST_CHUNK = 56;
    /** Storage of the row's first buffer (and a step's gradient): {@code DType.ordinal()} ({@code FS_F32/F16/BF16}). */
    public static final long ROW_DTYPE = 64;
    /** The row's parameter index in its optimizer (keys stochastic rounding), else 0. */
    public static final long ROW_INDEX = 68;
    /** Storage of a step row's state buffers ({@code DType.ordinal()}), else 0. */
    public static final long ROW_STATE_DTYPE = 72;

    /** SCALAR_SLOTS of the CPU's OptimizerKernel ({@code FS_SCALAR_SLOTS}). */
    public static final int SCALAR_SLOTS = 12;

    /** Constants per rule in {@code fs_group.hyper}. */
    public static final int HYPER_SLOTS = 7;

    /** {@code struct fs_group}: one parameter group's control block. */
    public static final StructLayout GROUP = MemoryLayout.structLayout(
            JAVA_DOUBLE.withName("lr"),
            MemoryLayout.sequenceLayout(HYPER_SLOTS, JAVA_DOUBLE).withName("hyper"),
            JAVA_LONG.withName("step"),
            JAVA_DOUBLE.withName("mu_product"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("reserved"),
            MemoryLayout.sequenceLayout(SCALAR_SLOTS, JAVA_FLOAT).withName("scalars"),
            JAVA_LONG.withName("seed")).withName("fs_group");

    public static final long GROUP_LR = 0;
    public static final long GROUP_HYPER = 8;
    public static final long GROUP_STEP = 64;
    public static final long GROUP_MU_PRODUCT = 72;
    public static final long GROUP_FLAGS = 80;
    public static final long GROUP_SCALARS = 88;
    /** The stochastic-rounding seed (a long), read under {@link #FLAG_STOCHASTIC}. */
    public static final long GROUP_SEED = 136;

    // flags (FS_* in common.cuh)
    public static final int FLAG_MAXIMIZE = 1;
    public static final int FLAG_L2 = 2;
    public static final int FLAG_DECOUPLED = 4;
    public static final int FLAG_AMSGRAD = 8;
    public static final int FLAG_NESTEROV = 16;
    public static final int FLAG_MOMENTUM = 32;
    public static final int FLAG_CENTERED = 64;
    public static final int FLAG_LERP_SMALL = 128;
    /** BF16 param writes round stochastically, keyed by (seed, row index, step) as the CPU Optimizer does. */
    public static final int FLAG_STOCHASTIC = 256;

    /** Threads per block of every multi-tensor kernel: a multiple of the warp, fixed for the norms' tree. */
    public static final int BLOCK_THREADS = 256;

    // norm kinds (tensor/norm.cu)
    public static final int NORM_L2 = 0;
    public static final int NORM_INF = 1;
    public static final int NORM_L1 = 2;
    public static final int NORM_P = 3;

    /** Chunks of a tensor of {@code numel} elements. */
    public static long chunks(long numel) {
        return (numel + CHUNK - 1) / CHUNK;
    }
}

// Shared by every fusedstep kernel: the layouts the Java side writes into device memory, the
// walk over a group's (tensor, chunk) pairs, and float helpers with Java's semantics.
//
// Arithmetic rules, so that a GPU step gives the bits of the CPU kernels
// (kernels-java/src/main/java/dev/fusedstep/internal/cpu/*Kernel.java):
//   - compiled with -fmad=false -ftz=false -prec-div=true -prec-sqrt=true: every +, -, * is one
//     IEEE float operation, never contracted into an FMA behind our back;
//   - __fmaf_rn exactly where the CPU kernel calls Math.fma (or the Vector API's fma);
//   - fs_div and fs_sqrt are the correctly rounded IEEE operations, as Java's float division
//     and (float) Math.sqrt(float) are, even if someone adds --use_fast_math;
//   - fs_max / fs_min follow Math.max / Math.min (NaN wins; +0 beats -0), not fmaxf / fminf.
#pragma once

#include <cstdint>

// ---------------------------------------------------------------------------------------------
// Layouts shared with Java (dev.fusedstep.internal.cuda.DeviceLayouts). Change both together:
// the Java tests check these sizes and offsets.

// One row of a group's table: a tensor (and its companions) plus where its chunks start.
// A step row holds six pointers, not five: a master-weights row needs the half param (written),
// its half gradient, up to three float32 states (AMSGrad) and the float32 master. The master sits
// last (ptr[5]) so that the states keep their slots 2..4 in every layout and the other kernels'
// rows (ptr[0], ptr[1]) do not change; a sixth pointer plus the state dtype and a pad keep the row
// a 16-byte multiple (80 bytes), so rows stay aligned for the table reads.
struct fs_tensor {
    void* ptr[6];          // step: param, grad, state0, state1, state2, master (or null); cast: src, dst; norm/scale/fill: x
    long long numel;       // elements of each buffer in this row
    long long first_chunk; // chunks of all earlier rows: rows are walked as one sequence of chunks
    int dtype;             // storage of ptr[0] (and of a step's grad): FS_F32, FS_F16 or FS_BF16
    int index;             // the row's parameter index in its optimizer (keys stochastic rounding), else 0
    int state_dtype;       // step: storage of every state buffer (FS_F32, FS_F16 or FS_BF16), else 0
    int reserved;          // pads the row to 80 bytes
};
static_assert(sizeof(fs_tensor) == 80, "fs_tensor must stay 80 bytes (Java: DeviceLayouts.TENSOR_ROW)");
static_assert(__builtin_offsetof(fs_tensor, numel) == 48, "fs_tensor.numel offset");
static_assert(__builtin_offsetof(fs_tensor, dtype) == 64, "fs_tensor.dtype offset");
static_assert(__builtin_offsetof(fs_tensor, state_dtype) == 72, "fs_tensor.state_dtype offset");

// Pointer slot of a step row's float32 master copy (null without master weights).
#define FS_MASTER_SLOT 5

// Storage dtypes (Java: DType.ordinal()).
#define FS_F32  0
#define FS_F16  1
#define FS_BF16 2

// SCALAR_SLOTS of the CPU's OptimizerKernel.
#define FS_SCALAR_SLOTS 12

// One parameter group's control block in device memory. The host writes lr, hyper and flags;
// the prepare kernel advances step (and mu_product) and fills scalars; the step kernel reads
// scalars. Nothing here needs a host round trip, so a captured graph replays correctly while
// the host (or a schedule kernel) rewrites lr between replays.
struct fs_group {
    double lr;                         //   0: learning rate of the coming step
    double hyper[7];                   //   8: the rule's constants, per optimizer (see its .cu)
    long long step;                    //  64: steps taken (PyTorch's state['step'])
    double mu_product;                 //  72: NAdam's product of mu_1..mu_t (1 for the others)
    int flags;                         //  80: FS_* below
    int reserved;                      //  84
    float scalars[FS_SCALAR_SLOTS];    //  88: this step's per-step scalars, as OptimizerKernel.prepare
    long long seed;                    // 136: the stochastic-rounding seed (FS_STOCHASTIC), as Precision.seed
};
static_assert(sizeof(fs_group) == 144, "fs_group must stay 144 bytes (Java: DeviceLayouts.GROUP)");
static_assert(__builtin_offsetof(fs_group, step) == 64, "fs_group.step offset");
static_assert(__builtin_offsetof(fs_group, flags) == 80, "fs_group.flags offset");
static_assert(__builtin_offsetof(fs_group, scalars) == 88, "fs_group.scalars offset");
static_assert(__builtin_offsetof(fs_group, seed) == 136, "fs_group.seed offset");

// Flags (Java: DeviceLayouts.FLAG_*). Each kernel documents which it reads.
#define FS_MAXIMIZE   1
#define FS_L2         2    // coupled weight decay, decided on the host where PyTorch tests the Python float
#define FS_DECOUPLED  4    // AdamW / NAdamW / RAdamW
#define FS_AMSGRAD    8
#define FS_NESTEROV   16
#define FS_MOMENTUM   32   // SGD momentum != 0, RMSprop momentum > 0
#define FS_CENTERED   64
#define FS_LERP_SMALL 128  // RMSprop: ATen's lerp weight |1 - alpha| < 0.5
#define FS_STOCHASTIC 256  // BF16 param writes round stochastically, keyed by (seed, row index, step)

// Elements per chunk: one block's unit of work. A multiple of 4 (float4 loads stay aligned in
// every chunk) and equal to the CPU's CpuBackend.CHUNK, so norms cut tensors at the same places.
#define FS_CHUNK 16384

// ---------------------------------------------------------------------------------------------
// Float helpers with Java's semantics.

__device__ __forceinline__ float fs_div(float a, float b) { return __fdiv_rn(a, b); }
__device__ __forceinline__ float fs_sqrt(float a) { return __fsqrt_rn(a); }

// Math.max(float, float): NaN if either is NaN, +0 over -0.
__device__ __forceinline__ float fs_max(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return __int_as_float(__float_as_int(a) & __float_as_int(b));
    return a >= b ? a : b;
}

// Math.min(float, float): NaN if either is NaN, -0 under +0.
__device__ __forceinline__ float fs_min(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return __int_as_float(__float_as_int(a) | __float_as_int(b));
    return a <= b ? a : b;
}

// ---------------------------------------------------------------------------------------------
// The walk over a group: chunk c of the whole group belongs to the last row whose first_chunk
// is <= c (rows of zero elements own no chunk and are skipped by this rule).

__device__ __forceinline__ int fs_row_of(const fs_tensor* __restrict__ table, int rows, long long chunk) {
    int lo = 0, hi = rows - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) >> 1;
        if (table[mid].first_chunk <= chunk) lo = mid; else hi = mid - 1;
    }
    return lo;
}

// Elements [start, start + count) of row r make up chunk c.
struct fs_chunk {
    int row;
    long long start;
    long long count;
};

__device__ __forceinline__ fs_chunk fs_chunk_at(const fs_tensor* __restrict__ table, int rows, long long c) {
    fs_chunk k;
    k.row = fs_row_of(table, rows, c);
    k.start = (c - table[k.row].first_chunk) * (long long)FS_CHUNK;
    const long long left = table[k.row].numel - k.start;
    k.count = left < FS_CHUNK ? left : FS_CHUNK;
    return k;
}

__device__ __forceinline__ bool fs_aligned16(const void* p) {
    return (reinterpret_cast<uintptr_t>(p) & 15u) == 0;
}

// found_inf (nullable): PyTorch's GradScaler flag, a float; non-zero means "skip this step".
__device__ __forceinline__ bool fs_skip(const float* found_inf) {
    return found_inf != nullptr && *found_inf != 0.0f;
}

// Per-step scalars: double on the device, as on the host. The CPU's OptimizerKernel.prepare
// computes bias corrections and step sizes in double and rounds each to float; the prepare
// kernels do the same arithmetic in the same order (double is cheap for one thread per step, and
// float would lose the CPU's bits: 1 - 0.999 in float is already some 200 ulps off).
// Java's Math.pow and CUDA's double pow may differ by an ulp or two, which survives the rounding
// to float only when the double lies that close to a float rounding boundary (about 1 in 2^28).
// The step count is a 64-bit integer (PyTorch's float32 step is exact only to 2^24).
//
// The prepare kernels' common first half: returns false (and changes nothing) when the step is
// skipped; otherwise advances the step and NAdam's product (mu is 1 for the other rules), as
// ScalarState.advance does on the host: mu_product = (float) (mu_product * (float) mu).
__device__ __forceinline__ bool fs_advance(fs_group* grp, const float* found_inf, double mu_next) {
    if (fs_skip(found_inf)) return false;
    grp->step += 1;
    grp->mu_product = (double)(float)(grp->mu_product * (double)(float)mu_next);
    return true;
}

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
struct fs_tensor {
    void* ptr[5];          // step: param, grad, state0, state1, state2; cast: src, dst; norm/scale/fill: x
    long long numel;       // elements of each buffer in this row
    long long first_chunk; // chunks of all earlier rows: rows are walked as one sequence of chunks
    int dtype;             // storage of ptr[0] (and of a step's grad): FS_F32, FS_F16 or FS_BF16
    int index;             // the row's parameter index in its optimizer (keys stochastic rounding), else 0
};
static_assert(sizeof(fs_tensor) == 64, "fs_tensor must stay 64 bytes (Java: DeviceLayouts.TENSOR_ROW)");
static_assert(__builtin_offsetof(fs_tensor, dtype) == 56, "fs_tensor.dtype offset");

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
};
static_assert(sizeof(fs_group) == 136, "fs_group must stay 136 bytes (Java: DeviceLayouts.GROUP)");
static_assert(__builtin_offsetof(fs_group, step) == 64, "fs_group.step offset");
static_assert(__builtin_offsetof(fs_group, flags) == 80, "fs_group.flags offset");
static_assert(__builtin_offsetof(fs_group, scalars) == 88, "fs_group.scalars offset");

// Flags (Java: DeviceLayouts.FLAG_*). Each kernel documents which it reads.
#define FS_MAXIMIZE   1
#define FS_L2         2    // coupled weight decay, decided on the host where PyTorch tests the Python float
#define FS_DECOUPLED  4    // AdamW / NAdamW / RAdamW
#define FS_AMSGRAD    8
#define FS_NESTEROV   16
#define FS_MOMENTUM   32   // SGD momentum != 0, RMSprop momentum > 0
#define FS_CENTERED   64
#define FS_LERP_SMALL 128  // RMSprop: ATen's lerp weight |1 - alpha| < 0.5

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

// ---------------------------------------------------------------------------------------------
// The optimizer step over one group: Op holds this step's scalars in registers and updates one
// element, Op::apply(p, g, s0, s1, s2), reading and writing its states by reference.
// Loads are 16 bytes wide when every buffer of the row is 16-byte aligned (device allocations
// are); the last count % 4 elements, and unaligned rows, go element by element.
// grad_scale (nullable) multiplies every gradient first: 1/loss scale, times a clip coefficient.

// Streaming accesses in the global space: pointers read from the table are generic, and
// without these the compiler emits generic loads and stores. Every element is read once and
// written once, so L1 is skipped (.cg); the gradient is read-only for the kernel's life (.nc).
__device__ __forceinline__ float4 fs_ld4(const float* p, long long i) { return __ldcg(reinterpret_cast<const float4*>(p) + i); }
__device__ __forceinline__ float4 fs_ldg4(const float* p, long long i) { return __ldg(reinterpret_cast<const float4*>(p) + i); }
__device__ __forceinline__ void fs_st4(float* p, long long i, float4 v) { __stcg(reinterpret_cast<float4*>(p) + i, v); }
__device__ __forceinline__ float fs_ld(const float* p, long long i) { return __ldcg(p + i); }
__device__ __forceinline__ void fs_st(float* p, long long i, float v) { __stcg(p + i, v); }

template <class Op>
__device__ __forceinline__ void fs_step_rows(const Op& op, int states, const fs_tensor* __restrict__ table,
                                             int rows, long long total_chunks, const float* grad_scale) {
    const bool scaled = grad_scale != nullptr;
    const float gs = scaled ? *grad_scale : 1.0f;
    for (long long c = blockIdx.x; c < total_chunks; c += gridDim.x) {
        const fs_chunk k = fs_chunk_at(table, rows, c);
        const fs_tensor& t = table[k.row];
        float* p = static_cast<float*>(t.ptr[0]) + k.start;
        const float* g = static_cast<const float*>(t.ptr[1]) + k.start;
        float* s0 = states > 0 ? static_cast<float*>(t.ptr[2]) + k.start : nullptr;
        float* s1 = states > 1 ? static_cast<float*>(t.ptr[3]) + k.start : nullptr;
        float* s2 = states > 2 ? static_cast<float*>(t.ptr[4]) + k.start : nullptr;
        long long scalar_from = 0;
        if (fs_aligned16(p) && fs_aligned16(g) && fs_aligned16(s0) && fs_aligned16(s1) && fs_aligned16(s2)) {
            const long long n4 = k.count >> 2;
            for (long long i = threadIdx.x; i < n4; i += blockDim.x) {
                float4 pv = fs_ld4(p, i);
                float4 gv = fs_ldg4(g, i);
                float4 a = make_float4(0.f, 0.f, 0.f, 0.f), b = a, d = a;
                if (states > 0) a = fs_ld4(s0, i);
                if (states > 1) b = fs_ld4(s1, i);
                if (states > 2) d = fs_ld4(s2, i);
                if (scaled) {
                    gv.x = gv.x * gs; gv.y = gv.y * gs; gv.z = gv.z * gs; gv.w = gv.w * gs;
                }
                op.apply(pv.x, gv.x, a.x, b.x, d.x);
                op.apply(pv.y, gv.y, a.y, b.y, d.y);
                op.apply(pv.z, gv.z, a.z, b.z, d.z);
                op.apply(pv.w, gv.w, a.w, b.w, d.w);
                fs_st4(p, i, pv);
                if (states > 0) fs_st4(s0, i, a);
                if (states > 1) fs_st4(s1, i, b);
                if (states > 2) fs_st4(s2, i, d);
            }
            scalar_from = n4 << 2;
        }
        for (long long i = scalar_from + threadIdx.x; i < k.count; i += blockDim.x) {
            float pv = fs_ld(p, i), gv = __ldg(g + i);
            float a = 0.f, b = 0.f, d = 0.f;
            if (states > 0) a = fs_ld(s0, i);
            if (states > 1) b = fs_ld(s1, i);
            if (states > 2) d = fs_ld(s2, i);
            if (scaled) gv = gv * gs;
            op.apply(pv, gv, a, b, d);
            fs_st(p, i, pv);
            if (states > 0) fs_st(s0, i, a);
            if (states > 1) fs_st(s1, i, b);
            if (states > 2) fs_st(s2, i, d);
        }
    }
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

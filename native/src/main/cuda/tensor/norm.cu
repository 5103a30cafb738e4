// Gradient norms and clipping with torch.nn.utils semantics, deterministic and host-sync free.
//
// Norm = two launches: fs_norm_partials gives one double per chunk (FS_CHUNK elements of one
// row; a fixed thread-to-element assignment and a fixed tree, so the same bits on every run and
// for any grid size), then fs_norm_finish, one block, adds the partials in a fixed order and
// writes the total (double) and, when asked, raises a found_inf flag for a non-finite total.
// The CPU cuts tensors at the same chunk borders but sums inside a chunk in another order, so
// the two agree to double rounding, not bit for bit.
// The clip coefficient and the scaling read the total from device memory: no host round trip.
//
// Rows may be F32, F16 or BF16 (fs_tensor.dtype), mixed in one table: half values widen to
// float32 exactly for the norm; fs_scale and fs_clamp compute in float32 and write halves back
// rounded to nearest-even, the bits of the CPU's NormKernel.scale / clamp (rows.cuh).
#include "clip.cuh"
#include "rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_norm {
enum { NORM_L2 = 0, NORM_INF = 1, NORM_L1 = 2, NORM_P = 3 };

// Threads per block of the norm kernels: a power of two, fixed so that the tree is fixed.
constexpr int NORM_THREADS = 256;

__device__ double combine(int kind, double a, double b) {
    if (kind == NORM_INF) {
        return (a != a || b != b) ? (a != a ? a : b) : (a >= b ? a : b);
    }
    return a + b;
}

// Block-wide reduction in a fixed tree; every thread gets the result.
__device__ double block_reduce(int kind, double v) {
    __shared__ double sh[NORM_THREADS];
    sh[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = NORM_THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) sh[threadIdx.x] = combine(kind, sh[threadIdx.x], sh[threadIdx.x + s]);
        __syncthreads();
    }
    const double r = sh[0];
    __syncthreads();
    return r;
}

// Launch with NORM_THREADS (256) threads per block. Rows: ptr[0] the gradient, in its dtype. scale
// (nullable) multiplies each element first in float32 (a loss scaler's 1/scale), as
// unscale-then-norm does. p is used by NORM_P only. partials: one double per chunk of the group.
extern "C" __global__ void __launch_bounds__(NORM_THREADS)
fs_norm_partials(const fs_tensor* __restrict__ table, int rows, long long total_chunks, int kind, double p,
                 const float* scale, double* __restrict__ partials) {
    const bool scaled = scale != nullptr;
    const float sc = scaled ? *scale : 1.0f;
    for (long long c = blockIdx.x; c < total_chunks; c += gridDim.x) {
        const fs_chunk k = fs_chunk_at(table, rows, c);
        double acc = 0.0;
        float max_abs = 0.0f;
        fs_rows::visit_row<false>(table[k.row], k.start, k.count, [&](float* v, int n) {
            for (int j = 0; j < n; j++) {
                const float x = scaled ? v[j] * sc : v[j];
                switch (kind) {
                    case NORM_L2: acc = fma((double)x, (double)x, acc); break;
                    case NORM_INF: max_abs = fs_max(max_abs, fabsf(x)); break;
                    case NORM_L1: acc = acc + fabs((double)x); break;
                    default: acc = acc + pow(fabs((double)x), p); break;
                }
            }
        });
        const double total = block_reduce(kind, kind == NORM_INF ? (double)max_abs : acc);
        if (threadIdx.x == 0) partials[c] = total;
    }
}

// Launch with one block of NORM_THREADS threads. total: the norm (double). found_inf (nullable) is
// set to 1 when the norm is not finite and left alone otherwise (the caller zeroes it per step).
extern "C" __global__ void __launch_bounds__(NORM_THREADS)
fs_norm_finish(const double* __restrict__ partials, long long count, int kind, double p, double* total,
               float* found_inf) {
    double acc = 0.0;
    for (long long i = threadIdx.x; i < count; i += NORM_THREADS) acc = combine(kind, acc, partials[i]);
    const double sum = block_reduce(kind, acc);
    if (threadIdx.x == 0) {
        const double norm = kind == NORM_L2 ? sqrt(sum) : kind == NORM_P ? pow(sum, 1.0 / p) : sum;
        *total = norm;
        if (found_inf != nullptr && !isfinite(norm)) *found_inf = 1.0f;
    }
}

// One thread: PyTorch's float32 clamp(max_norm / (total + 1e-6), max=1), as
// GradClipping.clipCoefficient: NaN for a NaN norm, 0 for an infinite one.
extern "C" __global__ void fs_clip_coefficient(const double* total, double max_norm, float* coefficient) {
    *coefficient = fs_clip_coefficient_of(max_norm, *total);
}

// One thread: out = a * b, either may be null (read as 1): the step's gradient multiplier from a
// loss scaler's 1/scale and a clip coefficient.
extern "C" __global__ void fs_multiply_scalars(const float* a, const float* b, float* out) {
    const float x = a != nullptr ? *a : 1.0f;
    const float y = b != nullptr ? *b : 1.0f;
    *out = a == nullptr ? y : b == nullptr ? x : x * y;
}

// x = x * coefficient over every row's ptr[0], in its dtype; nothing at all when the coefficient is
// exactly 1, as the CPU skips that pass.
extern "C" __global__ void fs_scale(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                    const float* coefficient) {
    const float c = *coefficient;
    if (c == 1.0f) return;
    fs_rows::visit_rows<true>(table, rows, total_chunks, [c](float* v, int n) {
        for (int j = 0; j < n; j++) v[j] = v[j] * c;
    });
}

// x = min(max(x, lo), hi) over every row's ptr[0], in its dtype, with Java's min/max (NaN stays
// NaN), as torch.nn.utils.clip_grad_value_.
extern "C" __global__ void fs_clamp(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                    float lo, float hi) {
    fs_rows::visit_rows<true>(table, rows, total_chunks, [lo, hi](float* v, int n) {
        for (int j = 0; j < n; j++) v[j] = fs_min(fs_max(v[j], lo), hi);
    });
}

}  // namespace fs_norm

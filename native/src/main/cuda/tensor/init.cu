// The random initializers (dev.fusedstep.init.Init on a CUDA tensor) with the CPU's bits: element
// i of a tensor depends only on (seed, stream, first + i), and every value is what the CPU's
// scalar formulas (kernels-java/.../init/Samplers.java, Philox4x32.java, Float32Math.java) give,
// operation for operation, then stored as F32 or rounded to BF16/F16 as the CPU's casts round.
//
// One thread per Philox block: the block for counter (g, stream) gives elements 4g .. 4g+3 (the
// normal takes its words in pairs, (0, 1) and (2, 3), as the CPU does), and the thread stores
// those of them that lie in [first, first + n). Threads walk the blocks grid-stride.
//
// dtype: the storage format, FS_INIT_F32 / FS_INIT_BF16 / FS_INIT_F16 (Java: DeviceInit).
// seed and stream are 64-bit patterns passed as long long (Java's long).
#include "../common.cuh"
#include "halves.cuh"
#include "erf.cuh"

namespace fs_init {
enum { F32 = 0, BF16 = 1, F16 = 2 };

// ---------------------------------------------------------------------------------------------
// Philox4x32-10 (Philox4x32.block): key = seed (low word first), counter = (group low, group
// high, stream low, stream high).
constexpr uint32_t M0 = 0xD2511F53u;
constexpr uint32_t M1 = 0xCD9E8D57u;
constexpr uint32_t W0 = 0x9E3779B9u;
constexpr uint32_t W1 = 0xBB67AE85u;

__device__ __forceinline__ void philox(uint64_t seed, uint64_t stream, uint64_t group, uint32_t w[4]) {
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    uint32_t c0 = (uint32_t)group, c1 = (uint32_t)(group >> 32), c2 = (uint32_t)stream, c3 = (uint32_t)(stream >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += W0;
            k1 += W1;
        }
        const uint32_t hi0 = __umulhi(M0, c0), lo0 = M0 * c0;
        const uint32_t hi1 = __umulhi(M1, c2), lo1 = M1 * c2;
        const uint32_t n0 = hi1 ^ c1 ^ k0;
        const uint32_t n2 = hi0 ^ c3 ^ k1;
        c1 = lo1;
        c3 = lo0;
        c0 = n0;
        c2 = n2;
    }
    w[0] = c0;
    w[1] = c1;
    w[2] = c2;
    w[3] = c3;
}

// Samplers.unit: the 24 high bits as a float in [0, 1), exact.
__device__ __forceinline__ float unit(uint32_t word) {
    return (float)(word >> 8) * 0x1p-24f;
}

// ---------------------------------------------------------------------------------------------
// Float32Math: the float32 log and turns-based sine/cosine, Horner steps as __fmaf_rn where the
// CPU calls Math.fma; every other operation a single rounding (-fmad=false).
constexpr float SQRT_HALF = 0.70710677f;
constexpr float L8 = 7.0376836292e-2f, L7 = -1.1514610310e-1f, L6 = 1.1676998740e-1f, L5 = -1.2420140846e-1f,
                L4 = 1.4249322787e-1f, L3 = -1.6668057665e-1f, L2 = 2.0000714765e-1f, L1 = -2.4999993993e-1f,
                L0 = 3.3333331174e-1f;
constexpr float LN2_LO = -2.12194440e-4f, LN2_HI = 0.693359375f;

__device__ __forceinline__ float log32(float value) {
    const uint32_t bits = __float_as_uint(value);
    int e = (int)(bits >> 23) - 126;
    const float m = __uint_as_float((bits & 0x007FFFFFu) | 0x3F000000u);  // [0.5, 1)
    float x;
    if (m < SQRT_HALF) {
        e -= 1;
        x = (m + m) - 1.0f;
    } else {
        x = m - 1.0f;
    }
    const float z = x * x;
    float p = L8;
    p = __fmaf_rn(p, x, L7);
    p = __fmaf_rn(p, x, L6);
    p = __fmaf_rn(p, x, L5);
    p = __fmaf_rn(p, x, L4);
    p = __fmaf_rn(p, x, L3);
    p = __fmaf_rn(p, x, L2);
    p = __fmaf_rn(p, x, L1);
    p = __fmaf_rn(p, x, L0);
    const float fe = (float)e;
    float y = (p * x) * z;
    y = __fmaf_rn(fe, LN2_LO, y);
    y = __fmaf_rn(z, -0.5f, y);
    const float r = x + y;
    return __fmaf_rn(fe, LN2_HI, r);
}

constexpr float S1 = 6.2831855f, S3 = -41.3417f, S5 = 81.60525f, S7 = -76.70586f, S9 = 42.058693f;
constexpr float C2 = -19.739208f, C4 = 64.93939f, C6 = -85.45682f, C8 = 60.24464f, C10 = -26.426256f;

__device__ __forceinline__ float sin_turns(float f) {
    const float f2 = f * f;
    float p = S9;
    p = __fmaf_rn(p, f2, S7);
    p = __fmaf_rn(p, f2, S5);
    p = __fmaf_rn(p, f2, S3);
    p = __fmaf_rn(p, f2, S1);
    return p * f;
}

__device__ __forceinline__ float cos_turns(float f) {
    const float f2 = f * f;
    float p = C10;
    p = __fmaf_rn(p, f2, C8);
    p = __fmaf_rn(p, f2, C6);
    p = __fmaf_rn(p, f2, C4);
    p = __fmaf_rn(p, f2, C2);
    return __fmaf_rn(p, f2, 1.0f);
}

// Float32Math.cos2pi and sin2pi of turns24 / 2^24 (turns24 < 2^24): the nearest quarter turn q
// and the exact rest f in [-1/8, 1/8).
__device__ __forceinline__ void sincos2pi(int turns24, float& s, float& c) {
    const int q = (turns24 + (1 << 21)) >> 22;
    const float f = (float)(turns24 - (q << 22)) * 0x1p-24f;
    const float sf = sin_turns(f), cf = cos_turns(f);
    switch (q & 3) {
        case 0: s = sf; c = cf; break;
        case 1: s = cf; c = -sf; break;
        case 2: s = -sf; c = -cf; break;
        default: s = -cf; c = sf; break;
    }
}

// Samplers.pair: Box-Muller on words (w0, w1), then fma(z, std, mean).
__device__ __forceinline__ void normal_pair(uint32_t w0, uint32_t w1, float mean, float std, float& z0, float& z1) {
    const float u1 = (float)((w0 >> 8) + 1u) * 0x1p-24f;
    const float r = fs_sqrt(-2.0f * log32(u1));
    float s, c;
    sincos2pi((int)(w1 >> 8), s, c);
    z0 = __fmaf_rn(r * c, std, mean);
    z1 = __fmaf_rn(r * s, std, mean);
}

// ---------------------------------------------------------------------------------------------
// The walk: Values(const uint32_t w[4], float v[4]) makes a block's four float32 values.

__device__ __forceinline__ void store(void* out, int dtype, long long i, float v) {
    if (dtype == F32) {
        static_cast<float*>(out)[i] = v;
    } else if (dtype == BF16) {
        static_cast<uint16_t*>(out)[i] = fs_half::float_to_bf16(v);
    } else {
        static_cast<uint16_t*>(out)[i] = fs_half::float_to_f16(v);
    }
}

// A whole block at out[at .. at+3]: one 16-byte store for aligned float32, else element by element.
__device__ __forceinline__ void store4(void* out, int dtype, long long at, const float v[4]) {
    if (dtype == F32 && fs_aligned16(static_cast<float*>(out) + at)) {
        *reinterpret_cast<float4*>(static_cast<float*>(out) + at) = make_float4(v[0], v[1], v[2], v[3]);
        return;
    }
    for (int j = 0; j < 4; j++) store(out, dtype, at + j, v[j]);
}

template <class Values>
__device__ __forceinline__ void fs_init_blocks(void* out, long long n, long long first, int dtype, long long seed,
                                               long long stream, const Values& values) {
    const long long g_first = first >> 2;
    const long long g_end = (first + n + 3) >> 2;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long g = g_first + (long long)blockIdx.x * blockDim.x + threadIdx.x; g < g_end; g += stride) {
        uint32_t w[4];
        philox((uint64_t)seed, (uint64_t)stream, (uint64_t)g, w);
        float v[4];
        values(w, v);
        const long long at = (g << 2) - first;  // where word 0's element goes in out
        if (at >= 0 && at + 4 <= n) {
            store4(out, dtype, at, v);
        } else {
            for (int j = 0; j < 4; j++) {
                if (at + j >= 0 && at + j < n) store(out, dtype, at + j, v[j]);
            }
        }
    }
}

// Elements [first, first + n) of the stream, uniform on [a, b) (Samplers.uniform).
extern "C" __global__ void fs_init_uniform(void* out, long long n, long long first, int dtype, long long seed,
                                           long long stream, float a, float b) {
    const float range = b - a;
    fs_init_blocks(out, n, first, dtype, seed, stream, [=](const uint32_t w[4], float v[4]) {
        for (int j = 0; j < 4; j++) {
            const float x = __fmaf_rn(unit(w[j]), range, a);
            v[j] = x >= b ? a : x;
        }
    });
}

// Elements [first, first + n) of the stream, normal with mean and std (Samplers.normal).
extern "C" __global__ void fs_init_normal(void* out, long long n, long long first, int dtype, long long seed,
                                          long long stream, float mean, float std) {
    fs_init_blocks(out, n, first, dtype, seed, stream, [=](const uint32_t w[4], float v[4]) {
        normal_pair(w[0], w[1], mean, std, v[0], v[1]);
        normal_pair(w[2], w[3], mean, std, v[2], v[3]);
    });
}

// Elements [first, first + n) of the stream, truncated normal (Samplers.truncNormal, Truncation.value)
// in double. Each thread computes the CPU's per-call constants itself (two erf by series: a few
// hundred operations per thread, once).
extern "C" __global__ void fs_init_trunc_normal(void* out, long long n, long long first, int dtype, long long seed,
                                                long long stream, double mean, double std, double a, double b) {
    const double scale = std * __dsqrt_rn(2.0);
    const double lo = fs_erf::erf((a - mean) / scale);
    const double hi = fs_erf::erf((b - mean) / scale);
    const double width = hi - lo;
    fs_init_blocks(out, n, first, dtype, seed, stream, [=](const uint32_t w[4], float v[4]) {
        for (int j = 0; j < 4; j++) {
            const double u = (double)unit(w[j]);
            const double z = fs_erf::normal_quantile_of_erf(__fma_rn(u, width, lo));
            v[j] = (float)fs_erf::min_java(fs_erf::max_java(__fma_rn(z, std, mean), a), b);
        }
    });
}

// Every element = value, stored in the dtype (Init.constant, zeros, ones).
extern "C" __global__ void fs_init_constant(void* out, long long n, int dtype, float value) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        store(out, dtype, i, value);
    }
}

}  // namespace fs_init

// Element access by a row's storage dtype (fs_tensor.dtype) for the tensor kernels that take
// gradients of any dtype, mixed in one table (norms, scaling, clamping): values widen to float32
// exactly and, when written back, round to nearest-even with the CPU's bits (halves.cuh), as the
// CPU's Storage.load / Storage.store do.
//
// A thread owns groups of 16 bytes' worth of consecutive elements (4 float32 or 8 half values):
// group s of a chunk is elements [s*N, s*N + N), and thread t takes groups t, t + blockDim.x, ...
// Which thread sees which element, and in which order, depends on the element index alone; a
// 16-byte aligned buffer moves a full group in one 16-byte access, an unaligned one (and the last,
// partial group) element by element. So a reduction's bits never depend on alignment.
#pragma once
#include "../common.cuh"
#include "halves.cuh"

namespace fs_rows {

// Storage<DT>: the element type, elements per 16 bytes, and the conversions to and from float32.
// A 16-byte group travels as a float4 whatever the dtype: loads and stores move bits, never
// arithmetic, so half patterns (NaNs included) pass through unchanged.
template <int DT>
struct Storage {  // FS_F16 and FS_BF16
    using T = uint16_t;
    static constexpr int N = 8;
    __device__ static float widen(uint16_t h) { return DT == FS_F16 ? fs_half::f16_to_float(h) : fs_half::bf16_to_float(h); }
    __device__ static uint16_t narrow(float v) { return DT == FS_F16 ? fs_half::float_to_f16(v) : fs_half::float_to_bf16(v); }
    // Little-endian: element 2k is the low half of word k.
    __device__ static void unpack(float4 w, float* v) {
        const uint32_t u[4] = {__float_as_uint(w.x), __float_as_uint(w.y), __float_as_uint(w.z), __float_as_uint(w.w)};
        for (int k = 0; k < 4; k++) {
            v[2 * k] = widen((uint16_t)(u[k] & 0xFFFFu));
            v[2 * k + 1] = widen((uint16_t)(u[k] >> 16));
        }
    }
    __device__ static float4 pack(const float* v) {
        uint32_t u[4];
        for (int k = 0; k < 4; k++) u[k] = (uint32_t)narrow(v[2 * k]) | ((uint32_t)narrow(v[2 * k + 1]) << 16);
        return make_float4(__uint_as_float(u[0]), __uint_as_float(u[1]), __uint_as_float(u[2]), __uint_as_float(u[3]));
    }
};

template <>
struct Storage<FS_F32> {
    using T = float;
    static constexpr int N = 4;
    __device__ static float widen(float v) { return v; }
    __device__ static float narrow(float v) { return v; }
    __device__ static void unpack(float4 w, float* v) { v[0] = w.x; v[1] = w.y; v[2] = w.z; v[3] = w.w; }
    __device__ static float4 pack(const float* v) { return make_float4(v[0], v[1], v[2], v[3]); }
};

// f(v, n) on each of this thread's groups of elements [start, start + count) of x, in element
// order: v holds n values widened to float32, a whole group (n = N) where it moves in one 16-byte
// access, else one element at a time (n = 1), so that n is a constant wherever f is inlined and v
// stays in registers. With WRITE, v is stored back (rounded to the dtype).
template <int DT, bool WRITE, class F>
__device__ __forceinline__ void visit(void* base, long long start, long long count, const F& f) {
    using S = Storage<DT>;
    typename S::T* x = static_cast<typename S::T*>(base) + start;
    const bool wide = fs_aligned16(x);
    const long long groups = (count + S::N - 1) / S::N;
    for (long long s = threadIdx.x; s < groups; s += blockDim.x) {
        const long long first = s * S::N;
        if (wide && count - first >= S::N) {
            float v[S::N];
            S::unpack(__ldcg(reinterpret_cast<const float4*>(x) + s), v);
            f(v, S::N);
            if (WRITE) __stcg(reinterpret_cast<float4*>(x) + s, S::pack(v));
        } else {
            const long long end = count - first < S::N ? count : first + S::N;
            for (long long i = first; i < end; i++) {
                float v = S::widen(x[i]);
                f(&v, 1);
                if (WRITE) x[i] = S::narrow(v);
            }
        }
    }
}

// visit over elements [start, start + count) of row t's ptr[0], in the row's dtype.
template <bool WRITE, class F>
__device__ __forceinline__ void visit_row(const fs_tensor& t, long long start, long long count, const F& f) {
    switch (t.dtype) {
        case FS_F16: visit<FS_F16, WRITE>(t.ptr[0], start, count, f); break;
        case FS_BF16: visit<FS_BF16, WRITE>(t.ptr[0], start, count, f); break;
        default: visit<FS_F32, WRITE>(t.ptr[0], start, count, f); break;
    }
}

// visit_row over every chunk of the table this block owns (grid-stride over chunks).
template <bool WRITE, class F>
__device__ __forceinline__ void visit_rows(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                           const F& f) {
    for (long long c = blockIdx.x; c < total_chunks; c += gridDim.x) {
        const fs_chunk k = fs_chunk_at(table, rows, c);
        visit_row<WRITE>(table[k.row], k.start, k.count, f);
    }
}

}  // namespace fs_rows

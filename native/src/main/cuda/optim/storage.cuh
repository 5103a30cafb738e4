// How the step kernels read and write each storage dtype, with the CPU's bits
// (kernels-java/.../internal/cpu/Storage.java, StagedLoop.java): a load widens a half element to
// float32 exactly, a store rounds float32 back to nearest-even (halves.cuh), and a BF16 param
// store under FS_STOCHASTIC rounds stochastically with the very random bits the CPU draws: the
// same key per (seed, parameter index, step) and the same hash of the element index.
//
// Vector accesses move 4 consecutive elements: 16 bytes of float32 (float4), 8 bytes of a half
// dtype (uint2), so that every buffer of a row advances in lockstep. Read-write buffers stream
// through L2 only (.cg); the gradient is read-only for the kernel's life (.nc).
#pragma once

#include "../common.cuh"
#include "../tensor/halves.cuh"

namespace fs_storage {

// Bytes per element: float32, or a half dtype (BF16 or F16, which one is a runtime value).
template <bool HALF>
constexpr int elem_bytes = HALF ? 2 : 4;

// Element i of a buffer.
template <bool HALF>
__device__ __forceinline__ void* at(void* base, long long i) {
    return static_cast<char*>(base) + i * elem_bytes<HALF>;
}

// Whether a buffer allows 4-element vector accesses (16 bytes for float32, 8 for a half dtype).
// Null (an absent buffer) constrains nothing.
template <bool HALF>
__device__ __forceinline__ bool vec_aligned(const void* p) {
    return (reinterpret_cast<uintptr_t>(p) & (uintptr_t)(4 * elem_bytes<HALF> - 1)) == 0;
}

// kind: FS_BF16 or FS_F16. One runtime value per row, the same for a whole block.
__device__ __forceinline__ float widen(uint32_t h, int kind) {
    return kind == FS_BF16 ? fs_half::bf16_to_float((uint16_t)h) : fs_half::f16_to_float((uint16_t)h);
}

__device__ __forceinline__ uint32_t narrow(float v, int kind) {
    return kind == FS_BF16 ? fs_half::float_to_bf16(v) : fs_half::float_to_f16(v);
}

// ---------------------------------------------------------------------------------------------
// Stochastic rounding, as Optimizer.roundingKey and Storage.randomBits / floatToBf16Stochastic:
// Java's long and int arithmetic wraps, so does unsigned arithmetic here; >>> is the unsigned >>.

// The key of one parameter's step: a function of the seed, the parameter's index and the step.
__device__ __forceinline__ uint32_t rounding_key(long long seed, int index, long long step) {
    uint64_t x = (uint64_t)seed * 0x9E3779B97F4A7C15ull + (uint64_t)(long long)index * 0xC2B2AE3D27D4EB4Full
            + (uint64_t)step * 0x165667B19E3779F9ull;
    x = (x ^ (x >> 33)) * 0xFF51AFD7ED558CCDull;
    x = (x ^ (x >> 33)) * 0xC4CEB9FE1A85EC53ull;
    return (uint32_t)(x ^ (x >> 33));
}

// 32 random bits for element `index` (its low 32 bits, as Java's (int) cast) under `key`.
__device__ __forceinline__ uint32_t random_bits(uint32_t key, long long index) {
    uint32_t x = (uint32_t)index * 0x9E3779B9u + key;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

// Up or down with probability by distance (unbiased): 16 random bits below the kept ones, truncate.
__device__ __forceinline__ uint32_t bf16_stochastic(float v, uint32_t random) {
    if (v != v) return 0x7FC0;
    return (__float_as_uint(v) + (random >> 16)) >> 16;
}

// How this row's param writes round: stochastically only for BF16 params of an FS_STOCHASTIC group.
struct rounding {
    bool stochastic;
    uint32_t key;
};

// A half param value (kind as narrow); e is the element's index in its tensor (keys the random bits).
__device__ __forceinline__ uint32_t narrow_param(float v, int kind, const rounding& r, long long e) {
    if (r.stochastic) return bf16_stochastic(v, random_bits(r.key, e));
    return narrow(v, kind);
}

// ---------------------------------------------------------------------------------------------
// Loads: elements 4i..4i+3 (load4) or element i (load1) as float32; kind is ignored for float32.

template <bool HALF, bool READ_ONLY>
__device__ __forceinline__ float4 load4(const void* base, long long i, int kind) {
    if constexpr (!HALF) {
        const float4* q = static_cast<const float4*>(base) + i;
        return READ_ONLY ? __ldg(q) : __ldcg(q);
    } else {
        const uint2* q = static_cast<const uint2*>(base) + i;
        const uint2 h = READ_ONLY ? __ldg(q) : __ldcg(q);
        return make_float4(widen(h.x & 0xFFFFu, kind), widen(h.x >> 16, kind), widen(h.y & 0xFFFFu, kind),
                           widen(h.y >> 16, kind));
    }
}

template <bool HALF, bool READ_ONLY>
__device__ __forceinline__ float load1(const void* base, long long i, int kind) {
    if constexpr (!HALF) {
        const float* q = static_cast<const float*>(base) + i;
        return READ_ONLY ? __ldg(q) : __ldcg(q);
    } else {
        const unsigned short* q = static_cast<const unsigned short*>(base) + i;
        return widen(READ_ONLY ? __ldg(q) : __ldcg(q), kind);
    }
}

// ---------------------------------------------------------------------------------------------
// Stores: states round to nearest-even; params may round stochastically (store4_param/store1_param,
// e = the tensor index of the first element written).

__device__ __forceinline__ uint2 pack(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    uint2 h;
    h.x = a | (b << 16);
    h.y = c | (d << 16);
    return h;
}

template <bool HALF>
__device__ __forceinline__ void store4(void* base, long long i, float4 v, int kind) {
    if constexpr (!HALF) {
        __stcg(static_cast<float4*>(base) + i, v);
    } else {
        const uint2 h = pack(narrow(v.x, kind), narrow(v.y, kind), narrow(v.z, kind), narrow(v.w, kind));
        __stcg(static_cast<uint2*>(base) + i, h);
    }
}

template <bool HALF>
__device__ __forceinline__ void store1(void* base, long long i, float v, int kind) {
    if constexpr (!HALF) {
        __stcg(static_cast<float*>(base) + i, v);
    } else {
        __stcg(static_cast<unsigned short*>(base) + i, (unsigned short)narrow(v, kind));
    }
}

template <bool HALF>
__device__ __forceinline__ void store4_param(void* base, long long i, float4 v, int kind, const rounding& r,
                                             long long e) {
    if constexpr (!HALF) {
        store4<false>(base, i, v, kind);
    } else {
        const uint2 h = pack(narrow_param(v.x, kind, r, e), narrow_param(v.y, kind, r, e + 1),
                             narrow_param(v.z, kind, r, e + 2), narrow_param(v.w, kind, r, e + 3));
        __stcg(static_cast<uint2*>(base) + i, h);
    }
}

template <bool HALF>
__device__ __forceinline__ void store1_param(void* base, long long i, float v, int kind, const rounding& r,
                                             long long e) {
    if constexpr (!HALF) {
        store1<false>(base, i, v, kind);
    } else {
        __stcg(static_cast<unsigned short*>(base) + i, (unsigned short)narrow_param(v, kind, r, e));
    }
}

}  // namespace fs_storage

// Element conversions between float32 and the half formats, round-to-nearest-even, with the bits
// of the CPU's HalfFloats (kernels-java/.../internal/cpu/HalfFloats.java), NaNs included:
// BF16 follows c10::BFloat16 (every NaN becomes 0x7FC0); F16 follows Float.floatToFloat16
// (NaN becomes the quiet 0x7E00 with its sign). The integer steps are HalfFloats', one for one;
// the two float additions in the subnormal paths need -ftz=false, which the build sets.
// Used by the casts and by the initializers (which store their float32 values rounded this way).
#pragma once
#include <cstdint>

namespace fs_half {
// binary16 constants, in float32 bit positions (HalfFloats' names)
constexpr uint32_t F16_EXP_SHIFTED = 0x7C00u << 13;
constexpr uint32_t F16_REBIAS = (127u - 15u) << 23;
constexpr uint32_t F16_INF_NAN_EXTRA = (128u - 16u) << 23;
constexpr uint32_t F16_SUBNORMAL_MAGIC = 113u << 23;
constexpr uint32_t F16_OVERFLOW = (127u + 16u) << 23;
constexpr uint32_t F32_INFINITY = 255u << 23;
constexpr uint32_t F16_DENORM_MAGIC = ((127u - 15u) + (23u - 10u) + 1u) << 23;

__device__ __forceinline__ float bf16_to_float(uint16_t h) {
    return __uint_as_float((uint32_t)h << 16);
}

__device__ __forceinline__ uint16_t float_to_bf16(float f) {
    if (f != f) return 0x7FC0;
    const uint32_t bits = __float_as_uint(f);
    const uint32_t rounding_bias = ((bits >> 16) & 1u) + 0x7FFFu;
    return (uint16_t)((bits + rounding_bias) >> 16);
}

__device__ __forceinline__ float f16_to_float(uint16_t h) {
    uint32_t o = ((uint32_t)h & 0x7FFFu) << 13;
    const uint32_t exp = o & F16_EXP_SHIFTED;
    o += F16_REBIAS;
    if (exp == F16_EXP_SHIFTED) {
        o += F16_INF_NAN_EXTRA;
    } else if (exp == 0) {
        o += 1u << 23;
        o = __float_as_uint(__fsub_rn(__uint_as_float(o), __uint_as_float(F16_SUBNORMAL_MAGIC)));
    }
    return __uint_as_float(o | (((uint32_t)h & 0x8000u) << 16));
}

__device__ __forceinline__ uint16_t float_to_f16(float value) {
    uint32_t f = __float_as_uint(value);
    const uint32_t sign = f & 0x80000000u;
    f ^= sign;
    uint32_t o;
    if (f >= F16_OVERFLOW) {
        o = f > F32_INFINITY ? 0x7E00u : 0x7C00u;
    } else if (f < F16_SUBNORMAL_MAGIC) {
        o = __float_as_uint(__fadd_rn(__uint_as_float(f), __uint_as_float(F16_DENORM_MAGIC))) - F16_DENORM_MAGIC;
    } else {
        const uint32_t mantissa_odd = (f >> 13) & 1u;
        f += ((uint32_t)(15 - 127) << 23) + 0xFFFu;  // wraps as Java's int addition does
        f += mantissa_odd;
        o = f >> 13;
    }
    return (uint16_t)(o | (sign >> 16));
}

}  // namespace fs_half

// Just enough of CUDA for the element-wise kernels to compile and run on the host, one emulated
// thread at a time: the kernel files are included unchanged, every device intrinsic they use is
// the IEEE operation it stands for (which is what it is on the GPU), and the launch geometry is
// a set of globals the launcher loops over. Kernels that synchronize a block (the norms) cannot be
// emulated this way and are left out.
//
// Compile with -std=c++17 -ffp-contract=off -fno-strict-aliasing on x86-64 or aarch64 (no excess
// precision): then a + b, a * b, a / b are single IEEE float operations, as with nvcc -fmad=false.
#pragma once

#include <cmath>
#include <math.h>
#include <cstdint>
#include <cstring>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)

struct fs_dim3 {
    unsigned x, y, z;
};

// The emulated launch: which block and thread is running, and the launch's sizes.
inline fs_dim3 threadIdx, blockIdx, blockDim, gridDim;

struct alignas(16) float4 {
    float x, y, z, w;
};

inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }

inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
inline float __uint_as_float(uint32_t i) { float f; std::memcpy(&f, &i, 4); return f; }
inline uint32_t __float_as_uint(float f) { uint32_t i; std::memcpy(&i, &f, 4); return i; }

template <class T> inline T __ldg(const T* p) { return *p; }
template <class T> inline T __ldcg(const T* p) { return *p; }
template <class T> inline void __stcg(T* p, T v) { *p = v; }

using std::fabs;

using std::pow;
using std::sqrt;

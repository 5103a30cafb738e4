// Just enough of CUDA for fusedstep's kernels to compile and run on the host: the kernel files are
// included unchanged, every device intrinsic they use is the IEEE operation it stands for (which
// is what it is on the GPU), and the launch geometry is a set of variables the launcher sets.
// Element-wise kernels run one emulated thread after another; kernels that synchronize a block
// run one block at a time on as many host threads, __syncthreads() being a barrier and
// __shared__ a static (shared by all host threads, right while only one block runs).
//
// Compile with -std=c++20 -pthread -ffp-contract=off -fno-strict-aliasing on x86-64 or aarch64
// (no excess precision): then a + b, a * b, a / b are single IEEE float operations, as with
// nvcc -fmad=false.
#pragma once

#include <barrier>
#include <cmath>
#include <math.h>
#include <cstdint>
#include <cstring>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

struct fs_dim3 {
    unsigned x, y, z;
};

// The emulated launch: which block and thread is running (per host thread), and the launch's sizes.
inline thread_local fs_dim3 threadIdx, blockIdx;
inline fs_dim3 blockDim, gridDim;

// The running block's barrier, for kernels launched one block at a time on host threads.
inline std::barrier<>* fs_block_barrier = nullptr;
inline void __syncthreads() { fs_block_barrier->arrive_and_wait(); }

struct alignas(16) float4 {
    float x, y, z, w;
};

inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

// --- half-precision step rows (optim/storage.cuh): four half elements move as one 8-byte uint2 ---
struct alignas(8) uint2 {
    unsigned x, y;
};
// --- end half-precision step rows ---

inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline double __fma_rn(double a, double b, double c) { return std::fma(a, b, c); }
inline double __dsqrt_rn(double a) { return std::sqrt(a); }
inline uint32_t __umulhi(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a * b) >> 32); }

inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
inline float __uint_as_float(uint32_t i) { float f; std::memcpy(&f, &i, 4); return f; }
inline uint32_t __float_as_uint(float f) { uint32_t i; std::memcpy(&i, &f, 4); return i; }
inline double __longlong_as_double(long long i) { double d; std::memcpy(&d, &i, 8); return d; }
inline long long __double_as_longlong(double d) { long long i; std::memcpy(&i, &d, 8); return i; }

template <class T> inline T __ldg(const T* p) { return *p; }
template <class T> inline T __ldcg(const T* p) { return *p; }
template <class T> inline void __stcg(T* p, T v) { *p = v; }

using std::fabs;
using std::fma;
using std::isfinite;

using std::pow;
using std::sqrt;

// The plain element walk over a group's table: every element of every row once, one chunk per
// block at a time, consecutive threads on consecutive elements.
#pragma once
#include "../common.cuh"

template <class F>
__device__ __forceinline__ void fs_each_element(const fs_tensor* __restrict__ table, int rows,
                                                long long total_chunks, const F& f) {
    for (long long c = blockIdx.x; c < total_chunks; c += gridDim.x) {
        const fs_chunk k = fs_chunk_at(table, rows, c);
        const fs_tensor& t = table[k.row];
        for (long long i = threadIdx.x; i < k.count; i += blockDim.x) {
            f(t, k.start + i);
        }
    }
}

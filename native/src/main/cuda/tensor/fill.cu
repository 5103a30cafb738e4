// Fills every element of every row's ptr[0] with one float32 value: optimizer states start at
// PyTorch's initial value (0, or Adagrad's initial_accumulator_value), which cudaMemset cannot write.
#include "elementwise.cuh"

extern "C" __global__ void fs_fill(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                   float value) {
    fs_each_element(table, rows, total_chunks, [value](const fs_tensor& t, long long i) {
        static_cast<float*>(t.ptr[0])[i] = value;
    });
}

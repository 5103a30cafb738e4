// fs_cast: element casts between float32 and the half formats with the CPU's bits (the
// conversions are in halves.cuh). Rows: ptr[0] source, ptr[1] destination. kind: the ordinal of
// CastKernel.
#include "elementwise.cuh"
#include "halves.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_casts {
enum { BF16_TO_F32 = 0, F32_TO_BF16 = 1, F16_TO_F32 = 2, F32_TO_F16 = 3 };

using namespace fs_half;

extern "C" __global__ void fs_cast(const fs_tensor* __restrict__ table, int rows, long long total_chunks, int kind) {
    switch (kind) {
        case BF16_TO_F32:
            fs_each_element(table, rows, total_chunks, [](const fs_tensor& t, long long i) {
                static_cast<float*>(t.ptr[1])[i] = bf16_to_float(static_cast<const uint16_t*>(t.ptr[0])[i]);
            });
            break;
        case F32_TO_BF16:
            fs_each_element(table, rows, total_chunks, [](const fs_tensor& t, long long i) {
                static_cast<uint16_t*>(t.ptr[1])[i] = float_to_bf16(static_cast<const float*>(t.ptr[0])[i]);
            });
            break;
        case F16_TO_F32:
            fs_each_element(table, rows, total_chunks, [](const fs_tensor& t, long long i) {
                static_cast<float*>(t.ptr[1])[i] = f16_to_float(static_cast<const uint16_t*>(t.ptr[0])[i]);
            });
            break;
        case F32_TO_F16:
            fs_each_element(table, rows, total_chunks, [](const fs_tensor& t, long long i) {
                static_cast<uint16_t*>(t.ptr[1])[i] = float_to_f16(static_cast<const float*>(t.ptr[0])[i]);
            });
            break;
        default:
            break;
    }
}

}  // namespace fs_casts

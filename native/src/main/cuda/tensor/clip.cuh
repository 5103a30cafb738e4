// The clip coefficient, shared by clipping (norm.cu) and the loss scaler (amp.cu).
#pragma once
#include "../common.cuh"

// PyTorch's float32 clamp(max_norm / (total + 1e-6), max=1), as GradClipping.clipCoefficient:
// NaN for a NaN norm, 0 for an infinite one.
__device__ __forceinline__ float fs_clip_coefficient_of(double max_norm, double total) {
    const float c = fs_div((float)max_norm, (float)total + 1e-6f);
    return c != c ? c : fs_min(c, 1.0f);
}

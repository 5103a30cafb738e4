// Dynamic loss scaling on the device, with the semantics of amp.GradScaler (PyTorch's
// _amp_update_scale_, plus GradScaler's floor at the smallest normal float32): the scale, the
// growth tracker and the found-inf flag live in device memory, so a loss-scaled, clipped step
// queues with no host round trip and can be captured in a graph. The host side is
// dev.fusedstep.internal.cuda.DeviceLossScaler, which documents the order of launches.
#include "clip.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_amp {

// One thread, after the norm pass over the raw (still scaled) gradients wrote total (double):
// unscaled_norm (nullable) = total / scale in double, and the step's gradient multiplier
// (float) (1.0 / scale), times the clip coefficient of the unscaled norm when max_norm > 0, in
// float32: GradScaler.step's invScale * GradClipping.clipCoefficient(maxNorm, total / scale).
// After a non-finite norm the multiplier is meaningless: found_inf makes the step skip.
extern "C" __global__ void fs_amp_multiplier(const float* scale, const double* total, double max_norm, float* multiplier,
                                             double* unscaled_norm) {
    const double s = (double)*scale;
    const float inv_scale = (float)(1.0 / s);  // finite: the scale never drops below FLT_MIN
    const double unscaled = *total / s;
    if (unscaled_norm != nullptr) *unscaled_norm = unscaled;
    *multiplier = max_norm > 0.0 ? inv_scale * fs_clip_coefficient_of(max_norm, unscaled) : inv_scale;
}

// One thread: PyTorch's _amp_update_scale_ with GradScaler's floor. On found_inf, scale *=
// backoff_factor (double product rounded to float32, never below FLT_MIN = 2^-126, whose inverse
// is still finite) and the tracker resets; otherwise the tracker counts the finite step, and the
// growth_interval-th one multiplies the scale by growth_factor unless that overflows float32.
extern "C" __global__ void fs_amp_update_scale(float* scale, int* growth_tracker, const float* found_inf,
                                               double growth_factor, double backoff_factor, int growth_interval) {
    if (*found_inf != 0.0f) {
        const float backed_off = (float)((double)*scale * backoff_factor);
        *scale = fs_max(backed_off, __int_as_float(0x00800000));  // Float.MIN_NORMAL
        *growth_tracker = 0;
        return;
    }
    const int successful = *growth_tracker + 1;
    if (successful == growth_interval) {
        const float grown = (float)((double)*scale * growth_factor);
        if (isfinite(grown)) *scale = grown;
        *growth_tracker = 0;
    } else {
        *growth_tracker = successful;
    }
}

}  // namespace fs_amp

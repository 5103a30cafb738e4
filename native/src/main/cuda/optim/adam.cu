// Adam and AdamW: the same operations, in the same order, as AdamKernel.scalar (CPU):
//   g = maximize ? -grad : grad
//   AdamW: p = p * (1 - lr*wd)          Adam: g = fma(wd, p, g)     (only when (float) wd != 0)
//   m = fma(1-beta1, g - m, m)           (PyTorch's lerp)
//   v = fma((1-beta2)*g, g, v*beta2)
//   amsgrad: vmax = max(vmax, v), used for v below
//   p = fma(-lr/bc1, m / (sqrt(v)/sqrt(bc2) + eps), p)
// hyper: [0] beta1, [1] beta2, [2] eps, [3] weight_decay. flags: FS_MAXIMIZE, FS_DECOUPLED, FS_AMSGRAD.
// States: exp_avg, exp_avg_sq, max_exp_avg_sq (amsgrad).
#include "step_rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_adam {
enum { DECAY = 0, WD = 1, ONE_MINUS_BETA1 = 2, BETA2 = 3, ONE_MINUS_BETA2 = 4, BC2_SQRT = 5, NEG_STEP_SIZE = 6, EPS = 7 };

struct AdamOp {
    float decay, wd, w1, b2, c2, bc2_sqrt, neg_step, eps;
    bool maximize, l2, amsgrad;

    __device__ void apply(float& p, float g, float& m, float& v, float& vmax) const {
        if (maximize) g = -g;
        p = p * decay;
        if (l2) g = __fmaf_rn(wd, p, g);
        m = __fmaf_rn(w1, g - m, m);
        v = __fmaf_rn(c2 * g, g, v * b2);
        float v_used = v;
        if (amsgrad) {
            v_used = fs_max(vmax, v);
            vmax = v_used;
        }
        const float denom = fs_div(fs_sqrt(v_used), bc2_sqrt) + eps;
        p = p + fs_div(neg_step * m, denom);  // ATen's CPU addcdiv: unfused (-fmad=false keeps it so)
    }
};

// One thread: advances the step and computes this step's scalars in double, as AdamKernel.prepare.
extern "C" __global__ void fs_adam_prepare(fs_group* grp, const float* found_inf) {
    if (!fs_advance(grp, found_inf, 1.0)) return;
    const double lr = grp->lr, beta1 = grp->hyper[0], beta2 = grp->hyper[1], eps = grp->hyper[2];
    const double wd = grp->hyper[3];
    const double step = (double)grp->step;
    const bool decoupled = (grp->flags & FS_DECOUPLED) != 0;
    const double bc1 = 1 - pow(beta1, step);
    const double bc2 = 1 - pow(beta2, step);
    float* s = grp->scalars;
    s[DECAY] = decoupled ? (float)(1 - lr * wd) : 1.0f;
    s[WD] = decoupled ? 0.0f : (float)wd;
    s[ONE_MINUS_BETA1] = (float)(1 - beta1);
    s[BETA2] = (float)beta2;
    s[ONE_MINUS_BETA2] = (float)(1 - beta2);
    s[BC2_SQRT] = (float)sqrt(bc2);
    s[NEG_STEP_SIZE] = (float)(-lr / bc1);
    s[EPS] = (float)eps;
}

// The step body, for fs_adam_step (groups of float32 rows only: the lean loop, as few registers as
// before half storage existed) and fs_adam_step_layouts (any storage layout, step_rows.cuh).
template <bool LAYOUTS>
__device__ __forceinline__ void adam_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                          const fs_group* __restrict__ grp, const float* grad_scale,
                                          const float* found_inf) {
    if (fs_skip(found_inf)) return;
    const float* s = grp->scalars;
    const int flags = grp->flags;
    AdamOp op;
    op.decay = s[DECAY]; op.wd = s[WD]; op.w1 = s[ONE_MINUS_BETA1]; op.b2 = s[BETA2];
    op.c2 = s[ONE_MINUS_BETA2]; op.bc2_sqrt = s[BC2_SQRT]; op.neg_step = s[NEG_STEP_SIZE]; op.eps = s[EPS];
    op.maximize = (flags & FS_MAXIMIZE) != 0;
    op.l2 = op.wd != 0.0f;
    op.amsgrad = (flags & FS_AMSGRAD) != 0;
    fs_step_rows<LAYOUTS>(op, op.amsgrad ? 3 : 2, table, rows, total_chunks, grp, grad_scale);
}

extern "C" __global__ void fs_adam_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                        const fs_group* __restrict__ grp, const float* grad_scale,
                                        const float* found_inf) {
    adam_step<false>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

extern "C" __global__ void fs_adam_step_layouts(const fs_tensor* __restrict__ table, int rows,
                                                long long total_chunks, const fs_group* __restrict__ grp,
                                                const float* grad_scale, const float* found_inf) {
    adam_step<true>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

}  // namespace fs_adam

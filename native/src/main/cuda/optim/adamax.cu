// Adamax: the operations of AdamaxKernel.scalar (CPU), in order:
//   g = maximize ? -grad : grad
//   g = fma(wd, p, g)                        (only when (float) wd != 0)
//   m = fma(1-beta1, g - m, m)
//   u = max(u*beta2, |g| + eps)
//   p = fma(-(lr/bc1), m / u, p)
// hyper: [0] beta1, [1] beta2, [2] eps, [3] weight_decay. flags: FS_MAXIMIZE.
// States: exp_avg, exp_inf.
#include "step_rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_adamax {
enum { WD = 0, ONE_MINUS_BETA1 = 1, BETA2 = 2, EPS = 3, NEG_STEP_SIZE = 4 };

struct AdamaxOp {
    float wd, w1, b2, eps, neg_step;
    bool maximize, l2;

    __device__ void apply(float& p, float g, float& m, float& u, float&) const {
        if (maximize) g = -g;
        if (l2) g = __fmaf_rn(wd, p, g);
        m = __fmaf_rn(w1, g - m, m);
        u = fs_max(u * b2, fabsf(g) + eps);
        p = __fmaf_rn(neg_step, fs_div(m, u), p);
    }
};

extern "C" __global__ void fs_adamax_prepare(fs_group* grp, const float* found_inf) {
    if (!fs_advance(grp, found_inf, 1.0)) return;
    const double lr = grp->lr, beta1 = grp->hyper[0];
    const double bc1 = 1 - pow(beta1, (double)grp->step);
    float* s = grp->scalars;
    s[WD] = (float)grp->hyper[3];
    s[ONE_MINUS_BETA1] = (float)(1 - beta1);
    s[BETA2] = (float)grp->hyper[1];
    s[EPS] = (float)grp->hyper[2];
    // PyTorch passes value=-clr to addcdiv, which rounds it to float once
    s[NEG_STEP_SIZE] = (float)-(lr / bc1);
}

// The step body, for fs_adamax_step (groups of float32 rows only: the lean loop, as few registers as
// before half storage existed) and fs_adamax_step_layouts (any storage layout, step_rows.cuh).
template <bool LAYOUTS>
__device__ __forceinline__ void adamax_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                            const fs_group* __restrict__ grp, const float* grad_scale,
                                            const float* found_inf) {
    if (fs_skip(found_inf)) return;
    const float* s = grp->scalars;
    AdamaxOp op;
    op.wd = s[WD]; op.w1 = s[ONE_MINUS_BETA1]; op.b2 = s[BETA2]; op.eps = s[EPS]; op.neg_step = s[NEG_STEP_SIZE];
    op.maximize = (grp->flags & FS_MAXIMIZE) != 0;
    op.l2 = op.wd != 0.0f;
    fs_step_rows<LAYOUTS>(op, 2, table, rows, total_chunks, grp, grad_scale);
}

extern "C" __global__ void fs_adamax_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                          const fs_group* __restrict__ grp, const float* grad_scale,
                                          const float* found_inf) {
    adamax_step<false>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

extern "C" __global__ void fs_adamax_step_layouts(const fs_tensor* __restrict__ table, int rows,
                                                  long long total_chunks, const fs_group* __restrict__ grp,
                                                  const float* grad_scale, const float* found_inf) {
    adamax_step<true>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

}  // namespace fs_adamax

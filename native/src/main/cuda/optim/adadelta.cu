// Adadelta: the operations of AdadeltaKernel.scalar (CPU), in order:
//   g = maximize ? -grad : grad
//   g = fma(wd, p, g)                          (only when (float) wd != 0)
//   sq = fma((1-rho)*g, g, sq*rho)
//   delta = sqrt(acc + eps) / sqrt(sq + eps) * g
//   acc = fma((1-rho)*delta, delta, acc*rho)
//   p = fma(-lr, delta, p)
// hyper: [0] rho, [1] eps, [2] weight_decay. flags: FS_MAXIMIZE. States: square_avg, acc_delta.
#include "step_rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_adadelta {
enum { WD = 0, RHO = 1, ONE_MINUS_RHO = 2, EPS = 3, NEG_LR = 4 };

struct AdadeltaOp {
    float wd, rho, c, eps, neg_lr;
    bool maximize, l2;

    __device__ void apply(float& p, float g, float& sq, float& acc, float&) const {
        if (maximize) g = -g;
        if (l2) g = __fmaf_rn(wd, p, g);
        sq = __fmaf_rn(c * g, g, sq * rho);
        const float std = fs_sqrt(sq + eps);
        const float acc0 = acc;
        const float delta = fs_div(fs_sqrt(acc0 + eps), std) * g;
        acc = __fmaf_rn(c * delta, delta, acc0 * rho);
        p = __fmaf_rn(neg_lr, delta, p);
    }
};

extern "C" __global__ void fs_adadelta_prepare(fs_group* grp, const float* found_inf) {
    if (!fs_advance(grp, found_inf, 1.0)) return;
    float* s = grp->scalars;
    s[WD] = (float)grp->hyper[2];
    s[RHO] = (float)grp->hyper[0];
    s[ONE_MINUS_RHO] = (float)(1 - grp->hyper[0]);
    s[EPS] = (float)grp->hyper[1];
    // add_(delta, alpha=-lr) rounds alpha to float and fuses: p + (-lr)*delta
    s[NEG_LR] = (float)-grp->lr;
}

// The step body, for fs_adadelta_step (groups of float32 rows only: the lean loop, as few registers as
// before half storage existed) and fs_adadelta_step_layouts (any storage layout, step_rows.cuh).
template <bool LAYOUTS>
__device__ __forceinline__ void adadelta_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                              const fs_group* __restrict__ grp, const float* grad_scale,
                                              const float* found_inf) {
    if (fs_skip(found_inf)) return;
    const float* s = grp->scalars;
    AdadeltaOp op;
    op.wd = s[WD]; op.rho = s[RHO]; op.c = s[ONE_MINUS_RHO]; op.eps = s[EPS]; op.neg_lr = s[NEG_LR];
    op.maximize = (grp->flags & FS_MAXIMIZE) != 0;
    op.l2 = op.wd != 0.0f;
    fs_step_rows<LAYOUTS>(op, 2, table, rows, total_chunks, grp, grad_scale);
}

extern "C" __global__ void fs_adadelta_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                            const fs_group* __restrict__ grp, const float* grad_scale,
                                            const float* found_inf) {
    adadelta_step<false>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

extern "C" __global__ void fs_adadelta_step_layouts(const fs_tensor* __restrict__ table, int rows,
                                                    long long total_chunks, const fs_group* __restrict__ grp,
                                                    const float* grad_scale, const float* found_inf) {
    adadelta_step<true>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

}  // namespace fs_adadelta

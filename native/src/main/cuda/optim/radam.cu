// RAdam and RAdamW: the operations of RadamKernel.scalar (CPU), in order:
//   g = maximize ? -grad : grad
//   RAdamW: p = p * (1 - lr*wd)       RAdam: g = fma(wd, p, g)      (only when (float) wd != 0)
//   m = fma(1-beta1, g - m, m)
//   v = fma((1-beta2)*g, g, v*beta2)
//   update = m / bc1 * lr
//   rho_t > 5: update = update * ((1 / (sqrt(v) + eps)) * sqrt(bc2)) * rect
//   p = p - update
// The prepare kernel picks the branch for the whole step, as the host does.
// hyper: [0] beta1, [1] beta2, [2] eps, [3] weight_decay. flags: FS_MAXIMIZE, FS_DECOUPLED.
// States: exp_avg, exp_avg_sq.
#include "step_rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_radam {
enum { DECAY = 0, WD = 1, ONE_MINUS_BETA1 = 2, BETA2 = 3, ONE_MINUS_BETA2 = 4, BC1 = 5, LR = 6, BC2_SQRT = 7,
       EPS = 8, RECT = 9, RECTIFIED = 10 };

struct RadamOp {
    float decay, wd, w1, b2, c2, bc1, lr, bc2_sqrt, eps, rect;
    bool maximize, l2, rectified;

    __device__ void apply(float& p, float g, float& m, float& v, float&) const {
        if (maximize) g = -g;
        p = p * decay;
        if (l2) g = __fmaf_rn(wd, p, g);
        m = __fmaf_rn(w1, g - m, m);
        v = __fmaf_rn(c2 * g, g, v * b2);
        float update = fs_div(m, bc1) * lr;
        if (rectified) {
            const float adaptive_lr = fs_div(1.0f, fs_sqrt(v) + eps) * bc2_sqrt;
            update = update * adaptive_lr * rect;
        }
        p = p - update;
    }
};

extern "C" __global__ void fs_radam_prepare(fs_group* grp, const float* found_inf) {
    if (!fs_advance(grp, found_inf, 1.0)) return;
    const double lr = grp->lr, beta1 = grp->hyper[0], beta2 = grp->hyper[1], eps = grp->hyper[2];
    const double wd = grp->hyper[3];
    const long long step = grp->step;
    const double bc1 = 1 - pow(beta1, (double)step);
    const double bc2 = 1 - pow(beta2, (double)step);
    // RadamKernel.rhoT: 2 * step is a long product there, then a double one
    const double rho_inf = 2 / (1 - beta2) - 1;
    const double beta2_t = pow(beta2, (double)step);
    const double rho_t = rho_inf - (double)(2 * step) * beta2_t / (1 - beta2_t);
    const bool rectified = rho_t > 5.0;
    const bool decoupled = (grp->flags & FS_DECOUPLED) != 0;
    float* s = grp->scalars;
    s[DECAY] = decoupled ? (float)(1 - lr * wd) : 1.0f;
    s[WD] = decoupled ? 0.0f : (float)wd;
    s[ONE_MINUS_BETA1] = (float)(1 - beta1);
    s[BETA2] = (float)beta2;
    s[ONE_MINUS_BETA2] = (float)(1 - beta2);
    s[BC1] = (float)bc1;
    s[LR] = (float)lr;
    s[BC2_SQRT] = (float)sqrt(bc2);
    s[EPS] = (float)eps;
    s[RECT] = rectified
            ? (float)sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            : 0.0f;
    s[RECTIFIED] = rectified ? 1.0f : 0.0f;
}

// The step body, for fs_radam_step (groups of float32 rows only: the lean loop, as few registers as
// before half storage existed) and fs_radam_step_layouts (any storage layout, step_rows.cuh).
template <bool LAYOUTS>
__device__ __forceinline__ void radam_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                           const fs_group* __restrict__ grp, const float* grad_scale,
                                           const float* found_inf) {
    if (fs_skip(found_inf)) return;
    const float* s = grp->scalars;
    RadamOp op;
    op.decay = s[DECAY]; op.wd = s[WD]; op.w1 = s[ONE_MINUS_BETA1]; op.b2 = s[BETA2]; op.c2 = s[ONE_MINUS_BETA2];
    op.bc1 = s[BC1]; op.lr = s[LR]; op.bc2_sqrt = s[BC2_SQRT]; op.eps = s[EPS]; op.rect = s[RECT];
    op.rectified = s[RECTIFIED] != 0.0f;
    op.maximize = (grp->flags & FS_MAXIMIZE) != 0;
    op.l2 = op.wd != 0.0f;
    fs_step_rows<LAYOUTS>(op, 2, table, rows, total_chunks, grp, grad_scale);
}

extern "C" __global__ void fs_radam_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                         const fs_group* __restrict__ grp, const float* grad_scale,
                                         const float* found_inf) {
    radam_step<false>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

extern "C" __global__ void fs_radam_step_layouts(const fs_tensor* __restrict__ table, int rows,
                                                 long long total_chunks, const fs_group* __restrict__ grp,
                                                 const float* grad_scale, const float* found_inf) {
    radam_step<true>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

}  // namespace fs_radam

// NAdam and NAdamW: the operations of NadamKernel.scalar (CPU), in order:
//   g = maximize ? -grad : grad
//   NAdamW: p = p * (1 - lr*wd)       NAdam: g = fma(wd, p, g)      (only when (float) wd != 0)
//   m = fma(1-beta1, g - m, m)
//   v = fma((1-beta2)*g, g, v*beta2)
//   denom = sqrt(v / bc2) + eps
//   p = fma(c1, g / denom, p)          c1 = -lr*(1 - mu_t) / (1 - mu_product)
//   p = fma(c2, m / denom, p)          c2 = -lr*mu_{t+1} / (1 - mu_product*mu_{t+1})
// with mu_t = beta1*(1 - 0.5*0.96^(t*momentum_decay)) and mu_product advanced on the device.
// hyper: [0] beta1, [1] beta2, [2] eps, [3] weight_decay, [4] momentum_decay.
// flags: FS_MAXIMIZE, FS_DECOUPLED. States: exp_avg, exp_avg_sq.
#include "step_rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_nadam {
enum { DECAY = 0, WD = 1, ONE_MINUS_BETA1 = 2, BETA2 = 3, ONE_MINUS_BETA2 = 4, BC2 = 5, EPS = 6, GRAD_STEP = 7,
       AVG_STEP = 8 };

struct NadamOp {
    float decay, wd, w1, b2, c2, bc2, eps, grad_step, avg_step;
    bool maximize, l2;

    __device__ void apply(float& p, float g, float& m, float& v, float&) const {
        if (maximize) g = -g;
        p = p * decay;
        if (l2) g = __fmaf_rn(wd, p, g);
        m = __fmaf_rn(w1, g - m, m);
        v = __fmaf_rn(c2 * g, g, v * b2);
        const float denom = fs_sqrt(fs_div(v, bc2)) + eps;
        p = __fmaf_rn(grad_step, fs_div(g, denom), p);
        p = __fmaf_rn(avg_step, fs_div(m, denom), p);
    }
};

// NadamKernel.momentumFactor.
__device__ double momentum_factor(double beta1, double momentum_decay, long long step) {
    return beta1 * (1.0 - 0.5 * pow(0.96, (double)step * momentum_decay));
}

extern "C" __global__ void fs_nadam_prepare(fs_group* grp, const float* found_inf) {
    const double beta1 = grp->hyper[0], beta2 = grp->hyper[1], decay = grp->hyper[4];
    if (!fs_advance(grp, found_inf, momentum_factor(beta1, decay, grp->step + 1))) return;
    const double lr = grp->lr, eps = grp->hyper[2], wd = grp->hyper[3];
    const long long step = grp->step;
    const double mu_product = grp->mu_product;
    const double mu = momentum_factor(beta1, decay, step);
    const double mu_next = momentum_factor(beta1, decay, step + 1);
    const double bc2 = 1 - pow(beta2, (double)step);
    const bool decoupled = (grp->flags & FS_DECOUPLED) != 0;
    float* s = grp->scalars;
    s[DECAY] = decoupled ? (float)(1 - lr * wd) : 1.0f;
    s[WD] = decoupled ? 0.0f : (float)wd;
    s[ONE_MINUS_BETA1] = (float)(1 - beta1);
    s[BETA2] = (float)beta2;
    s[ONE_MINUS_BETA2] = (float)(1 - beta2);
    s[BC2] = (float)bc2;
    s[EPS] = (float)eps;
    s[GRAD_STEP] = (float)(-lr * (1.0 - mu) / (1.0 - mu_product));
    s[AVG_STEP] = (float)((-lr * mu_next) / (1.0 - mu_product * mu_next));
}

// The step body, for fs_nadam_step (groups of float32 rows only: the lean loop, as few registers as
// before half storage existed) and fs_nadam_step_layouts (any storage layout, step_rows.cuh).
template <bool LAYOUTS>
__device__ __forceinline__ void nadam_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                           const fs_group* __restrict__ grp, const float* grad_scale,
                                           const float* found_inf) {
    if (fs_skip(found_inf)) return;
    const float* s = grp->scalars;
    NadamOp op;
    op.decay = s[DECAY]; op.wd = s[WD]; op.w1 = s[ONE_MINUS_BETA1]; op.b2 = s[BETA2]; op.c2 = s[ONE_MINUS_BETA2];
    op.bc2 = s[BC2]; op.eps = s[EPS]; op.grad_step = s[GRAD_STEP]; op.avg_step = s[AVG_STEP];
    op.maximize = (grp->flags & FS_MAXIMIZE) != 0;
    op.l2 = op.wd != 0.0f;
    fs_step_rows<LAYOUTS>(op, 2, table, rows, total_chunks, grp, grad_scale);
}

extern "C" __global__ void fs_nadam_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                         const fs_group* __restrict__ grp, const float* grad_scale,
                                         const float* found_inf) {
    nadam_step<false>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

extern "C" __global__ void fs_nadam_step_layouts(const fs_tensor* __restrict__ table, int rows,
                                                 long long total_chunks, const fs_group* __restrict__ grp,
                                                 const float* grad_scale, const float* found_inf) {
    nadam_step<true>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

}  // namespace fs_nadam

// RMSprop, plain, centered and with momentum: the operations of RmspropKernel.scalar (CPU):
//   g = maximize ? -grad : grad
//   g = fma(wd, p, g)                                   (FS_L2: weight_decay != 0 as a double)
//   sq = fma((1-alpha)*g, g, sq*alpha)
//   centered: ga = fma(lerp_coeff, g - ga, small ? ga : g); avg = sqrt(fma(-ga, ga, sq))
//   else:     avg = sqrt(sq)
//   avg = avg + eps
//   momentum: buf = buf*momentum + g/avg; p = fma(-lr, buf, p)
//   else:     p = p + (-lr*g) / avg
// hyper: [0] alpha, [1] eps, [2] weight_decay, [3] momentum. flags: FS_MAXIMIZE, FS_L2,
// FS_MOMENTUM (momentum > 0), FS_CENTERED, FS_LERP_SMALL (|(float) (1-alpha)| < 0.5).
// States: square_avg, momentum_buffer (momentum), grad_avg (centered), in that order.
#include "step_rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_rmsprop {
enum { WD = 0, ALPHA = 1, ONE_MINUS_ALPHA = 2, LERP_COEFF = 3, EPS = 4, MOMENTUM = 5, NEG_LR = 6 };

// Template on the state order: with momentum the grad average is the third state, else the second.
template <bool HAS_MOMENTUM>
struct RmspropOp {
    float wd, a, c, lerp_coeff, eps, mom, neg_lr;
    bool maximize, l2, centered, lerp_small;

    __device__ void apply(float& p, float g, float& sq, float& second, float& third) const {
        float& buf = second;
        float& ga = HAS_MOMENTUM ? third : second;
        if (maximize) g = -g;
        if (l2) g = __fmaf_rn(wd, p, g);
        sq = __fmaf_rn(c * g, g, sq * a);
        float avg;
        if (centered) {
            const float ga0 = ga;
            ga = __fmaf_rn(lerp_coeff, g - ga0, lerp_small ? ga0 : g);
            avg = fs_sqrt(__fmaf_rn(-ga, ga, sq));
        } else {
            avg = fs_sqrt(sq);
        }
        avg = avg + eps;
        if (HAS_MOMENTUM) {
            buf = buf * mom + fs_div(g, avg);
            p = __fmaf_rn(neg_lr, buf, p);
        } else {
            p = p + fs_div(neg_lr * g, avg);
        }
    }
};

template <bool LAYOUTS, bool HAS_MOMENTUM>
__device__ void rmsprop_rows(const float* s, int flags, const fs_tensor* table, int rows, long long total_chunks,
                             const fs_group* grp, const float* grad_scale) {
    RmspropOp<HAS_MOMENTUM> op;
    op.wd = s[WD]; op.a = s[ALPHA]; op.c = s[ONE_MINUS_ALPHA]; op.lerp_coeff = s[LERP_COEFF];
    op.eps = s[EPS]; op.mom = s[MOMENTUM]; op.neg_lr = s[NEG_LR];
    op.maximize = (flags & FS_MAXIMIZE) != 0;
    op.l2 = (flags & FS_L2) != 0;
    op.centered = (flags & FS_CENTERED) != 0;
    op.lerp_small = (flags & FS_LERP_SMALL) != 0;
    const int states = 1 + (HAS_MOMENTUM ? 1 : 0) + (op.centered ? 1 : 0);
    fs_step_rows<LAYOUTS>(op, states, table, rows, total_chunks, grp, grad_scale);
}

extern "C" __global__ void fs_rmsprop_prepare(fs_group* grp, const float* found_inf) {
    if (!fs_advance(grp, found_inf, 1.0)) return;
    const bool small = (grp->flags & FS_LERP_SMALL) != 0;
    const float weight = (float)(1 - grp->hyper[0]);
    float* s = grp->scalars;
    s[WD] = (float)grp->hyper[2];
    s[ALPHA] = (float)grp->hyper[0];
    s[ONE_MINUS_ALPHA] = weight;
    s[LERP_COEFF] = small ? weight : weight - 1.0f;
    s[EPS] = (float)grp->hyper[1];
    s[MOMENTUM] = (float)grp->hyper[3];
    s[NEG_LR] = (float)-grp->lr;
}

// The step body, for fs_rmsprop_step (groups of float32 rows only: the lean loop, as few registers as
// before half storage existed) and fs_rmsprop_step_layouts (any storage layout, step_rows.cuh).
template <bool LAYOUTS>
__device__ __forceinline__ void rmsprop_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                             const fs_group* __restrict__ grp, const float* grad_scale,
                                             const float* found_inf) {
    if (fs_skip(found_inf)) return;
    if (grp->flags & FS_MOMENTUM) {
        rmsprop_rows<LAYOUTS, true>(grp->scalars, grp->flags, table, rows, total_chunks, grp, grad_scale);
    } else {
        rmsprop_rows<LAYOUTS, false>(grp->scalars, grp->flags, table, rows, total_chunks, grp, grad_scale);
    }
}

extern "C" __global__ void fs_rmsprop_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                           const fs_group* __restrict__ grp, const float* grad_scale,
                                           const float* found_inf) {
    rmsprop_step<false>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

extern "C" __global__ void fs_rmsprop_step_layouts(const fs_tensor* __restrict__ table, int rows,
                                                   long long total_chunks, const fs_group* __restrict__ grp,
                                                   const float* grad_scale, const float* found_inf) {
    rmsprop_step<true>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

}  // namespace fs_rmsprop

// Adagrad (dense gradients): the operations of AdagradKernel.scalar (CPU), in order:
//   g = maximize ? -grad : grad
//   g = fma(wd, p, g)                                   (FS_L2: weight_decay != 0 as a double)
//   sum = fma(g, g, sum)
//   p = p + (-clr*g) / (sqrt(sum) + eps)                clr = lr / (1 + (step-1)*lr_decay)
// hyper: [0] lr_decay, [1] weight_decay, [2] eps. flags: FS_MAXIMIZE, FS_L2. States: sum
// (initial_accumulator_value is the host's business when it fills the state).
#include "step_rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_adagrad {
enum { WD = 0, NEG_CLR = 1, EPS = 2 };

struct AdagradOp {
    float wd, neg_clr, eps;
    bool maximize, l2;

    __device__ void apply(float& p, float g, float& sum, float&, float&) const {
        if (maximize) g = -g;
        if (l2) g = __fmaf_rn(wd, p, g);
        const float acc = __fmaf_rn(g, g, sum);
        const float std = fs_sqrt(acc) + eps;
        p = p + fs_div(neg_clr * g, std);
        sum = acc;
    }
};

extern "C" __global__ void fs_adagrad_prepare(fs_group* grp, const float* found_inf) {
    if (!fs_advance(grp, found_inf, 1.0)) return;
    const double lr = grp->lr, lr_decay = grp->hyper[0];
    const double clr = lr / (1 + (double)(grp->step - 1) * lr_decay);
    float* s = grp->scalars;
    s[WD] = (float)grp->hyper[1];
    s[NEG_CLR] = (float)-clr;
    s[EPS] = (float)grp->hyper[2];
}

// The step body, for fs_adagrad_step (groups of float32 rows only: the lean loop, as few registers as
// before half storage existed) and fs_adagrad_step_layouts (any storage layout, step_rows.cuh).
template <bool LAYOUTS>
__device__ __forceinline__ void adagrad_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                             const fs_group* __restrict__ grp, const float* grad_scale,
                                             const float* found_inf) {
    if (fs_skip(found_inf)) return;
    const float* s = grp->scalars;
    const int flags = grp->flags;
    AdagradOp op;
    op.wd = s[WD]; op.neg_clr = s[NEG_CLR]; op.eps = s[EPS];
    op.maximize = (flags & FS_MAXIMIZE) != 0;
    op.l2 = (flags & FS_L2) != 0;
    fs_step_rows<LAYOUTS>(op, 1, table, rows, total_chunks, grp, grad_scale);
}

extern "C" __global__ void fs_adagrad_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                           const fs_group* __restrict__ grp, const float* grad_scale,
                                           const float* found_inf) {
    adagrad_step<false>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

extern "C" __global__ void fs_adagrad_step_layouts(const fs_tensor* __restrict__ table, int rows,
                                                   long long total_chunks, const fs_group* __restrict__ grp,
                                                   const float* grad_scale, const float* found_inf) {
    adagrad_step<true>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

}  // namespace fs_adagrad

// SGD with optional momentum and Nesterov: the operations of SgdKernel.scalar (CPU), in order:
//   g = maximize ? -grad : grad
//   g = fma(wd, p, g)                                   (FS_L2: weight_decay != 0 as a double)
//   momentum: buf = first step ? g : fma(1-dampening, g, buf*momentum)
//             g = nesterov ? fma(momentum, buf, g) : buf
//   p = fma(-lr, g, p)
// hyper: [0] momentum, [1] dampening, [2] weight_decay. flags: FS_MAXIMIZE, FS_L2, FS_NESTEROV,
// FS_MOMENTUM. States: momentum_buffer (with momentum).
#include "step_rows.cuh"

// A named namespace per file: fusedstep.cu compiles every file as one unit. extern "C"
// kernels inside it keep their plain C names.
namespace fs_sgd {
enum { WD = 0, MOMENTUM = 1, ONE_MINUS_DAMPENING = 2, NEG_LR = 3, FIRST_STEP = 4 };

struct SgdOp {
    float wd, mom, keep, neg_lr;
    bool maximize, l2, has_momentum, nesterov, first;

    __device__ void apply(float& p, float g, float& buf, float&, float&) const {
        if (maximize) g = -g;
        if (l2) g = __fmaf_rn(wd, p, g);
        if (has_momentum) {
            buf = first ? g : __fmaf_rn(keep, g, buf * mom);
            g = nesterov ? __fmaf_rn(mom, buf, g) : buf;
        }
        p = __fmaf_rn(neg_lr, g, p);
    }
};

extern "C" __global__ void fs_sgd_prepare(fs_group* grp, const float* found_inf) {
    if (!fs_advance(grp, found_inf, 1.0)) return;
    float* s = grp->scalars;
    s[WD] = (float)grp->hyper[2];
    s[MOMENTUM] = (float)grp->hyper[0];
    s[ONE_MINUS_DAMPENING] = (float)(1 - grp->hyper[1]);
    s[NEG_LR] = (float)-grp->lr;
    // PyTorch starts the buffer as a copy of g, with no dampening, when it has none yet
    s[FIRST_STEP] = grp->step == 1 ? 1.0f : 0.0f;
}

// The step body, for fs_sgd_step (groups of float32 rows only: the lean loop, as few registers as
// before half storage existed) and fs_sgd_step_layouts (any storage layout, step_rows.cuh).
template <bool LAYOUTS>
__device__ __forceinline__ void sgd_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                         const fs_group* __restrict__ grp, const float* grad_scale,
                                         const float* found_inf) {
    if (fs_skip(found_inf)) return;
    const float* s = grp->scalars;
    const int flags = grp->flags;
    SgdOp op;
    op.wd = s[WD]; op.mom = s[MOMENTUM]; op.keep = s[ONE_MINUS_DAMPENING]; op.neg_lr = s[NEG_LR];
    op.first = s[FIRST_STEP] != 0.0f;
    op.maximize = (flags & FS_MAXIMIZE) != 0;
    op.l2 = (flags & FS_L2) != 0;
    op.has_momentum = (flags & FS_MOMENTUM) != 0;
    op.nesterov = (flags & FS_NESTEROV) != 0;
    fs_step_rows<LAYOUTS>(op, op.has_momentum ? 1 : 0, table, rows, total_chunks, grp, grad_scale);
}

extern "C" __global__ void fs_sgd_step(const fs_tensor* __restrict__ table, int rows, long long total_chunks,
                                       const fs_group* __restrict__ grp, const float* grad_scale,
                                       const float* found_inf) {
    sgd_step<false>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

extern "C" __global__ void fs_sgd_step_layouts(const fs_tensor* __restrict__ table, int rows,
                                               long long total_chunks, const fs_group* __restrict__ grp,
                                               const float* grad_scale, const float* found_inf) {
    sgd_step<true>(table, rows, total_chunks, grp, grad_scale, found_inf);
}

}  // namespace fs_sgd

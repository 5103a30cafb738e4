// fusedstep's CUDA kernels built for the host (see cuda_host_shim.h), with one C entry point per
// kind of launch, for HostEmulationTest (kernels-java) to call through FFM: the CUDA code's
// arithmetic, chunk walk, reductions, table and control-block layouts checked against the CPU
// kernels on a machine without a GPU.
#include "cuda_host_shim.h"

#include "../../main/cuda/optim/sgd.cu"
#include "../../main/cuda/optim/adagrad.cu"
#include "../../main/cuda/optim/rmsprop.cu"
#include "../../main/cuda/optim/adam.cu"
#include "../../main/cuda/optim/adamax.cu"
#include "../../main/cuda/optim/nadam.cu"
#include "../../main/cuda/optim/radam.cu"
#include "../../main/cuda/optim/adadelta.cu"
#include "../../main/cuda/tensor/casts.cu"
#include "../../main/cuda/tensor/fill.cu"
#include "../../main/cuda/tensor/norm.cu"
#include "../../main/cuda/tensor/init.cu"

#include <cstring>
#include <thread>
#include <vector>

namespace {
using prepare_fn = void (*)(fs_group*, const float*);
using step_fn = void (*)(const fs_tensor*, int, long long, const fs_group*, const float*, const float*);

struct Rule {
    const char* name;
    prepare_fn prepare;
    step_fn step;
};

const Rule RULES[] = {
    {"sgd", fs_sgd::fs_sgd_prepare, fs_sgd::fs_sgd_step},
    {"adagrad", fs_adagrad::fs_adagrad_prepare, fs_adagrad::fs_adagrad_step},
    {"rmsprop", fs_rmsprop::fs_rmsprop_prepare, fs_rmsprop::fs_rmsprop_step},
    {"adam", fs_adam::fs_adam_prepare, fs_adam::fs_adam_step},
    {"adamax", fs_adamax::fs_adamax_prepare, fs_adamax::fs_adamax_step},
    {"nadam", fs_nadam::fs_nadam_prepare, fs_nadam::fs_nadam_step},
    {"radam", fs_radam::fs_radam_prepare, fs_radam::fs_radam_step},
    {"adadelta", fs_adadelta::fs_adadelta_prepare, fs_adadelta::fs_adadelta_step},
};

const Rule* find(const char* name) {
    for (const Rule& r : RULES) {
        if (std::strcmp(r.name, name) == 0) return &r;
    }
    return nullptr;
}

// Runs f for every (block, thread) of a grid x block launch, one after another.
template <class F>
void launch(int grid, int block, F f) {
    gridDim = {(unsigned)grid, 1, 1};
    blockDim = {(unsigned)block, 1, 1};
    for (int b = 0; b < grid; b++) {
        for (int t = 0; t < block; t++) {
            blockIdx = {(unsigned)b, 0, 0};
            threadIdx = {(unsigned)t, 0, 0};
            f();
        }
    }
}
// Runs f on block x grid host threads, one block at a time, with a barrier for __syncthreads().
template <class F>
void launch_blocks(int grid, int block, F f) {
    gridDim = {(unsigned)grid, 1, 1};
    blockDim = {(unsigned)block, 1, 1};
    for (int b = 0; b < grid; b++) {
        std::barrier<> barrier(block);
        fs_block_barrier = &barrier;
        std::vector<std::thread> threads;
        for (int t = 0; t < block; t++) {
            threads.emplace_back([&, b, t] {
                blockIdx = {(unsigned)b, 0, 0};
                threadIdx = {(unsigned)t, 0, 0};
                f();
            });
        }
        for (std::thread& th : threads) th.join();
        fs_block_barrier = nullptr;
    }
}
}  // namespace

// fs_<rule>_prepare<<<1, 1>>>; returns -1 for an unknown rule.
extern "C" int fs_host_prepare(const char* rule, fs_group* grp, const float* found_inf) {
    const Rule* r = find(rule);
    if (r == nullptr) return -1;
    launch(1, 1, [&] { r->prepare(grp, found_inf); });
    return 0;
}

// fs_<rule>_step<<<grid, block>>>; returns -1 for an unknown rule.
extern "C" int fs_host_step(const char* rule, int grid, int block, const fs_tensor* table, int rows,
                            long long total_chunks, const fs_group* grp, const float* grad_scale,
                            const float* found_inf) {
    const Rule* r = find(rule);
    if (r == nullptr) return -1;
    launch(grid, block, [&] { r->step(table, rows, total_chunks, grp, grad_scale, found_inf); });
    return 0;
}

// fs_cast<<<grid, block>>>.
extern "C" void fs_host_cast(int grid, int block, const fs_tensor* table, int rows, long long total_chunks, int kind) {
    launch(grid, block, [&] { fs_casts::fs_cast(table, rows, total_chunks, kind); });
}

// fs_fill<<<grid, block>>>.
extern "C" void fs_host_fill(int grid, int block, const fs_tensor* table, int rows, long long total_chunks, float value) {
    launch(grid, block, [&] { fs_fill(table, rows, total_chunks, value); });
}

// fs_norm_partials<<<grid, 256>>> and fs_norm_finish<<<1, 256>>>: the blocks' threads are real.
extern "C" void fs_host_norm(int grid, const fs_tensor* table, int rows, long long total_chunks, int kind, double p,
                             const float* scale, double* partials, double* total, float* found_inf) {
    launch_blocks(grid, 256, [&] { fs_norm::fs_norm_partials(table, rows, total_chunks, kind, p, scale, partials); });
    launch_blocks(1, 256, [&] { fs_norm::fs_norm_finish(partials, total_chunks, kind, p, total, found_inf); });
}

// fs_clip_coefficient<<<1, 1>>>.
extern "C" void fs_host_clip_coefficient(const double* total, double max_norm, float* coefficient) {
    launch(1, 1, [&] { fs_norm::fs_clip_coefficient(total, max_norm, coefficient); });
}

// fs_scale<<<grid, block>>>.
extern "C" void fs_host_scale(int grid, int block, const fs_tensor* table, int rows, long long total_chunks,
                              const float* coefficient) {
    launch(grid, block, [&] { fs_norm::fs_scale(table, rows, total_chunks, coefficient); });
}

// fs_clamp<<<grid, block>>>.
extern "C" void fs_host_clamp(int grid, int block, const fs_tensor* table, int rows, long long total_chunks, float lo,
                              float hi) {
    launch(grid, block, [&] { fs_norm::fs_clamp(table, rows, total_chunks, lo, hi); });
}

// fs_init_uniform<<<grid, block>>> (Init.uniform's values of elements [first, first + n)).
extern "C" void fs_host_init_uniform(int grid, int block, void* out, long long n, long long first, int dtype,
                                     long long seed, long long stream, float a, float b) {
    launch(grid, block, [&] { fs_init::fs_init_uniform(out, n, first, dtype, seed, stream, a, b); });
}

// fs_init_normal<<<grid, block>>>.
extern "C" void fs_host_init_normal(int grid, int block, void* out, long long n, long long first, int dtype,
                                    long long seed, long long stream, float mean, float std) {
    launch(grid, block, [&] { fs_init::fs_init_normal(out, n, first, dtype, seed, stream, mean, std); });
}

// fs_init_trunc_normal<<<grid, block>>>.
extern "C" void fs_host_init_trunc_normal(int grid, int block, void* out, long long n, long long first, int dtype,
                                          long long seed, long long stream, double mean, double std, double a, double b) {
    launch(grid, block, [&] { fs_init::fs_init_trunc_normal(out, n, first, dtype, seed, stream, mean, std, a, b); });
}

// fs_init_constant<<<grid, block>>>.
extern "C" void fs_host_init_constant(int grid, int block, void* out, long long n, int dtype, float value) {
    launch(grid, block, [&] { fs_init::fs_init_constant(out, n, dtype, value); });
}

// The truncated normal's fdlibm ports, one argument at a time (against StrictMath.exp and StrictMath.log).
extern "C" double fs_host_exp(double x) { return fs_erf::exp_fdlibm(x); }
extern "C" double fs_host_log(double x) { return fs_erf::log_fdlibm(x); }
// Its quantile in double, one argument at a time (against NormalQuantile.ofErf: the float rounding of
// the samples hides most one-ulp differences).
extern "C" double fs_host_normal_quantile(double v) { return fs_erf::normal_quantile_of_erf(v); }

// ---- cudaamp: the loss scaler's kernels (tensor/amp.cu) -------------------------------------
#include "../../main/cuda/tensor/amp.cu"

// fs_amp_multiplier<<<1, 1>>>.
extern "C" void fs_host_amp_multiplier(const float* scale, const double* total, double max_norm, float* multiplier,
                                       double* unscaled_norm) {
    launch(1, 1, [&] { fs_amp::fs_amp_multiplier(scale, total, max_norm, multiplier, unscaled_norm); });
}

// fs_amp_update_scale<<<1, 1>>>.
extern "C" void fs_host_amp_update_scale(float* scale, int* growth_tracker, const float* found_inf, double growth_factor,
                                         double backoff_factor, int growth_interval) {
    launch(1, 1, [&] {
        fs_amp::fs_amp_update_scale(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval);
    });
}
// ---- end cudaamp ------------------------------------------------------------------------------

// --- half-precision layouts: fs_<rule>_step_layouts, the step over rows of any storage layout ---
namespace {
const Rule LAYOUT_RULES[] = {
    {"sgd", fs_sgd::fs_sgd_prepare, fs_sgd::fs_sgd_step_layouts},
    {"adagrad", fs_adagrad::fs_adagrad_prepare, fs_adagrad::fs_adagrad_step_layouts},
    {"rmsprop", fs_rmsprop::fs_rmsprop_prepare, fs_rmsprop::fs_rmsprop_step_layouts},
    {"adam", fs_adam::fs_adam_prepare, fs_adam::fs_adam_step_layouts},
    {"adamax", fs_adamax::fs_adamax_prepare, fs_adamax::fs_adamax_step_layouts},
    {"nadam", fs_nadam::fs_nadam_prepare, fs_nadam::fs_nadam_step_layouts},
    {"radam", fs_radam::fs_radam_prepare, fs_radam::fs_radam_step_layouts},
    {"adadelta", fs_adadelta::fs_adadelta_prepare, fs_adadelta::fs_adadelta_step_layouts},
};
}  // namespace

// fs_<rule>_step_layouts<<<grid, block>>>; returns -1 for an unknown rule.
extern "C" int fs_host_step_layouts(const char* rule, int grid, int block, const fs_tensor* table, int rows,
                                    long long total_chunks, const fs_group* grp, const float* grad_scale,
                                    const float* found_inf) {
    for (const Rule& r : LAYOUT_RULES) {
        if (std::strcmp(r.name, rule) == 0) {
            launch(grid, block, [&] { r.step(table, rows, total_chunks, grp, grad_scale, found_inf); });
            return 0;
        }
    }
    return -1;
}
// --- end half-precision layouts ---

// ---------------------------------------------------------------------------------------------
// The MLP's element-wise kernels (tensor/mlp.cu), for HostEmulationMlpTest: ReLU, its gradient
// and the mean squared error against the CPU demo network's loops.
#include "../../main/cuda/tensor/mlp.cu"

// fs_relu<<<grid, block>>>.
extern "C" void fs_host_relu(int grid, int block, const float* h, float* a, long long n) {
    launch(grid, block, [&] { fs_mlp::fs_relu(h, a, n); });
}

// fs_relu_backward<<<grid, block>>>.
extern "C" void fs_host_relu_backward(int grid, int block, const float* h, float* d, long long n) {
    launch(grid, block, [&] { fs_mlp::fs_relu_backward(h, d, n); });
}

// fs_mse_loss<<<1, 256>>>: the block's threads are real (its reduction synchronizes).
extern "C" void fs_host_mse_loss(const float* out, const float* y, long long n, float scale, float* grad, double* loss) {
    launch_blocks(1, fs_mlp::MSE_THREADS, [&] { fs_mlp::fs_mse_loss(out, y, n, scale, grad, loss); });
}

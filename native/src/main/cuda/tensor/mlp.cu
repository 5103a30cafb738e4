// The element-wise parts of a small MLP's training step (the demo's network on the GPU), with
// the semantics of the CPU's cli Mlp: ReLU as Math.max(h, 0) (NaN stays NaN, -0 becomes +0),
// its gradient zero wherever !(h > 0) (at 0 too, as PyTorch), and the mean squared error with
// its gradient 2 (out - y) / n times a loss scale. The matrix products, the bias rows and the
// bias gradients' column sums are cuBLAS calls (through linalg.Gemm), not kernels here.
#include "../common.cuh"

namespace fs_mlp {

// Threads of the one block fs_mse_loss runs in: a power of two, fixed so that the tree is fixed.
constexpr int MSE_THREADS = 256;

// a[i] = Math.max(h[i], 0f) over n elements; a grid-stride loop, any launch geometry.
extern "C" __global__ void fs_relu(const float* __restrict__ h, float* __restrict__ a, long long n) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        a[i] = fs_max(h[i], 0.0f);
    }
}

// d[i] = 0 wherever !(h[i] > 0): the upstream gradient d becomes the gradient before the ReLU, in place.
extern "C" __global__ void fs_relu_backward(const float* __restrict__ h, float* __restrict__ d, long long n) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        if (!(h[i] > 0.0f)) d[i] = 0.0f;
    }
}

// Launch with one block of MSE_THREADS threads. r = out[i] - y[i] in float32; grad[i] = r * scale
// (the host passes scale = 2f / n * lossScale, as the CPU computes it); *loss = (sum of r^2) / n
// in double. Each thread sums a fixed stride of rows, then a fixed tree adds the threads' sums:
// the same bits on every run. (The CPU adds the rows in order; the two agree to double rounding.)
// One block is plenty for a demo's batch of a few hundred rows; a large batch would want a
// two-pass reduction like fs_norm's.
extern "C" __global__ void __launch_bounds__(MSE_THREADS)
fs_mse_loss(const float* __restrict__ out, const float* __restrict__ y, long long n, float scale,
            float* __restrict__ grad, double* loss) {
    __shared__ double sh[MSE_THREADS];
    double acc = 0.0;
    for (long long i = threadIdx.x; i < n; i += MSE_THREADS) {
        const float r = out[i] - y[i];
        acc = acc + (double)r * (double)r;  // the product of two floats is exact in double
        grad[i] = r * scale;
    }
    sh[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned s = MSE_THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) sh[threadIdx.x] = sh[threadIdx.x] + sh[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) *loss = sh[0] / (double)n;
}

}  // namespace fs_mlp

// Quarry's GPU kernels, in the dialect of quarry_cuda.h: compiled to PTX by clang-14 (make ptx) and,
// with QUARRY_HOST, into the emulated driver of Tests/EmulatedGPU.
//
// Each kernel mirrors a CPU routine of Sources/Learn and names it. "1-D" kernels loop grid-stride and
// take any grid and block; the others say the launch they need. Blocks are 1-D (blockDim.y = 1).
// Reductions are trees in shared memory whose order depends only on the launch, never on timing, so
// a run repeats bit for bit; no barrier sits in a branch that threads of one block could take apart.
// Row-major everywhere; images NCHW, plane = H·W.
#include "quarry_cuda.h"

// Where the CPU's result is to be matched bit for bit, a product that feeds a sum is written q_mul (see
// quarry_cuda.h): otherwise the compilers fuse the two into one fma, which rounds differently.

// Visits the indices i of [0, n) this thread owns, a whole grid apart; counted in 64 bits, as the step of
// a large grid can pass 2^31.
#define GRID_STRIDE(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

// ---- Block reductions ----------------------------------------------------------------------------

// Σ value over the block, returned to every thread; any blockDim.x up to 1024 (buffer holds one slot
// per thread). Three barriers whatever the block size, rather than a tree's log2: 32 lanes each add
// every 32nd value in order, then every thread adds the 32 partial sums itself (broadcast reads), so
// all threads hold the same bits. A barrier costs little on a GPU but a whole round of thread switches
// on the emulated device, where per-channel reductions of a deep model are thousands of blocks.
// The buffer is free again when it returns.
template <typename T>
static __device__ __forceinline__ T block_sum(T value, T *buffer) {
    const int t = threadIdx.x, size = blockDim.x, lanes = size < 32 ? size : 32;
    buffer[t] = value;
    __syncthreads();
    if (t < lanes) {
        // Lane t reads only the slots t, t + 32, ...: its own first slot is free to take the partial sum.
        T partial = buffer[t];
        for (int i = t + 32; i < size; i += 32) partial += buffer[i];
        buffer[t] = partial;
    }
    __syncthreads();
    T total = buffer[0];
    for (int i = 1; i < lanes; ++i) total += buffer[i];
    __syncthreads();
    return total;
}

// Whether (value, index) should replace the arg-max candidate (best, bestIndex). It is the CPU's scan
// "start at element 0, move on strict >" as an order, so any tree gives the scan's answer: a NaN at
// index 0 wins (nothing is > NaN), other NaNs never do, equal values go to the lower index. -1 is
// "no candidate".
static __device__ __forceinline__ bool argmax_better(float value, int index, float best, int bestIndex) {
    if (index < 0) return false;
    if (bestIndex < 0) return true;
    if (bestIndex == 0 && best != best) return false;
    if (index == 0 && value != value) return true;
    if (value != value) return false;
    if (best != best) return true;
    return value > best || (value == best && index < bestIndex);
}

// The block's arg-max of the candidates its threads hold; every thread gets it. Any blockDim.x ≤ 1024.
static __device__ __forceinline__ void block_argmax(float &value, int &index, float *values, int *indices) {
    const int t = threadIdx.x, size = blockDim.x;
    values[t] = value;
    indices[t] = index;
    __syncthreads();
    int half = 1;
    while (half * 2 < size) half *= 2;
    for (; half > 0; half /= 2) {
        if (t < half && t + half < size && argmax_better(values[t + half], indices[t + half], values[t], indices[t])) {
            values[t] = values[t + half];
            indices[t] = indices[t + half];
        }
        __syncthreads();
    }
    value = values[0];
    index = indices[0];
    __syncthreads();
}

// Where the j-th of a channel's N·plane values lies in an (N, C, plane) tensor.
static __device__ __forceinline__ long long channel_offset(int j, int c, int channels, int plane) {
    return ((long long)(j / plane) * channels + c) * plane + j % plane;
}

// ---- Elementwise (1-D) -----------------------------------------------------------------------------

KERNEL quarry_add(const float *x, float *y, int n) {
    GRID_STRIDE(i, n) y[i] += x[i];
}
EXPORT_KERNEL(quarry_add)

// The factor lives on the device (a clipping coefficient), so the host need not wait for it.
KERNEL quarry_scale_by(float *y, const float *factor, int n) {
    const float f = factor[0];
    GRID_STRIDE(i, n) y[i] *= f;
}
EXPORT_KERNEL(quarry_scale_by)

// CPUBackend.activation: NaN stays NaN, so a diverging run shows in its loss.
KERNEL quarry_relu_forward(const float *x, float *y, int n) {
    GRID_STRIDE(i, n) y[i] = x[i] < 0 ? 0.0f : x[i];
}
EXPORT_KERNEL(quarry_relu_forward)

KERNEL quarry_relu_backward(const float *dy, const float *x, float *dx, int n) {
    GRID_STRIDE(i, n) dx[i] = x[i] > 0 ? dy[i] : 0.0f;
}
EXPORT_KERNEL(quarry_relu_backward)

// Swift's min(max(x, 0), 6), NaN passing through both.
KERNEL quarry_relu6_forward(const float *x, float *y, int n) {
    GRID_STRIDE(i, n) {
        const float v = 0.0f >= x[i] ? 0.0f : x[i];
        y[i] = 6.0f < v ? 6.0f : v;
    }
}
EXPORT_KERNEL(quarry_relu6_forward)

KERNEL quarry_relu6_backward(const float *dy, const float *x, float *dx, int n) {
    GRID_STRIDE(i, n) dx[i] = x[i] > 0 && x[i] < 6 ? dy[i] : 0.0f;
}
EXPORT_KERNEL(quarry_relu6_backward)

// u(seed, i) in [0, 1): splitmix64 of the value's index, so the mask needs no stored state and the CPU
// draws the same one.
static __device__ __forceinline__ float dropout_uniform(unsigned long long seed, int i) {
    unsigned long long z = seed + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (float)(z >> 40) * 5.9604644775390625e-8f; // 2^-24
}

// Dropout.forward: x times its mask value (0 or 1 / (1 - p)), as the CPU multiplies by the mask.
KERNEL quarry_dropout_forward(const float *x, float *y, int n, float probability, unsigned long long seed) {
    const float scale = 1.0f / (1.0f - probability);
    GRID_STRIDE(i, n) y[i] = x[i] * (dropout_uniform(seed, (int)i) < probability ? 0.0f : scale);
}
EXPORT_KERNEL(quarry_dropout_forward)

KERNEL quarry_dropout_backward(const float *dy, float *dx, int n, float probability, unsigned long long seed) {
    const float scale = 1.0f / (1.0f - probability);
    GRID_STRIDE(i, n) dx[i] = dy[i] * (dropout_uniform(seed, (int)i) < probability ? 0.0f : scale);
}
EXPORT_KERNEL(quarry_dropout_backward)

// ---- Bias and sums ---------------------------------------------------------------------------------

// 1-D. y is (rows, columns).
KERNEL quarry_bias_add_rows(float *y, const float *bias, int rows, int columns) {
    GRID_STRIDE(i, (long long)rows * columns) y[i] += bias[(int)(i % columns)];
}
EXPORT_KERNEL(quarry_bias_add_rows)

// Block 256 (any size up to 1024 works; the sum's order follows it); grid (channels).
// sums[c] = Σ over samples and pixels of x (N, C, plane), accumulated in double.
KERNEL quarry_channel_sums(const float *x, float *sums, int batch, int channels, int plane) {
    __shared__ double buffer[1024];
    const int c = blockIdx.x, count = batch * plane;
    double sum = 0;
    UNROLL_BY(4) for (int j = threadIdx.x; j < count; j += blockDim.x) sum += x[channel_offset(j, c, channels, plane)];
    sum = block_sum(sum, buffer);
    if (threadIdx.x == 0) sums[c] = (float)sum;
}
EXPORT_KERNEL(quarry_channel_sums)

// Block 256 exactly; grid (ceil(columns / 32)). Each block owns 32 columns: 8 lanes of 32 threads walk
// the rows (reads coalesce along a row), then the 8 partial sums of each column are added in a tree.
KERNEL quarry_column_sums(const float *x, float *sums, int rows, int columns) {
    __shared__ double buffer[8][32];
    const int lane = threadIdx.x / 32, offset = threadIdx.x % 32, column = blockIdx.x * 32 + offset;
    double sum = 0;
    if (column < columns)
        UNROLL_BY(4) for (int r = lane; r < rows; r += 8) sum += x[(long long)r * columns + column];
    buffer[lane][offset] = sum;
    __syncthreads();
    for (int half = 4; half > 0; half /= 2) {
        if (lane < half) buffer[lane][offset] += buffer[lane + half][offset];
        __syncthreads();
    }
    if (lane == 0 && column < columns) sums[column] = (float)buffer[0][offset];
}
EXPORT_KERNEL(quarry_column_sums)

// ---- GEMM --------------------------------------------------------------------------------------------
// C = alpha·op(A)·op(B) + beta·C, row-major, one matrix of the batch per blockIdx.z.
// Block 256; grid (ceil(n / 64), ceil(m / 128), batch). Each block computes a 128×64 tile of C, each
// thread an 8×4 micro-tile in registers, over K-tiles of 8 staged in shared memory. Shared memory is
// double-buffered: the next K-tile is read from global memory into registers while the current one
// is multiplied, so one barrier per K-tile suffices. Loads outside A or B read as 0, so every m, n, k
// works; the tile arrays are padded by 4 floats per row, which keeps the transposing stores free of
// bank conflicts while rows stay 16-byte aligned for vector reads.

#define GEMM_BM 128
#define GEMM_BN 64
#define GEMM_BK 8

// Four floats read at once; may_alias, since it reads arrays declared as float.
typedef float vector4 __attribute__((vector_size(16), may_alias));
static __device__ __forceinline__ vector4 load4(const float *p) { return *(const vector4 *)__builtin_assume_aligned(p, 16); }

template <bool TRANSPOSE_A, bool TRANSPOSE_B, bool TF32>
static __device__ __forceinline__ void sgemm(int m, int n, int k, float alpha, const float *a, int lda, long long strideA,
                                             const float *b, int ldb, long long strideB, float beta, float *c, int ldc,
                                             long long strideC) {
    __shared__ float as[2][GEMM_BK][GEMM_BM + 4] __attribute__((aligned(16)));
    __shared__ float bs[2][GEMM_BK][GEMM_BN + 4] __attribute__((aligned(16)));
    const int t = threadIdx.x, tx = t % 16, ty = t / 16;
    const int row0 = blockIdx.y * GEMM_BM, column0 = blockIdx.x * GEMM_BN;
    a += blockIdx.z * strideA;
    b += blockIdx.z * strideB;
    c += blockIdx.z * strideC;

    // The tile element each thread moves: A's 128×8 tile is 4 per thread, B's 8×64 tile 2 per thread.
    // Threads next to each other read next to each other in memory: along k for A (B for nt), along m
    // (n) for Aᵀ (B).
    float stageA[4], stageB[2];
    auto load = [&](int k0) {
        UNROLL for (int r = 0; r < 4; ++r) {
            const int mm = TRANSPOSE_A ? t % 128 : t / 8 + 32 * r, kk = TRANSPOSE_A ? t / 128 + 2 * r : t % 8;
            const int row = row0 + mm, depth = k0 + kk;
            stageA[r] = row < m && depth < k ? a[TRANSPOSE_A ? (long long)depth * lda + row : (long long)row * lda + depth] : 0.0f;
        }
        UNROLL for (int r = 0; r < 2; ++r) {
            const int nn = TRANSPOSE_B ? t / 8 + 32 * r : t % 64, kk = TRANSPOSE_B ? t % 8 : t / 64 + 4 * r;
            const int column = column0 + nn, depth = k0 + kk;
            stageB[r] = column < n && depth < k ? b[TRANSPOSE_B ? (long long)column * ldb + depth : (long long)depth * ldb + column] : 0.0f;
        }
    };
    auto store = [&](int buffer) {
        UNROLL for (int r = 0; r < 4; ++r) {
            const int mm = TRANSPOSE_A ? t % 128 : t / 8 + 32 * r, kk = TRANSPOSE_A ? t / 128 + 2 * r : t % 8;
            as[buffer][kk][mm] = stageA[r];
        }
        UNROLL for (int r = 0; r < 2; ++r) {
            const int nn = TRANSPOSE_B ? t / 8 + 32 * r : t % 64, kk = TRANSPOSE_B ? t % 8 : t / 64 + 4 * r;
            bs[buffer][kk][nn] = stageB[r];
        }
    };

    // FP32: thread (ty, tx) sums rows ty·8.. and columns tx·4.. of the tile. TF32: warp w computes the
    // 32×32 block (w % 4, w / 4) of the tile as 2×4 m16n8k8 tiles, in mma.sync's fragment order.
    float sum[8][4];
    UNROLL for (int i = 0; i < 8; ++i) UNROLL for (int j = 0; j < 4; ++j) sum[i][j] = 0.0f;
    float (&acc)[2][4][4] = *reinterpret_cast<float (*)[2][4][4]>(&sum);
    const int lane = t % 32, warpRow = t / 32 % 4 * 32, warpColumn = t / 128 * 32, g = lane / 4, t4 = lane % 4;

    const int tiles = (k + GEMM_BK - 1) / GEMM_BK;
    load(0);
    store(0);
    __syncthreads();
    for (int tile = 0; tile < tiles; ++tile) {
        const int current = tile & 1;
        const bool more = tile + 1 < tiles;
        if (more) load((tile + 1) * GEMM_BK);
        if (TF32) {
            unsigned af[2][4], bf[4][2];
            UNROLL for (int i = 0; i < 2; ++i) {
                const int row = warpRow + i * 16 + g;
                af[i][0] = q_tf32(as[current][t4][row]);
                af[i][1] = q_tf32(as[current][t4][row + 8]);
                af[i][2] = q_tf32(as[current][t4 + 4][row]);
                af[i][3] = q_tf32(as[current][t4 + 4][row + 8]);
            }
            UNROLL for (int j = 0; j < 4; ++j) {
                const int column = warpColumn + j * 8 + g;
                bf[j][0] = q_tf32(bs[current][t4][column]);
                bf[j][1] = q_tf32(bs[current][t4 + 4][column]);
            }
            q_warp_mma_tf32(acc, af, bf);
        } else {
            UNROLL for (int kk = 0; kk < GEMM_BK; ++kk) {
                // 16-byte aligned runs, read as 128-bit loads.
                const vector4 a0 = load4(&as[current][kk][ty * 8]), a1 = load4(&as[current][kk][ty * 8 + 4]);
                const vector4 b0 = load4(&bs[current][kk][tx * 4]);
                const float av[8] = {a0[0], a0[1], a0[2], a0[3], a1[0], a1[1], a1[2], a1[3]}, bv[4] = {b0[0], b0[1], b0[2], b0[3]};
                UNROLL for (int i = 0; i < 8; ++i) UNROLL for (int j = 0; j < 4; ++j) sum[i][j] = q_fma(av[i], bv[j], sum[i][j]);
            }
        }
        // The other buffer was last read before the previous barrier, so it can be overwritten now.
        if (more) store(current ^ 1);
        __syncthreads();
    }

    // beta == 0 must not read C: it may hold garbage, NaN included.
    UNROLL for (int i = 0; i < 8; ++i) UNROLL for (int j = 0; j < 4; ++j) {
        // Where sum[i][j] lies in the tile: the FP32 micro-tile's place, or acc[i / 4][i % 4][j]'s in its m16n8 tile.
        const int row = row0 + (TF32 ? warpRow + i / 4 * 16 + g + j / 2 * 8 : ty * 8 + i);
        const int column = column0 + (TF32 ? warpColumn + i % 4 * 8 + t4 * 2 + j % 2 : tx * 4 + j);
        if (row < m && column < n) {
            float *out = c + (long long)row * ldc + column;
            *out = beta == 0.0f ? alpha * sum[i][j] : alpha * sum[i][j] + beta * *out;
        }
    }
}

// The entry points: FP32 and TF32 (whose products round A and B to TF32 and sum in float) for each layout.
#define SGEMM_KERNEL(name, TRANSPOSE_A, TRANSPOSE_B, TF32)                                                                  \
    KERNEL name(int m, int n, int k, float alpha, const float *a, int lda, long long strideA, const float *b, int ldb,  \
                long long strideB, float beta, float *c, int ldc, long long strideC) {                                 \
        sgemm<TRANSPOSE_A, TRANSPOSE_B, TF32>(m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC); \
    }                                                                                                                   \
    EXPORT_KERNEL(name)

// A m×k, B k×n.
SGEMM_KERNEL(quarry_sgemm_nn, false, false, false)
SGEMM_KERNEL(quarry_sgemm_nn_tf32, false, false, true)
// A m×k, B stored n×k (C = A·Bᵀ).
SGEMM_KERNEL(quarry_sgemm_nt, false, true, false)
SGEMM_KERNEL(quarry_sgemm_nt_tf32, false, true, true)
// A stored k×m (C = Aᵀ·B), B k×n.
SGEMM_KERNEL(quarry_sgemm_tn, true, false, false)
SGEMM_KERNEL(quarry_sgemm_tn_tf32, true, false, true)

// ---- Convolution pieces ------------------------------------------------------------------------------
// Conv2D+Im2Col: columns is (C·kh·kw, N·OH·OW); row (c·kh + i)·kw + j, column n·OH·OW + oh·OW + ow.

// 1-D over the entries of columns; zeros where the window lies on the padding.
KERNEL quarry_im2col(const float *x, float *columns, int batch, int channels, int height, int width, int kernelH, int kernelW,
                     int stride, int padding, int outH, int outW) {
    const int pixels = outH * outW, width2 = batch * pixels;
    GRID_STRIDE(e, (long long)channels * kernelH * kernelW * width2) {
        const int row = (int)(e / width2), column = (int)(e % width2);
        const int c = row / (kernelH * kernelW), i = row / kernelW % kernelH, j = row % kernelW;
        const int n = column / pixels, oh = column % pixels / outW, ow = column % outW;
        const int ih = oh * stride - padding + i, iw = ow * stride - padding + j;
        columns[e] = ih >= 0 && ih < height && iw >= 0 && iw < width ? x[(((long long)n * channels + c) * height + ih) * width + iw] : 0.0f;
    }
}
EXPORT_KERNEL(quarry_im2col)

// The first output row/column whose window (start·stride - padding, kernel wide) covers input position p.
static __device__ __forceinline__ int first_window(int p, int kernel, int stride, int padding) {
    const int reach = p + padding - kernel + 1;
    return reach <= 0 ? 0 : (reach + stride - 1) / stride;
}

// Calls visit(i, j, oh, ow) for each tap (i, j) of each window (oh, ow) that reads input pixel (h, w),
// taps in the CPU's order (i, then j): the gathers of col2im and the depthwise input gradient.
template <typename Visit>
static __device__ __forceinline__ void windows_reading(int h, int w, int kernelH, int kernelW, int stride, int padding, int outH,
                                                       int outW, Visit visit) {
    for (int i = 0; i < kernelH; ++i) {
        const int top = h + padding - i;
        if (top < 0 || top % stride != 0 || top / stride >= outH) continue;
        for (int j = 0; j < kernelW; ++j) {
            const int left = w + padding - j;
            if (left < 0 || left % stride != 0 || left / stride >= outW) continue;
            visit(i, j, top / stride, left / stride);
        }
    }
}

// 1-D over the pixels of x, each gathering every column entry im2col copied from it: deterministic, no
// atomics, and overwrites x.
KERNEL quarry_col2im(const float *columns, float *x, int batch, int channels, int height, int width, int kernelH, int kernelW,
                     int stride, int padding, int outH, int outW) {
    const int pixels = outH * outW;
    const long long width2 = (long long)batch * pixels;
    GRID_STRIDE(e, (long long)batch * channels * height * width) {
        const int w = (int)(e % width), h = (int)(e / width % height), c = (int)(e / ((long long)width * height) % channels);
        const int n = (int)(e / ((long long)width * height * channels));
        float sum = 0.0f;
        windows_reading(h, w, kernelH, kernelW, stride, padding, outH, outW, [&](int i, int j, int oh, int ow) {
            sum += columns[((long long)(c * kernelH + i) * kernelW + j) * width2 + (long long)n * pixels + oh * outW + ow];
        });
        x[e] = sum;
    }
}
EXPORT_KERNEL(quarry_col2im)

// 1-D. (N, C, P) → (C, N, P): a convolution's gradient channel-major, as the GEMM wants it.
KERNEL quarry_channels_first(const float *x, float *y, int batch, int channels, int plane) {
    GRID_STRIDE(e, (long long)batch * channels * plane) {
        const int p = (int)(e % plane), n = (int)(e / plane % batch), c = (int)(e / ((long long)plane * batch));
        y[e] = x[((long long)n * channels + c) * plane + p];
    }
}
EXPORT_KERNEL(quarry_channels_first)

// 1-D. (C, N, P) → (N, C, P), plus bias[c] when there is one: the GEMM's product back to NCHW.
KERNEL quarry_batch_first(const float *x, float *y, int batch, int channels, int plane, const float *bias) {
    GRID_STRIDE(e, (long long)batch * channels * plane) {
        const int p = (int)(e % plane), c = (int)(e / plane % channels), n = (int)(e / ((long long)plane * channels));
        const float v = x[((long long)c * batch + n) * plane + p];
        y[e] = bias ? v + bias[c] : v;
    }
}
EXPORT_KERNEL(quarry_batch_first)

// Depthwise convolution (groups = C = OC, weight (C, 1, k, k)), direct rather than through im2col,
// whose one-row GEMMs would waste the GPU.

// 1-D over y (N, C, OH, OW); the bias is added after the taps, as Conv2D adds it after the product.
KERNEL quarry_depthwise_forward(const float *x, const float *weight, const float *bias, float *y, int batch, int channels,
                                int height, int width, int kernel, int stride, int padding, int outH, int outW) {
    GRID_STRIDE(e, (long long)batch * channels * outH * outW) {
        const int ow = (int)(e % outW), oh = (int)(e / outW % outH);
        const long long plane = e / ((long long)outW * outH);
        const int c = (int)(plane % channels);
        const float *input = x + plane * height * width, *filter = weight + (long long)c * kernel * kernel;
        float sum = 0.0f;
        for (int i = 0; i < kernel; ++i) {
            const int ih = oh * stride - padding + i;
            if (ih < 0 || ih >= height) continue;
            for (int j = 0; j < kernel; ++j) {
                const int iw = ow * stride - padding + j;
                if (iw >= 0 && iw < width) sum = q_fma(filter[i * kernel + j], input[ih * width + iw], sum);
            }
        }
        y[e] = bias ? sum + bias[c] : sum;
    }
}
EXPORT_KERNEL(quarry_depthwise_forward)

// 1-D over dx (N, C, H, W): each input pixel gathers weight·dy over the windows that read it. Overwrites dx.
KERNEL quarry_depthwise_backward_input(const float *dy, const float *weight, float *dx, int batch, int channels, int height,
                                       int width, int kernel, int stride, int padding, int outH, int outW) {
    GRID_STRIDE(e, (long long)batch * channels * height * width) {
        const int w = (int)(e % width), h = (int)(e / width % height);
        const long long plane = e / ((long long)width * height);
        const int c = (int)(plane % channels);
        const float *gradient = dy + plane * outH * outW, *filter = weight + (long long)c * kernel * kernel;
        float sum = 0.0f;
        windows_reading(h, w, kernel, kernel, stride, padding, outH, outW, [&](int i, int j, int oh, int ow) {
            sum += q_mul(filter[i * kernel + j], gradient[oh * outW + ow]);
        });
        dx[e] = sum;
    }
}
EXPORT_KERNEL(quarry_depthwise_backward_input)

// Block 256 (any size up to 1024); grid (channels·kernel·kernel), one weight per block:
// dweight[c, i, j] = Σ over n, oh, ow of dy[n, c, oh, ow]·x[n, c, oh·s - p + i, ow·s - p + j]. Overwrites.
KERNEL quarry_depthwise_backward_weight(const float *dy, const float *x, float *dweight, int batch, int channels, int height,
                                        int width, int kernel, int stride, int padding, int outH, int outW) {
    __shared__ double buffer[1024];
    const int c = blockIdx.x / (kernel * kernel), i = blockIdx.x / kernel % kernel, j = blockIdx.x % kernel;
    const int pixels = outH * outW, count = batch * pixels;
    double sum = 0;
    UNROLL_BY(4) for (int e = threadIdx.x; e < count; e += blockDim.x) {
        const int n = e / pixels, oh = e % pixels / outW, ow = e % outW;
        const int ih = oh * stride - padding + i, iw = ow * stride - padding + j;
        if (ih >= 0 && ih < height && iw >= 0 && iw < width) {
            const long long plane = (long long)n * channels + c;
            sum += dy[plane * pixels + e % pixels] * x[(plane * height + ih) * width + iw];
        }
    }
    sum = block_sum(sum, buffer);
    if (threadIdx.x == 0) dweight[blockIdx.x] = (float)sum;
}
EXPORT_KERNEL(quarry_depthwise_backward_weight)

// ---- Batch normalization ------------------------------------------------------------------------------
// BatchNorm2D: x is (N, C, plane), M = N·plane values per channel.

// Block 256 (any size up to 1024); grid (channels). Two passes in double as the CPU's: the mean, then
// the squared deviations from it (biased for normalizing, unbiased for the running variance).
KERNEL quarry_batchnorm_statistics(const float *x, float *mean, float *inverseDeviation, float *runningMean,
                                   float *runningVariance, int batch, int channels, int plane, float momentum, float epsilon) {
    __shared__ double buffer[1024];
    const int c = blockIdx.x, count = batch * plane;
    double sum = 0;
    UNROLL_BY(4) for (int j = threadIdx.x; j < count; j += blockDim.x) sum += x[channel_offset(j, c, channels, plane)];
    const float average = (float)(block_sum(sum, buffer) / count);
    double squares = 0;
    UNROLL_BY(4) for (int j = threadIdx.x; j < count; j += blockDim.x) {
        const float d = x[channel_offset(j, c, channels, plane)] - average;
        squares += d * d;
    }
    squares = block_sum(squares, buffer);
    if (threadIdx.x == 0) {
        const float variance = (float)(squares / count), unbiased = (float)(squares / (count - 1));
        mean[c] = average;
        inverseDeviation[c] = 1.0f / q_sqrt(variance + epsilon);
        runningMean[c] = q_mul(1.0f - momentum, runningMean[c]) + q_mul(momentum, average);
        runningVariance[c] = q_mul(1.0f - momentum, runningVariance[c]) + q_mul(momentum, unbiased);
    }
}
EXPORT_KERNEL(quarry_batchnorm_statistics)

// Block 256 (any size up to 1024); grid (channels). BatchNorm2D.channelSums, one replica's part of a batch
// split across devices: Σx per channel, or Σ(x - center[c])² when a center is given, in double.
KERNEL quarry_batchnorm_sums(const float *x, const float *center, double *sums, int batch, int channels, int plane) {
    __shared__ double buffer[1024];
    const int c = blockIdx.x, count = batch * plane;
    double sum = 0;
    if (center) {
        const float m = center[c];
        UNROLL_BY(4) for (int j = threadIdx.x; j < count; j += blockDim.x) {
            const float d = x[channel_offset(j, c, channels, plane)] - m;
            sum += d * d;
        }
    } else {
        UNROLL_BY(4) for (int j = threadIdx.x; j < count; j += blockDim.x) sum += x[channel_offset(j, c, channels, plane)];
    }
    sum = block_sum(sum, buffer);
    if (threadIdx.x == 0) sums[c] = sum;
}
EXPORT_KERNEL(quarry_batchnorm_sums)

// 1-D over channels: evaluation normalizes by the running variance.
KERNEL quarry_batchnorm_inverse_deviation(const float *variance, float *inverseDeviation, int channels, float epsilon) {
    GRID_STRIDE(c, channels) inverseDeviation[c] = 1.0f / q_sqrt(variance[c] + epsilon);
}
EXPORT_KERNEL(quarry_batchnorm_inverse_deviation)

// 1-D. x̂ = (x - mean)·invdev, kept for backward unless `normalized` is null; y = gamma·x̂ + beta.
KERNEL quarry_batchnorm_normalize(const float *x, float *y, float *normalized, const float *mean, const float *inverseDeviation,
                                  const float *gamma, const float *beta, int batch, int channels, int plane) {
    GRID_STRIDE(e, (long long)batch * channels * plane) {
        const int c = (int)(e / plane % channels);
        const float value = (x[e] - mean[c]) * inverseDeviation[c];
        if (normalized) normalized[e] = value;
        y[e] = q_mul(gamma[c], value) + beta[c];
    }
}
EXPORT_KERNEL(quarry_batchnorm_normalize)

// Block 256 (any size up to 1024); grid (channels). dbeta = Σ dy, dgamma = Σ dy·x̂, in double. Overwrites.
KERNEL quarry_batchnorm_backward_reduce(const float *dy, const float *normalized, float *dgamma, float *dbeta, int batch,
                                        int channels, int plane) {
    __shared__ double buffer[1024];
    const int c = blockIdx.x, count = batch * plane;
    double sum = 0, weighted = 0;
    UNROLL_BY(4) for (int j = threadIdx.x; j < count; j += blockDim.x) {
        const long long e = channel_offset(j, c, channels, plane);
        sum += dy[e];
        weighted += dy[e] * normalized[e];
    }
    sum = block_sum(sum, buffer);
    weighted = block_sum(weighted, buffer);
    if (threadIdx.x == 0) {
        dbeta[c] = (float)sum;
        dgamma[c] = (float)weighted;
    }
}
EXPORT_KERNEL(quarry_batchnorm_backward_reduce)

// 1-D. BatchNorm2D.inputGradient: dx = gamma·invdev·(dy - dbeta/M - x̂·dgamma/M) in training, where dbeta and
// dgamma are sums over the M = `count` values the statistics came from (more than this tensor's when
// replicas share them); evaluation's statistics are constants, so dx = gamma·invdev·dy (and `normalized`
// is not read).
KERNEL quarry_batchnorm_backward_input(const float *dy, const float *normalized, const float *inverseDeviation,
                                       const float *gamma, const float *dgamma, const float *dbeta, float *dx, int batch,
                                       int channels, int plane, int training, int valuesPerChannel) {
    const float count = (float)valuesPerChannel;
    GRID_STRIDE(e, (long long)batch * channels * plane) {
        const int c = (int)(e / plane % channels);
        const float scale = gamma[c] * inverseDeviation[c];
        dx[e] = training ? scale * (dy[e] - dbeta[c] / count - q_mul(normalized[e], dgamma[c] / count)) : scale * dy[e];
    }
}
EXPORT_KERNEL(quarry_batchnorm_backward_input)

// ---- Pooling ---------------------------------------------------------------------------------------------
// Pool2D: planes = N·C, square windows, padding at most half the kernel so each window touches the input.

// 1-D over y. The CPU's scan: rows then columns of the clipped window, a value replaces the best only
// when strictly greater (ties keep the first, NaN never wins, padding is never a candidate).
KERNEL quarry_maxpool_forward(const float *x, float *y, int *argmax, int planes, int height, int width, int outH, int outW,
                              int kernel, int stride, int padding) {
    GRID_STRIDE(e, (long long)planes * outH * outW) {
        const int ow = (int)(e % outW), oh = (int)(e / outW % outH);
        const float *input = x + e / ((long long)outW * outH) * height * width;
        const int top = oh * stride - padding, left = ow * stride - padding;
        const int rowStart = top < 0 ? 0 : top, rowEnd = top + kernel < height ? top + kernel : height;
        const int columnStart = left < 0 ? 0 : left, columnEnd = left + kernel < width ? left + kernel : width;
        float best = -__builtin_inff();
        int bestIndex = rowStart * width + columnStart;
        for (int ih = rowStart; ih < rowEnd; ++ih)
            for (int iw = columnStart; iw < columnEnd; ++iw)
                if (input[ih * width + iw] > best) {
                    best = input[ih * width + iw];
                    bestIndex = ih * width + iw;
                }
        y[e] = best;
        argmax[e] = bestIndex;
    }
}
EXPORT_KERNEL(quarry_maxpool_forward)

// 1-D over dx: each input pixel sums, in output order, the dy of the windows whose maximum it is. Overwrites.
KERNEL quarry_maxpool_backward(const float *dy, const int *argmax, float *dx, int planes, int height, int width, int outH,
                               int outW, int kernel, int stride, int padding) {
    GRID_STRIDE(e, (long long)planes * height * width) {
        const int index = (int)(e % ((long long)height * width)), ih = index / width, iw = index % width;
        const long long base = e / ((long long)height * width) * outH * outW;
        const int ohEnd = (ih + padding) / stride < outH - 1 ? (ih + padding) / stride : outH - 1;
        const int owEnd = (iw + padding) / stride < outW - 1 ? (iw + padding) / stride : outW - 1;
        float sum = 0.0f;
        for (int oh = first_window(ih, kernel, stride, padding); oh <= ohEnd; ++oh)
            for (int ow = first_window(iw, kernel, stride, padding); ow <= owEnd; ++ow)
                if (argmax[base + oh * outW + ow] == index) sum += dy[base + oh * outW + ow];
        dx[e] = sum;
    }
}
EXPORT_KERNEL(quarry_maxpool_backward)

// 1-D over y. Every window divides by kernel², padding included (count_include_pad).
KERNEL quarry_avgpool_forward(const float *x, float *y, int planes, int height, int width, int outH, int outW, int kernel,
                              int stride, int padding) {
    const float scale = 1.0f / (float)(kernel * kernel);
    GRID_STRIDE(e, (long long)planes * outH * outW) {
        const int ow = (int)(e % outW), oh = (int)(e / outW % outH);
        const float *input = x + e / ((long long)outW * outH) * height * width;
        const int top = oh * stride - padding, left = ow * stride - padding;
        const int rowStart = top < 0 ? 0 : top, rowEnd = top + kernel < height ? top + kernel : height;
        const int columnStart = left < 0 ? 0 : left, columnEnd = left + kernel < width ? left + kernel : width;
        float sum = 0.0f;
        for (int ih = rowStart; ih < rowEnd; ++ih)
            for (int iw = columnStart; iw < columnEnd; ++iw) sum += input[ih * width + iw];
        y[e] = sum * scale;
    }
}
EXPORT_KERNEL(quarry_avgpool_forward)

// 1-D over dx: each input pixel gathers dy/kernel² of the windows covering it, in output order. Overwrites.
KERNEL quarry_avgpool_backward(const float *dy, float *dx, int planes, int height, int width, int outH, int outW, int kernel,
                               int stride, int padding) {
    const float scale = 1.0f / (float)(kernel * kernel);
    GRID_STRIDE(e, (long long)planes * height * width) {
        const int index = (int)(e % ((long long)height * width)), ih = index / width, iw = index % width;
        const float *gradient = dy + e / ((long long)height * width) * outH * outW;
        const int ohEnd = (ih + padding) / stride < outH - 1 ? (ih + padding) / stride : outH - 1;
        const int owEnd = (iw + padding) / stride < outW - 1 ? (iw + padding) / stride : outW - 1;
        float sum = 0.0f;
        for (int oh = first_window(ih, kernel, stride, padding); oh <= ohEnd; ++oh)
            for (int ow = first_window(iw, kernel, stride, padding); ow <= owEnd; ++ow) sum += q_mul(gradient[oh * outW + ow], scale);
        dx[e] = sum;
    }
}
EXPORT_KERNEL(quarry_avgpool_backward)

// 1-D over the planes, one thread summing each in order, as the CPU does (planes are small by then).
KERNEL quarry_global_avgpool_forward(const float *x, float *y, int planes, int plane) {
    GRID_STRIDE(p, planes) {
        const float *input = x + p * plane;
        float sum = 0.0f;
        for (int i = 0; i < plane; ++i) sum += input[i];
        y[p] = sum / (float)plane;
    }
}
EXPORT_KERNEL(quarry_global_avgpool_forward)

// 1-D over dx.
KERNEL quarry_global_avgpool_backward(const float *dy, float *dx, int planes, int plane) {
    GRID_STRIDE(e, (long long)planes * plane) dx[e] = dy[e / plane] / (float)plane;
}
EXPORT_KERNEL(quarry_global_avgpool_backward)

// 1-D over y: nearest upsampling by a whole factor (planes of height × width in, factor times each side out).
KERNEL quarry_upsample_nearest_forward(const float *x, float *y, int planes, int height, int width, int factor) {
    const int outH = height * factor, outW = width * factor;
    GRID_STRIDE(e, (long long)planes * outH * outW) {
        const int ow = (int)(e % outW), oh = (int)(e / outW % outH);
        y[e] = x[e / ((long long)outW * outH) * height * width + oh / factor * width + ow / factor];
    }
}
EXPORT_KERNEL(quarry_upsample_nearest_forward)

// 1-D over dx: each input value sums the factor × factor square it was copied to, row by row as the CPU does.
KERNEL quarry_upsample_nearest_backward(const float *dy, float *dx, int planes, int height, int width, int factor) {
    const int outW = width * factor;
    GRID_STRIDE(e, (long long)planes * height * width) {
        const int iw = (int)(e % width), ih = (int)(e / width % height);
        const float *gradient = dy + e / ((long long)width * height) * height * factor * outW;
        float sum = 0.0f;
        for (int dh = 0; dh < factor; ++dh)
            for (int dw = 0; dw < factor; ++dw) sum += gradient[(ih * factor + dh) * outW + iw * factor + dw];
        dx[e] = sum;
    }
}
EXPORT_KERNEL(quarry_upsample_nearest_backward)

// ---- Loss and predictions ----------------------------------------------------------------------------------

// Block 256 (any size up to 1024); grid (batch), one row of logits (batch, classes) per block, any class count.
// A row of logits' arg-max (SoftmaxCrossEntropy.predictions': the first on ties) into best and bestIndex,
// and Σ exp(logit - max), for every thread of the block: what the loss and the predictions both start from.
static __device__ __forceinline__ float row_maximum_and_exp_sum(const float *z, int classes, float *values, int *indices,
                                                                float &best, int &bestIndex) {
    best = 0.0f;
    bestIndex = -1;
    for (int c = threadIdx.x; c < classes; c += blockDim.x)
        if (argmax_better(z[c], c, best, bestIndex)) best = z[c], bestIndex = c;
    block_argmax(best, bestIndex, values, indices);
    float sum = 0.0f;
    for (int c = threadIdx.x; c < classes; c += blockDim.x) sum += q_exp(z[c] - best);
    return block_sum(sum, values);
}

// SoftmaxCrossEntropy with targets onTarget/offTarget (label smoothing): log-sum-exp around the row's
// maximum, rowLoss = Σ target·(lse - logit), gradient = (softmax - target) / batchSize (the rows', or the
// whole batch's when these rows are one replica's slice); rowCorrect says whether the arg-max is the label.
KERNEL quarry_softmax_cross_entropy(const float *logits, const int *labels, float *gradient, float *rowLoss, int *rowCorrect,
                                    int batchSize, int classes, float onTarget, float offTarget) {
    __shared__ float values[1024];
    __shared__ int indices[1024];
    const int row = blockIdx.x, label = labels[row];
    const float *z = logits + (long long)row * classes;
    float *g = gradient + (long long)row * classes;
    float best;
    int bestIndex;
    const float sum = row_maximum_and_exp_sum(z, classes, values, indices, best, bestIndex);
    const float logSumExp = best + q_log(sum);
    float loss = 0.0f;
    for (int c = threadIdx.x; c < classes; c += blockDim.x) {
        const float target = c == label ? onTarget : offTarget;
        loss += target * (logSumExp - z[c]);
        g[c] = (q_exp(z[c] - logSumExp) - target) / (float)batchSize;
    }
    loss = block_sum(loss, values);
    if (threadIdx.x == 0) {
        rowLoss[row] = loss;
        rowCorrect[row] = bestIndex == label;
    }
}
EXPORT_KERNEL(quarry_softmax_cross_entropy)

// One block (any size up to 1024). totals[0] = mean loss, totals[1] = correct rows, summed in double.
KERNEL quarry_loss_totals(const float *rowLoss, const int *rowCorrect, float *totals, int batch) {
    __shared__ double buffer[1024];
    double loss = 0, correct = 0;
    for (int r = threadIdx.x; r < batch; r += blockDim.x) {
        loss += rowLoss[r];
        correct += rowCorrect[r];
    }
    loss = block_sum(loss, buffer);
    correct = block_sum(correct, buffer);
    if (threadIdx.x == 0) {
        totals[0] = (float)(loss / batch);
        totals[1] = (float)correct;
    }
}
EXPORT_KERNEL(quarry_loss_totals)

// Block 256 (any size up to 1024); grid (batch). SoftmaxCrossEntropy.predictions: the arg-max (first on ties)
// and its softmax probability, 1 / Σ exp(logit - max).
KERNEL quarry_softmax_predictions(const float *logits, int *labels, float *confidences, int batch, int classes) {
    __shared__ float values[1024];
    __shared__ int indices[1024];
    const int row = blockIdx.x;
    const float *z = logits + (long long)row * classes;
    float best;
    int bestIndex;
    const float sum = row_maximum_and_exp_sum(z, classes, values, indices, best, bestIndex);
    if (threadIdx.x == 0) {
        labels[row] = bestIndex;
        confidences[row] = 1.0f / sum;
    }
    (void)batch;
}
EXPORT_KERNEL(quarry_softmax_predictions)

// ---- Optimizers -----------------------------------------------------------------------------------------------

// 1-D. SGD.apply's loop, operation for operation; momentumBuffer is null without momentum, `fresh` on a
// parameter's first step, keep = 1 - dampening.
KERNEL quarry_sgd(float *value, const float *gradient, float *momentumBuffer, int n, float learningRate, float momentum,
                  float keep, float weightDecay, int nesterov, int fresh) {
    GRID_STRIDE(i, n) {
        float d = gradient[i];
        if (weightDecay != 0) d += q_mul(weightDecay, value[i]);
        if (momentumBuffer) {
            const float b = fresh ? d : q_mul(momentum, momentumBuffer[i]) + q_mul(keep, d);
            momentumBuffer[i] = b;
            d = nesterov ? d + q_mul(momentum, b) : b;
        }
        value[i] -= q_mul(learningRate, d);
    }
}
EXPORT_KERNEL(quarry_sgd)

// 1-D. AdamW.update's loop, operation for operation; decay, stepSize and correction2Root are the
// host's per-step scalars (AdamW.step).
KERNEL quarry_adamw(float *value, const float *gradient, float *m, float *v, int n, float decay, float stepSize,
                    float correction2Root, float beta1, float beta2, float epsilon) {
    const float blend1 = 1.0f - beta1, blend2 = 1.0f - beta2;
    GRID_STRIDE(i, n) {
        const float g = gradient[i], p = q_mul(value[i], decay);
        const float first = m[i] + q_mul(blend1, g - m[i]), second = q_mul(v[i], beta2) + q_mul(blend2 * g, g);
        m[i] = first;
        v[i] = second;
        value[i] = p - q_mul(stepSize, first / (q_sqrt(second) / correction2Root + epsilon));
    }
}
EXPORT_KERNEL(quarry_adamw)

// 1-D (any block up to 1024 threads). partials[blockIdx.x] = Σ x² over this block's grid-stride share,
// in double: the same grid gives the same partials.
KERNEL quarry_sum_squares(const float *x, int n, float *partials) {
    __shared__ double buffer[1024];
    double sum = 0;
    GRID_STRIDE(i, n) sum += (double)x[i] * x[i];
    sum = block_sum(sum, buffer);
    if (threadIdx.x == 0) partials[blockIdx.x] = (float)sum;
}
EXPORT_KERNEL(quarry_sum_squares)

// One block (any size up to 1024). GradientClipping.clipNorm: result[0] = the norm of all gradients,
// result[1] = the factor to scale them by: maxNorm / (norm + 1e-6) when the norm is finite and that is
// below 1, else 1.
KERNEL quarry_clip_coefficient(const float *partials, int count, float maxNorm, float *result) {
    __shared__ double buffer[1024];
    double sum = 0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) sum += partials[i];
    sum = block_sum(sum, buffer);
    if (threadIdx.x == 0) {
        const float norm = (float)q_sqrt_double(sum), scale = maxNorm / (norm + 1e-6f);
        result[0] = norm;
        result[1] = norm - norm == 0.0f && scale < 1.0f ? scale : 1.0f; // norm - norm is NaN for ±inf and NaN
    }
}
EXPORT_KERNEL(quarry_clip_coefficient)

// ---- Data --------------------------------------------------------------------------------------------------------

// 1-D over images (N, 3, H, W) from interleaved RGB bytes (N, H, W, 3): ImageTensor.normalized's
// byte·(1 / (255·std)) + (-mean / std), rounded as it rounds.
KERNEL quarry_normalize_pixels(const unsigned char *pixels, float *images, int batch, int height, int width, float mean0,
                               float mean1, float mean2, float std0, float std1, float std2) {
    const float scale[3] = {1.0f / (255.0f * std0), 1.0f / (255.0f * std1), 1.0f / (255.0f * std2)};
    const float offset[3] = {-mean0 / std0, -mean1 / std1, -mean2 / std2};
    const int plane = height * width;
    GRID_STRIDE(e, (long long)batch * 3 * plane) {
        const int p = (int)(e % plane), c = (int)(e / plane % 3);
        const long long n = e / (3LL * plane);
        const float s = c == 0 ? scale[0] : c == 1 ? scale[1] : scale[2];
        const float o = c == 0 ? offset[0] : c == 1 ? offset[1] : offset[2];
        images[e] = q_mul((float)pixels[(n * plane + p) * 3 + c], s) + o;
    }
}
EXPORT_KERNEL(quarry_normalize_pixels)

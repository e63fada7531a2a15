// The emulator's own kernels, for its self-test (emulator_test.c): small enough to check by hand, and
// between them they use every part of the dialect the emulator provides (static and dynamic shared
// memory, __syncthreads(), float atomics, three-dimensional grids and blocks). Names start with
// emulator_test_ so they never meet Quarry's kernels, which host_kernels.cpp compiles beside them.
#include "../../Resources/cuda/quarry_cuda.h"

// Each block sums its blockDim.x inputs (a power of two) by halving the active threads each round.
KERNEL emulator_test_block_sum(const float *input, float *sums, int count) {
    __shared__ float partial[1024];
    int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
    partial[t] = i < count ? input[i] : 0.0f;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (t < stride) partial[t] += partial[t + stride];
        __syncthreads();
    }
    if (t == 0) sums[blockIdx.x] = partial[0];
}
EXPORT_KERNEL(emulator_test_block_sum)

// Reverses each block's slice through dynamic shared memory (blockDim.x ints of it).
KERNEL emulator_test_reverse(const int *input, int *output) {
    DYNAMIC_SHARED(int, staged);
    int t = threadIdx.x, base = blockIdx.x * blockDim.x;
    staged[t] = input[base + t];
    __syncthreads();
    output[base + t] = staged[blockDim.x - 1 - t];
}
EXPORT_KERNEL(emulator_test_reverse)

// Every thread writes its own coordinates, in decimal digits, at its place in the launch: block-major,
// x fastest within both. Thread 0 of block 0 also writes the grid and block dimensions.
KERNEL emulator_test_coordinates(int *codes, int *dimensions) {
    int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    int thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    int threads = blockDim.x * blockDim.y * blockDim.z;
    codes[block * threads + thread] = blockIdx.x + 10 * blockIdx.y + 100 * blockIdx.z +
                                      1000 * threadIdx.x + 10000 * threadIdx.y + 100000 * threadIdx.z;
    if (block == 0 && thread == 0) {
        dimensions[0] = gridDim.x, dimensions[1] = gridDim.y, dimensions[2] = gridDim.z;
        dimensions[3] = blockDim.x, dimensions[4] = blockDim.y, dimensions[5] = blockDim.z;
    }
}
EXPORT_KERNEL(emulator_test_coordinates)

// Thread 0 of each block appends the block's linear index to `order`. Racy on a GPU, where blocks run at
// once; in the emulator blocks run one after another, so this records the order they ran in.
KERNEL emulator_test_block_order(int *order, int *next) {
    if (threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0)
        order[(*next)++] = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
}
EXPORT_KERNEL(emulator_test_block_order)

// Adds every input into one total with float atomics, from all threads of all blocks.
KERNEL emulator_test_atomic_total(const float *input, float *total, int count) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) q_atomic_add(total, input[i]);
}
EXPORT_KERNEL(emulator_test_atomic_total)

// A deliberate bug: thread 0 returns while the others wait at __syncthreads(). The emulator must report
// it and fail the launch rather than hang.
KERNEL emulator_test_divergent_barrier(int *output) {
    if (threadIdx.x == 0) return;
    __syncthreads();
    output[threadIdx.x] = 1;
}
EXPORT_KERNEL(emulator_test_divergent_barrier)

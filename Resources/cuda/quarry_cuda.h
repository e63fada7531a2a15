// Quarry's CUDA dialect: the few words kernels.cu is written in, defined twice.
//
// For the GPU (clang-14 -x cuda -nocudainc -nocudalib --cuda-device-only): CUDA's own keywords and
// clang's NVVM builtins, so no CUDA header or library is needed to produce PTX.
//
// For the host (QUARRY_HOST defined, any C++17 compiler): the emulated device of
// Tests/EmulatedGPU runs a launch's blocks one after another, each block's threads as real threads,
// and __syncthreads() as a real barrier among them. A kernel's shared arrays become function statics:
// only one launch runs at a time in the emulator, and its blocks run in turn, so one copy is enough.
//
// Indices are int, not CUDA's unsigned: kernels compare them with int sizes, and a tensor here holds
// fewer than 2^31 values (the backend checks).
#ifndef QUARRY_CUDA_H
#define QUARRY_CUDA_H

#ifndef QUARRY_HOST

struct quarry_dim3 { int x, y, z; };

#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __shared__ __attribute__((shared))
#define __forceinline__ __attribute__((always_inline)) inline

// Unused reads of the other two registers are dropped by the optimizer.
#define threadIdx (quarry_dim3{__nvvm_read_ptx_sreg_tid_x(), __nvvm_read_ptx_sreg_tid_y(), __nvvm_read_ptx_sreg_tid_z()})
#define blockIdx (quarry_dim3{__nvvm_read_ptx_sreg_ctaid_x(), __nvvm_read_ptx_sreg_ctaid_y(), __nvvm_read_ptx_sreg_ctaid_z()})
#define blockDim (quarry_dim3{__nvvm_read_ptx_sreg_ntid_x(), __nvvm_read_ptx_sreg_ntid_y(), __nvvm_read_ptx_sreg_ntid_z()})
#define gridDim (quarry_dim3{__nvvm_read_ptx_sreg_nctaid_x(), __nvvm_read_ptx_sreg_nctaid_y(), __nvvm_read_ptx_sreg_nctaid_z()})

// Dynamic shared memory, sized by the launch.
#define DYNAMIC_SHARED(type, name) extern __shared__ type name[]

// exp and log through the hardware's base-2 approximations (relative error near 2^-22): libdevice is
// not linked, and these are what --use_fast_math would pick.
__device__ __forceinline__ float q_exp(float x) { return __nvvm_ex2_approx_f(x * 1.4426950408889634f); }
__device__ __forceinline__ float q_log(float x) { return __nvvm_lg2_approx_f(x) * 0.6931471805599453f; }
__device__ __forceinline__ float q_sqrt(float x) { return __nvvm_sqrt_rn_f(x); }
__device__ __forceinline__ float q_atomic_add(float *address, float value) { return __nvvm_atom_add_gen_f(address, value); }
// a·b + c rounded once. And a·b rounded on its own: clang (-ffp-contract=fast is CUDA's default) and
// ptxas both fuse a plain product into the add that follows it, which would move results that must
// match the CPU's bits (optimizers, normalizations). ptxas never fuses mul.rn; it is written as inline
// PTX because clang turns __nvvm_mul_rn_f back into a plain, fusable multiply.
__device__ __forceinline__ float q_fma(float a, float b, float c) { return __nvvm_fma_rn_f(a, b, c); }
__device__ __forceinline__ float q_mul(float a, float b) {
    float product;
    asm("mul.rn.f32 %0, %1, %2;" : "=f"(product) : "f"(a), "f"(b));
    return product;
}
__device__ __forceinline__ double q_sqrt_double(double x) { return __nvvm_sqrt_rn_d(x); }
// Unrolls the next loop completely (its trip count must be a constant), so small arrays stay in registers;
// UNROLL_BY(n) n times, so that n iterations' loads are in flight together.
#define UNROLL _Pragma("unroll")
#define QUARRY_PRAGMA(text) _Pragma(#text)
#define UNROLL_BY(n) QUARRY_PRAGMA(unroll n)

// TensorFloat-32 on the tensor cores (sm_80 and later). q_tf32 rounds a float to TF32's 10-bit mantissa,
// to nearest with ties away from zero, as the bits of a float whose low 13 are zero.
__device__ __forceinline__ unsigned q_tf32(float x) {
    unsigned rounded;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(rounded) : "f"(x));
    return rounded;
}
// One warp's MI×NI tiles of m16n8k8: acc[i][j] += A_i·B_j, with A_i 16×8 and B_j 8×8 in mma.sync's
// fragments. Lane l holds, with g = l / 4 and t = l % 4:
//   a[i] = A_i(g, t), A_i(g + 8, t), A_i(g, t + 4), A_i(g + 8, t + 4)
//   b[j] = B_j(t, g), B_j(t + 4, g)
//   acc[i][j] = C(g, 2t), C(g, 2t + 1), C(g + 8, 2t), C(g + 8, 2t + 1)
// Every thread of the block must call it together (the host build exchanges fragments through a
// block barrier).
template <int MI, int NI>
__device__ __forceinline__ void q_warp_mma_tf32(float (&acc)[MI][NI][4], const unsigned (&a)[MI][4], const unsigned (&b)[NI][2]) {
    UNROLL for (int i = 0; i < MI; ++i) UNROLL for (int j = 0; j < NI; ++j)
        asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                     "{%0, %1, %2, %3};"
                     : "+f"(acc[i][j][0]), "+f"(acc[i][j][1]), "+f"(acc[i][j][2]), "+f"(acc[i][j][3])
                     : "r"(a[i][0]), "r"(a[i][1]), "r"(a[i][2]), "r"(a[i][3]), "r"(b[j][0]), "r"(b[j][1]));
}

// A kernel; EXPORT_KERNEL(name) after its body registers the host build and is empty here.
#define KERNEL extern "C" __global__ void
#define EXPORT_KERNEL(name)

#else // QUARRY_HOST

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <utility>
#include "../../Tests/EmulatedGPU/emulator.h"

#define __global__
#define __device__
#define __shared__ static
#define __forceinline__ inline

// Set by the emulator's trampoline before each block a thread runs.
static thread_local quarry_thread_position quarry_position;
#define threadIdx (quarry_position.thread)
#define blockIdx (quarry_position.block)
#define blockDim (quarry_position.block_dim)
#define gridDim (quarry_position.grid_dim)
#define DYNAMIC_SHARED(type, name) type *name = static_cast<type *>(quarry_position.dynamic_shared)
#define __syncthreads() quarry_emulator_syncthreads()

static inline float q_exp(float x) { return expf(x); }
static inline float q_log(float x) { return logf(x); }
static inline float q_sqrt(float x) { return sqrtf(x); }
// A compare-and-swap loop, as the hardware's float add is not a host instruction.
static inline float q_atomic_add(float *address, float value) {
    float old;
    __atomic_load(address, &old, __ATOMIC_RELAXED);
    float sum = old + value;
    while (!__atomic_compare_exchange(address, &old, &sum, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) sum = old + value;
    return old;
}
// Rounded twice on the host: the emulator's results are compared within a tolerance.
static inline float q_fma(float a, float b, float c) { return a * b + c; }
static inline float q_mul(float a, float b) { return a * b; }
static inline double q_sqrt_double(double x) { return sqrt(x); }
#define UNROLL
#define UNROLL_BY(n)

// TF32 rounding of the bits: add half of the dropped 13 bits' weight to the magnitude, then drop them.
// Infinities and NaNs pass as they are.
static inline unsigned q_tf32(float x) {
    unsigned bits;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7f800000u) == 0x7f800000u) return bits;
    return (bits + 0x1000u) & 0xffffe000u;
}

static inline float q_float_bits(unsigned bits) {
    float value;
    memcpy(&value, &bits, 4);
    return value;
}

// The warp's tiles from every lane's fragments, as mma.sync gathers them: each thread leaves its
// fragments in a block-wide scratch, and after a barrier reads its warp's. Products of TF32 values are
// exact in float; the sums are added in k order (the hardware's order is its own, so the tests compare
// within a tolerance).
template <int MI, int NI>
static void q_warp_mma_tf32(float (&acc)[MI][NI][4], const unsigned (&a)[MI][4], const unsigned (&b)[NI][2]) {
    static unsigned scratch[1024][MI * 4 + NI * 2];
    const int t = threadIdx.x, warp = t & ~31;
    for (int i = 0; i < MI; ++i) for (int r = 0; r < 4; ++r) scratch[t][i * 4 + r] = a[i][r];
    for (int j = 0; j < NI; ++j) for (int r = 0; r < 2; ++r) scratch[t][MI * 4 + j * 2 + r] = b[j][r];
    __syncthreads();
    const int g = (t & 31) / 4, lane4 = t & 3;
    for (int i = 0; i < MI; ++i) for (int j = 0; j < NI; ++j) for (int q = 0; q < 4; ++q) {
        const int row = g + (q >> 1) * 8, column = 2 * lane4 + (q & 1);
        float sum = acc[i][j][q];
        for (int k = 0; k < 8; ++k) {
            // A(row, k) is lane (row % 8)·4 + k % 4's register (row / 8) + 2·(k / 4); B(k, column) is lane
            // column·4 + k % 4's register k / 4.
            const float x = q_float_bits(scratch[warp + (row % 8) * 4 + k % 4][i * 4 + row / 8 + 2 * (k / 4)]);
            const float y = q_float_bits(scratch[warp + column * 4 + k % 4][MI * 4 + j * 2 + k / 4]);
            sum += x * y;
        }
        acc[i][j][q] = sum;
    }
    __syncthreads();
}

// Unpacks the driver's parameter array (one pointer per argument) into the kernel's own signature.
template <typename... Arguments, size_t... Index>
static void quarry_invoke(void (*kernel)(Arguments...), void **parameters, std::index_sequence<Index...>) {
    kernel(*static_cast<Arguments *>(parameters[Index])...);
}

template <typename... Arguments>
constexpr size_t quarry_arity(void (*)(Arguments...)) { return sizeof...(Arguments); }

template <auto kernel>
static void quarry_trampoline(void **parameters, const quarry_thread_position *position) {
    quarry_position = *position;
    quarry_invoke(kernel, parameters, std::make_index_sequence<quarry_arity(kernel)>{});
}

// Registers the host build under the kernel's PTX name when the emulator library loads.
struct quarry_registration {
    quarry_registration(const char *name, quarry_host_kernel kernel) { quarry_register_host_kernel(name, kernel); }
};

#define KERNEL extern "C" void
#define EXPORT_KERNEL(name) static quarry_registration quarry_registered_##name(#name, &quarry_trampoline<&name>);

#endif // QUARRY_HOST
#endif // QUARRY_CUDA_H

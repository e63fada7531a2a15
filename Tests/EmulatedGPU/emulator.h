// The seam between the emulated driver (emulated_cuda.c, C) and the host build of Quarry's kernels
// (host_kernels.cpp, which compiles Resources/cuda/kernels.cu through quarry_cuda.h with QUARRY_HOST).
#ifndef QUARRY_EMULATOR_H
#define QUARRY_EMULATOR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct quarry_dim3 { int x, y, z; };

// Where one emulated thread stands in its launch; copied into the kernel's thread-local view per block.
typedef struct {
    struct quarry_dim3 thread, block, block_dim, grid_dim;
    void *dynamic_shared;
} quarry_thread_position;

// A kernel's host build: reads its arguments from the driver's parameter array (kernelParams).
typedef void (*quarry_host_kernel)(void **parameters, const quarry_thread_position *position);

// Called by each kernel's registration as the library loads.
void quarry_register_host_kernel(const char *name, quarry_host_kernel kernel);
// The host build registered under `name`, or NULL.
quarry_host_kernel quarry_find_host_kernel(const char *name);
// __syncthreads(): waits for every thread of the calling thread's block.
void quarry_emulator_syncthreads(void);

// The emulated driver's own state, exported for the emulated NVML (emulated_nvml.c) and the self-test.
// They need no cuInit, as NVML needs none.
// QUARRY_EMULATED_GPUS: the number of devices.
int quarry_emulator_device_count(void);
// These two return 0, or -1 for a device that does not exist.
// Capacity less the bytes of live device allocations, and capacity (QUARRY_EMULATED_GPU_MEMORY_MB).
int quarry_emulator_memory(int device, size_t *free_bytes, size_t *total_bytes);
// Nanoseconds the device has spent running kernels and copying or filling memory, since the process began.
int quarry_emulator_activity(int device, unsigned long long *kernel_ns, unsigned long long *copy_ns);

#ifdef __cplusplus
}
#endif
#endif

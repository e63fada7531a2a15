// The emulated device's self-test (make emulated-gpu-test): drives the emulated libcuda.so.1 and
// libnvidia-ml.so.1 through the driver API as Quarry does, linked against them directly.
//
// The emulator reads its environment once per process, so each scenario runs in a child process of its
// own with the environment it needs; the children report their counts back through a pipe.
// Prints "N passed, M failed" and exits non-zero on any failure. An argument runs only the scenarios whose
// names contain it.

#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"

// MARK: - The driver API and NVML as the emulator exports them

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void *CUcontext, *CUstream, *CUevent, *CUmodule, *CUfunction;

CUresult cuInit(unsigned int);
CUresult cuDriverGetVersion(int *);
CUresult cuDeviceGetCount(int *);
CUresult cuDeviceGet(CUdevice *, int);
CUresult cuDeviceGetName(char *, int, CUdevice);
CUresult cuDeviceTotalMem_v2(size_t *, CUdevice);
CUresult cuDeviceGetAttribute(int *, int, CUdevice);
CUresult cuDevicePrimaryCtxRetain(CUcontext *, CUdevice);
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice);
CUresult cuCtxSetCurrent(CUcontext);
CUresult cuCtxGetCurrent(CUcontext *);
CUresult cuCtxSynchronize(void);
CUresult cuStreamCreate(CUstream *, unsigned int);
CUresult cuStreamDestroy_v2(CUstream);
CUresult cuStreamSynchronize(CUstream);
CUresult cuStreamWaitEvent(CUstream, CUevent, unsigned int);
CUresult cuEventCreate(CUevent *, unsigned int);
CUresult cuEventRecord(CUevent, CUstream);
CUresult cuEventSynchronize(CUevent);
CUresult cuEventQuery(CUevent);
CUresult cuEventElapsedTime(float *, CUevent, CUevent);
CUresult cuEventDestroy_v2(CUevent);
CUresult cuMemAlloc_v2(CUdeviceptr *, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemGetInfo_v2(size_t *, size_t *);
CUresult cuMemAllocHost_v2(void **, size_t);
CUresult cuMemFreeHost(void *);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void *, size_t);
CUresult cuMemcpyDtoH_v2(void *, CUdeviceptr, size_t);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr, const void *, size_t, CUstream);
CUresult cuMemcpyDtoHAsync_v2(void *, CUdeviceptr, size_t, CUstream);
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr, CUdeviceptr, size_t, CUstream);
CUresult cuMemsetD32Async(CUdeviceptr, unsigned int, size_t, CUstream);
CUresult cuMemsetD8Async(CUdeviceptr, unsigned char, size_t, CUstream);
CUresult cuModuleLoadData(CUmodule *, const void *);
CUresult cuModuleUnload(CUmodule);
CUresult cuModuleGetFunction(CUfunction *, CUmodule, const char *);
CUresult cuLaunchKernel(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream,
                        void **, void **);
CUresult cuGetErrorName(CUresult, const char **);
CUresult cuGetErrorString(CUresult, const char **);

typedef void *nvmlDevice_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
int nvmlInit_v2(void);
int nvmlShutdown(void);
int nvmlDeviceGetCount_v2(unsigned int *);
int nvmlDeviceGetHandleByIndex_v2(unsigned int, nvmlDevice_t *);
int nvmlDeviceGetMemoryInfo(nvmlDevice_t, nvmlMemory_t *);
int nvmlDeviceGetName(nvmlDevice_t, char *, unsigned int);
int nvmlDeviceGetUtilizationRates(nvmlDevice_t, nvmlUtilization_t *);
const char *nvmlErrorString(int);

// MARK: - Checks

static atomic_int passed, failed;

static void check(bool ok, const char *what, int line) {
    if (ok) {
        atomic_fetch_add(&passed, 1);
    } else {
        atomic_fetch_add(&failed, 1);
        fprintf(stderr, "FAILED (line %d): %s\n", line, what);
    }
}

#define CHECK(condition) check((condition), #condition, __LINE__)
// A call and the result it must give, with what it gave when it does not.
#define EXPECT(call, expected)                                                                       \
    do {                                                                                             \
        int got_ = (call);                                                                           \
        if (got_ != (expected)) fprintf(stderr, "  %s gave %d, not %d\n", #call, got_, (expected)); \
        check(got_ == (expected), #call " == " #expected, __LINE__);                                 \
    } while (0)

enum {
    SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, INVALID_DEVICE = 101,
    INVALID_CONTEXT = 201, INVALID_PTX = 218, INVALID_HANDLE = 400, NOT_FOUND = 500, LAUNCH_FAILED = 719,
};
enum { MB = 1 << 20 };

// The module every scenario loads: only scanned by the emulator, which finds the kernels' host builds by
// their .entry names. emulator_test_not_on_host has no host build; the commented-out one is no entry.
static const char ptx[] =
    "//\n// Generated for the emulator's self-test\n//\n"
    ".version 7.0\n"
    ".target sm_80\n"
    ".address_size 64\n"
    "\n"
    "// .visible .entry emulator_test_commented_out(\n"
    ".visible .entry emulator_test_block_sum(\n"
    "\t.param .u64 emulator_test_block_sum_param_0,\n"
    "\t.param .u64 emulator_test_block_sum_param_1,\n"
    "\t.param .u32 emulator_test_block_sum_param_2\n"
    ")\n{\n\tret;\n}\n"
    ".visible .entry emulator_test_reverse(.param .u64 a, .param .u64 b) { ret; }\n"
    ".visible .entry emulator_test_coordinates(.param .u64 a, .param .u64 b) { ret; }\n"
    ".visible .entry emulator_test_block_order(.param .u64 a, .param .u64 b) { ret; }\n"
    ".visible .entry emulator_test_atomic_total(.param .u64 a, .param .u64 b, .param .u32 c) { ret; }\n"
    ".visible .entry emulator_test_divergent_barrier(.param .u64 a) { ret; }\n"
    ".entry emulator_test_not_on_host() { ret; }\n";

static CUcontext use_device(int device) {
    CUcontext context = NULL;
    EXPECT(cuDevicePrimaryCtxRetain(&context, device), SUCCESS);
    EXPECT(cuCtxSetCurrent(context), SUCCESS);
    return context;
}

static CUfunction function(CUmodule module, const char *name) {
    CUfunction f = NULL;
    EXPECT(cuModuleGetFunction(&f, module, name), SUCCESS);
    return f;
}

// Sums `blocks` blocks of `threads` inputs (input i is i % 7) with emulator_test_block_sum on the current
// device; true when every block's sum is right.
static bool block_sums_right(CUfunction sum, int blocks, int threads, CUstream stream) {
    int count = blocks * threads;
    float *input = malloc((size_t)count * sizeof *input), *sums = malloc((size_t)blocks * sizeof *sums);
    for (int i = 0; i < count; i++) input[i] = (float)(i % 7);
    CUdeviceptr device_input = 0, device_sums = 0;
    bool ok = cuMemAlloc_v2(&device_input, (size_t)count * sizeof(float)) == SUCCESS &&
              cuMemAlloc_v2(&device_sums, (size_t)blocks * sizeof(float)) == SUCCESS &&
              cuMemcpyHtoDAsync_v2(device_input, input, (size_t)count * sizeof(float), stream) == SUCCESS;
    void *parameters[] = {&device_input, &device_sums, &count};
    ok = ok && cuLaunchKernel(sum, (unsigned)blocks, 1, 1, (unsigned)threads, 1, 1, 0, stream, parameters, NULL) == SUCCESS;
    ok = ok && cuMemcpyDtoHAsync_v2(sums, device_sums, (size_t)blocks * sizeof(float), stream) == SUCCESS &&
         cuStreamSynchronize(stream) == SUCCESS;
    for (int b = 0; ok && b < blocks; b++) {
        float expected = 0;
        for (int t = 0; t < threads; t++) expected += (float)((b * threads + t) % 7);
        ok = sums[b] == expected;
    }
    if (device_input != 0) cuMemFree_v2(device_input);
    if (device_sums != 0) cuMemFree_v2(device_sums);
    free(input);
    free(sums);
    return ok;
}

static size_t nvml_free(int device) {
    nvmlDevice_t handle = NULL;
    nvmlMemory_t memory = {0};
    if (nvmlDeviceGetHandleByIndex_v2((unsigned)device, &handle) != 0 || nvmlDeviceGetMemoryInfo(handle, &memory) != 0)
        return (size_t)-1;
    CHECK(memory.total == memory.free + memory.used);
    return (size_t)memory.free;
}

// MARK: - Scenarios

static void before_init(void) {
    int value = 0;
    CUdeviceptr pointer;
    EXPECT(cuDeviceGetCount(&value), NOT_INITIALIZED);
    EXPECT(cuMemAlloc_v2(&pointer, 16), NOT_INITIALIZED);
    EXPECT(cuCtxSetCurrent(NULL), NOT_INITIALIZED);
    EXPECT(cuDriverGetVersion(&value), SUCCESS);
    CHECK(value == 12040);
    EXPECT(cuInit(1), INVALID_VALUE);
    EXPECT(cuInit(0), SUCCESS);
    EXPECT(cuInit(0), SUCCESS);
}

static void devices(void) {  // QUARRY_EMULATED_GPUS=3, QUARRY_EMULATED_GPU_MEMORY_MB=64
    EXPECT(cuInit(0), SUCCESS);
    int count = 0;
    EXPECT(cuDeviceGetCount(&count), SUCCESS);
    CHECK(count == 3);
    CUdevice device = -1;
    EXPECT(cuDeviceGet(&device, 2), SUCCESS);
    CHECK(device == 2);
    EXPECT(cuDeviceGet(&device, 3), INVALID_DEVICE);
    char name[64];
    EXPECT(cuDeviceGetName(name, sizeof name, 1), SUCCESS);
    CHECK(strcmp(name, "Quarry Emulated GPU") == 0);
    EXPECT(cuDeviceGetName(name, 7, 0), SUCCESS);  // truncated, still terminated
    CHECK(strcmp(name, "Quarry") == 0);
    size_t total = 0;
    EXPECT(cuDeviceTotalMem_v2(&total, 2), SUCCESS);
    CHECK(total == 64 * (size_t)MB);
    EXPECT(cuDeviceTotalMem_v2(&total, 3), INVALID_DEVICE);
    static const int attributes[][2] = {{1, 1024}, {2, 1024}, {3, 1024}, {4, 64}, {5, 2147483647}, {6, 65535},
                                        {7, 65535}, {8, 49152}, {10, 32}, {16, 4}, {75, 8}, {76, 0}};
    for (size_t i = 0; i < sizeof attributes / sizeof attributes[0]; i++) {
        int value = -1;
        EXPECT(cuDeviceGetAttribute(&value, attributes[i][0], 0), SUCCESS);
        if (value != attributes[i][1]) fprintf(stderr, "  attribute %d is %d\n", attributes[i][0], value);
        CHECK(value == attributes[i][1]);
    }
    int value;
    EXPECT(cuDeviceGetAttribute(&value, 9999, 0), INVALID_VALUE);

    // Without a current context, context calls fail as the driver's do.
    CUcontext context = (CUcontext)1;
    EXPECT(cuCtxGetCurrent(&context), SUCCESS);
    CHECK(context == NULL);
    CUdeviceptr pointer;
    EXPECT(cuMemAlloc_v2(&pointer, 16), INVALID_CONTEXT);
    EXPECT(cuCtxSynchronize(), INVALID_CONTEXT);
    EXPECT(cuCtxSetCurrent((CUcontext)&value), INVALID_CONTEXT);
    EXPECT(cuDevicePrimaryCtxRelease_v2(0), INVALID_CONTEXT);  // never retained

    // NVML agrees, and needed no cuInit of its own.
    unsigned nvml_count = 0;
    EXPECT(nvmlDeviceGetCount_v2(&nvml_count), 1);  // before nvmlInit: NVML_ERROR_UNINITIALIZED
    EXPECT(nvmlInit_v2(), 0);
    EXPECT(nvmlDeviceGetCount_v2(&nvml_count), 0);
    CHECK(nvml_count == 3);
    nvmlDevice_t handle;
    EXPECT(nvmlDeviceGetHandleByIndex_v2(3, &handle), 2);
    EXPECT(nvmlDeviceGetHandleByIndex_v2(1, &handle), 0);
    EXPECT(nvmlDeviceGetName(handle, name, sizeof name), 0);
    CHECK(strcmp(name, "Quarry Emulated GPU") == 0);
    EXPECT(nvmlDeviceGetName(handle, name, 4), 7);  // NVML_ERROR_INSUFFICIENT_SIZE
    CHECK(strcmp(nvmlErrorString(2), "Invalid Argument") == 0);
    EXPECT(nvmlShutdown(), 0);
    EXPECT(nvmlShutdown(), 1);
}

static void no_devices(void) {  // QUARRY_EMULATED_GPUS=0
    EXPECT(cuInit(0), SUCCESS);
    int count = -1;
    EXPECT(cuDeviceGetCount(&count), SUCCESS);
    CHECK(count == 0);
    CUdevice device;
    EXPECT(cuDeviceGet(&device, 0), INVALID_DEVICE);
    unsigned nvml_count = 9;
    EXPECT(nvmlInit_v2(), 0);
    EXPECT(nvmlDeviceGetCount_v2(&nvml_count), 0);
    CHECK(nvml_count == 0);
}

static void memory(void) {  // QUARRY_EMULATED_GPUS=2, QUARRY_EMULATED_GPU_MEMORY_MB=16
    EXPECT(nvmlInit_v2(), 0);  // before cuInit: NVML stands alone
    CHECK(nvml_free(0) == 16 * (size_t)MB);
    EXPECT(cuInit(0), SUCCESS);
    use_device(0);
    size_t free_bytes = 0, total = 0;
    CUdeviceptr big = 0, rest = 0, too_much = 0, empty = 0;
    EXPECT(cuMemAlloc_v2(&big, 10 * MB), SUCCESS);
    CHECK(big % 256 == 0);
    EXPECT(cuMemGetInfo_v2(&free_bytes, &total), SUCCESS);
    CHECK(free_bytes == 6 * (size_t)MB && total == 16 * (size_t)MB);
    CHECK(nvml_free(0) == free_bytes);
    CHECK(nvml_free(1) == 16 * (size_t)MB);  // the other device is untouched
    EXPECT(cuMemAlloc_v2(&too_much, 6 * MB + 1), OUT_OF_MEMORY);
    CHECK(too_much == 0);
    EXPECT(cuMemGetInfo_v2(&free_bytes, &total), SUCCESS);
    CHECK(free_bytes == 6 * (size_t)MB);  // nothing allocated by the failure
    EXPECT(cuMemAlloc_v2(&empty, 0), INVALID_VALUE);
    EXPECT(cuMemAlloc_v2(&rest, 6 * MB), SUCCESS);  // exactly what is left
    EXPECT(cuMemGetInfo_v2(&free_bytes, &total), SUCCESS);
    CHECK(free_bytes == 0 && nvml_free(0) == 0);
    EXPECT(cuMemFree_v2(rest), SUCCESS);
    EXPECT(cuMemFree_v2(rest), INVALID_VALUE);  // twice
    EXPECT(cuMemFree_v2(big + 8), INVALID_VALUE);  // not the start of an allocation
    EXPECT(cuMemFree_v2(0), INVALID_VALUE);

    // Pinned host memory is not device memory.
    void *pinned = NULL;
    EXPECT(cuMemAllocHost_v2(&pinned, 32 * MB), SUCCESS);
    EXPECT(cuMemGetInfo_v2(&free_bytes, &total), SUCCESS);
    CHECK(free_bytes == 6 * (size_t)MB);
    EXPECT(cuMemFree_v2((CUdeviceptr)(uintptr_t)pinned), INVALID_VALUE);
    EXPECT(cuMemFreeHost((void *)(uintptr_t)big), INVALID_VALUE);

    // Copies and fills, and their bounds.
    unsigned char *bytes = pinned, readback[1024];
    for (int i = 0; i < 1000; i++) bytes[i] = (unsigned char)(i * 7);
    EXPECT(cuMemcpyDtoH_v2(readback, big, 4), SUCCESS);
    CHECK(readback[0] == 0xFF && readback[3] == 0xFF);  // fresh device memory is not zero
    EXPECT(cuMemcpyHtoD_v2(big, bytes, 1000), SUCCESS);
    EXPECT(cuMemcpyDtoDAsync_v2(big + 4096, big, 1000, NULL), SUCCESS);
    EXPECT(cuMemcpyDtoH_v2(readback, big + 4096, 1000), SUCCESS);
    CHECK(memcmp(readback, bytes, 1000) == 0);
    EXPECT(cuMemsetD32Async(big, 0x3f800000u, 10, NULL), SUCCESS);  // 1.0f
    EXPECT(cuMemsetD8Async(big + 40, 0xAB, 3, NULL), SUCCESS);
    float words[11];
    EXPECT(cuMemcpyDtoH_v2(words, big, sizeof words), SUCCESS);
    CHECK(words[0] == 1.0f && words[9] == 1.0f);
    memcpy(readback, &words[10], 4);
    CHECK(readback[0] == 0xAB && readback[2] == 0xAB && readback[3] == (unsigned char)(43 * 7));
    EXPECT(cuMemsetD32Async(big + 2, 0, 1, NULL), INVALID_VALUE);  // misaligned
    EXPECT(cuMemcpyHtoD_v2(big + 10 * MB - 8, bytes, 16), INVALID_VALUE);  // past the end
    EXPECT(cuMemcpyDtoH_v2(readback, big - 16, 16), INVALID_VALUE);  // before the start
    EXPECT(cuMemcpyHtoD_v2((CUdeviceptr)(uintptr_t)readback, bytes, 16), INVALID_VALUE);  // host memory as device
    EXPECT(cuMemcpyHtoD_v2(big, (void *)(uintptr_t)(big + 64), 16), INVALID_VALUE);  // device memory as host
    EXPECT(cuMemsetD8Async(big + 10 * MB, 0, 1, NULL), INVALID_VALUE);
    EXPECT(cuMemcpyHtoD_v2(big, bytes, 0), SUCCESS);
    EXPECT(cuMemFreeHost(pinned), SUCCESS);
    EXPECT(cuMemFreeHost(pinned), INVALID_VALUE);
    EXPECT(cuMemFree_v2(big), SUCCESS);
    EXPECT(cuMemGetInfo_v2(&free_bytes, &total), SUCCESS);
    CHECK(free_bytes == total && nvml_free(0) == total);

    // Releasing the last reference to a context frees what was made in it; the context is then unusable.
    CUcontext second = use_device(1);
    CUdeviceptr left = 0;
    EXPECT(cuMemAlloc_v2(&left, 3 * MB), SUCCESS);
    CHECK(nvml_free(1) == 13 * (size_t)MB);
    EXPECT(cuDevicePrimaryCtxRelease_v2(1), SUCCESS);
    CHECK(nvml_free(1) == 16 * (size_t)MB);
    EXPECT(cuMemAlloc_v2(&left, 16), INVALID_CONTEXT);
    EXPECT(cuCtxSetCurrent(second), INVALID_CONTEXT);
    use_device(1);  // retained again: usable again, and empty
    EXPECT(cuMemGetInfo_v2(&free_bytes, &total), SUCCESS);
    CHECK(free_bytes == 16 * (size_t)MB);
}

static void streams_and_events(void) {
    EXPECT(cuInit(0), SUCCESS);
    use_device(0);
    CUstream stream = NULL;
    CUevent start = NULL, end = NULL, untimed = NULL, unrecorded = NULL;
    EXPECT(cuStreamCreate(&stream, 0), SUCCESS);
    EXPECT(cuEventCreate(&start, 0), SUCCESS);
    EXPECT(cuEventCreate(&end, 0), SUCCESS);
    EXPECT(cuEventCreate(&untimed, 2), SUCCESS);  // CU_EVENT_DISABLE_TIMING
    EXPECT(cuEventCreate(&unrecorded, 0), SUCCESS);
    EXPECT(cuEventRecord(start, stream), SUCCESS);
    nanosleep(&(struct timespec){0, 2000000}, NULL);  // 2 ms
    EXPECT(cuEventRecord(end, NULL), SUCCESS);
    EXPECT(cuEventRecord(untimed, stream), SUCCESS);
    EXPECT(cuEventSynchronize(end), SUCCESS);
    EXPECT(cuEventQuery(end), SUCCESS);
    EXPECT(cuEventQuery(unrecorded), SUCCESS);  // as the driver: never recorded is complete
    float milliseconds = -1;
    EXPECT(cuEventElapsedTime(&milliseconds, start, end), SUCCESS);
    CHECK(milliseconds >= 1.5f && milliseconds < 1000.0f);
    EXPECT(cuEventElapsedTime(&milliseconds, start, untimed), INVALID_HANDLE);
    EXPECT(cuEventElapsedTime(&milliseconds, start, unrecorded), INVALID_HANDLE);
    EXPECT(cuStreamWaitEvent(stream, end, 0), SUCCESS);
    EXPECT(cuStreamSynchronize(stream), SUCCESS);
    EXPECT(cuStreamSynchronize(NULL), SUCCESS);
    EXPECT(cuCtxSynchronize(), SUCCESS);
    EXPECT(cuEventDestroy_v2(untimed), SUCCESS);
    EXPECT(cuEventDestroy_v2(untimed), INVALID_HANDLE);
    EXPECT(cuEventQuery(untimed), INVALID_HANDLE);
    EXPECT(cuStreamDestroy_v2(stream), SUCCESS);
    EXPECT(cuStreamSynchronize(stream), INVALID_HANDLE);
    EXPECT(cuStreamDestroy_v2(stream), INVALID_HANDLE);
}

static void modules(void) {
    EXPECT(cuInit(0), SUCCESS);
    use_device(0);
    CUmodule module = NULL, other = NULL;
    EXPECT(cuModuleLoadData(&module, "this is not PTX"), INVALID_PTX);
    EXPECT(cuModuleLoadData(&module, ".version 7.0\n.entry f() { ret; }\n"), INVALID_PTX);  // no .target
    EXPECT(cuModuleLoadData(&module, "// .version 7.0\n.target sm_80\n"), INVALID_PTX);   // .version only in a comment
    EXPECT(cuModuleLoadData(&module, ".version 7.0\n.target sm_80\n.entry {\n"), INVALID_PTX);  // an entry without a name
    EXPECT(cuModuleLoadData(&module, NULL), INVALID_VALUE);
    EXPECT(cuModuleLoadData(&module, ptx), SUCCESS);
    EXPECT(cuModuleLoadData(&other, ptx), SUCCESS);
    CUfunction sum = function(module, "emulator_test_block_sum"), again = NULL, missing = NULL;
    EXPECT(cuModuleGetFunction(&again, module, "emulator_test_block_sum"), SUCCESS);
    CHECK(sum != NULL && again == sum);
    EXPECT(cuModuleGetFunction(&missing, module, "emulator_test_missing"), NOT_FOUND);  // not in the PTX
    EXPECT(cuModuleGetFunction(&missing, module, "emulator_test_commented_out"), NOT_FOUND);
    fprintf(stderr, "(a line saying emulator_test_not_on_host has no host build is expected next)\n");
    EXPECT(cuModuleGetFunction(&missing, module, "emulator_test_not_on_host"), NOT_FOUND);  // no host build
    EXPECT(cuModuleGetFunction(&missing, module, "emulator_test_block"), NOT_FOUND);  // a prefix is not a name
    EXPECT(cuModuleUnload(module), SUCCESS);
    EXPECT(cuModuleGetFunction(&missing, module, "emulator_test_block_sum"), INVALID_HANDLE);
    float unused;
    void *parameters[] = {&unused, &unused, &unused};
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 1, 1, 1, 0, NULL, parameters, NULL), INVALID_HANDLE);  // its module is gone
    EXPECT(cuModuleUnload(module), INVALID_HANDLE);
    EXPECT(cuModuleUnload(other), SUCCESS);
}

static void launches(void) {
    EXPECT(cuInit(0), SUCCESS);
    use_device(0);
    CUmodule module = NULL;
    EXPECT(cuModuleLoadData(&module, ptx), SUCCESS);
    CUstream stream = NULL;
    EXPECT(cuStreamCreate(&stream, 1), SUCCESS);

    // The brief's case: 3 blocks of 64, then bigger blocks (the pool grows) and smaller again.
    CUfunction sum = function(module, "emulator_test_block_sum");
    CHECK(block_sums_right(sum, 3, 64, stream));
    CHECK(block_sums_right(sum, 2, 1024, NULL));
    CHECK(block_sums_right(sum, 5, 32, stream));
    CHECK(block_sums_right(sum, 1, 1, stream));

    // Dynamic shared memory.
    enum { BLOCKS = 2, THREADS = 128 };
    int input[BLOCKS * THREADS], output[BLOCKS * THREADS];
    for (int i = 0; i < BLOCKS * THREADS; i++) input[i] = i;
    CUdeviceptr device_input, device_output;
    EXPECT(cuMemAlloc_v2(&device_input, sizeof input), SUCCESS);
    EXPECT(cuMemAlloc_v2(&device_output, sizeof output), SUCCESS);
    EXPECT(cuMemcpyHtoD_v2(device_input, input, sizeof input), SUCCESS);
    void *reverse_parameters[] = {&device_input, &device_output};
    EXPECT(cuLaunchKernel(function(module, "emulator_test_reverse"), BLOCKS, 1, 1, THREADS, 1, 1, THREADS * sizeof(int),
                          stream, reverse_parameters, NULL), SUCCESS);
    EXPECT(cuMemcpyDtoH_v2(output, device_output, sizeof output), SUCCESS);
    bool reversed = true;
    for (int i = 0; i < BLOCKS * THREADS; i++) reversed &= output[i] == (i / THREADS) * THREADS + THREADS - 1 - i % THREADS;
    CHECK(reversed);

    // Three-dimensional coordinates reach every thread.
    enum { GX = 3, GY = 2, GZ = 2, BX = 4, BY = 3, BZ = 2, ALL = GX * GY * GZ * BX * BY * BZ };
    int codes[ALL], dimensions[6];
    CUdeviceptr device_codes, device_dimensions;
    EXPECT(cuMemAlloc_v2(&device_codes, sizeof codes), SUCCESS);
    EXPECT(cuMemAlloc_v2(&device_dimensions, sizeof dimensions), SUCCESS);
    void *coordinate_parameters[] = {&device_codes, &device_dimensions};
    EXPECT(cuLaunchKernel(function(module, "emulator_test_coordinates"), GX, GY, GZ, BX, BY, BZ, 0, stream,
                          coordinate_parameters, NULL), SUCCESS);
    EXPECT(cuMemcpyDtoH_v2(codes, device_codes, sizeof codes), SUCCESS);
    EXPECT(cuMemcpyDtoH_v2(dimensions, device_dimensions, sizeof dimensions), SUCCESS);
    bool placed = true;
    for (int i = 0; i < ALL; i++) {
        int block = i / (BX * BY * BZ), thread = i % (BX * BY * BZ);
        int expected = block % GX + 10 * (block / GX % GY) + 100 * (block / (GX * GY)) +
                       1000 * (thread % BX) + 10000 * (thread / BX % BY) + 100000 * (thread / (BX * BY));
        placed &= codes[i] == expected;
    }
    CHECK(placed);
    CHECK(dimensions[0] == GX && dimensions[1] == GY && dimensions[2] == GZ && dimensions[3] == BX &&
          dimensions[4] == BY && dimensions[5] == BZ);

    // Blocks run one after another, x fastest.
    int order[GX * GY * GZ], next = 0;
    CUdeviceptr device_order, device_next;
    EXPECT(cuMemAlloc_v2(&device_order, sizeof order), SUCCESS);
    EXPECT(cuMemAlloc_v2(&device_next, sizeof next), SUCCESS);
    EXPECT(cuMemcpyHtoD_v2(device_next, &next, sizeof next), SUCCESS);
    void *order_parameters[] = {&device_order, &device_next};
    EXPECT(cuLaunchKernel(function(module, "emulator_test_block_order"), GX, GY, GZ, 8, 2, 1, 0, stream,
                          order_parameters, NULL), SUCCESS);
    EXPECT(cuMemcpyDtoH_v2(order, device_order, sizeof order), SUCCESS);
    bool in_order = true;
    for (int i = 0; i < GX * GY * GZ; i++) in_order &= order[i] == i;
    CHECK(in_order);

    // Float atomics from every thread of every block.
    enum { COUNT = 1000 };
    float ones[COUNT], total = 0;
    for (int i = 0; i < COUNT; i++) ones[i] = 1.0f;
    CUdeviceptr device_ones, device_total;
    EXPECT(cuMemAlloc_v2(&device_ones, sizeof ones), SUCCESS);
    EXPECT(cuMemAlloc_v2(&device_total, sizeof total), SUCCESS);
    EXPECT(cuMemcpyHtoD_v2(device_ones, ones, sizeof ones), SUCCESS);
    EXPECT(cuMemsetD32Async(device_total, 0, 1, stream), SUCCESS);
    int count = COUNT;
    void *atomic_parameters[] = {&device_ones, &device_total, &count};
    EXPECT(cuLaunchKernel(function(module, "emulator_test_atomic_total"), 8, 1, 1, 128, 1, 1, 0, stream,
                          atomic_parameters, NULL), SUCCESS);
    EXPECT(cuMemcpyDtoH_v2(&total, device_total, sizeof total), SUCCESS);
    CHECK(total == (float)COUNT);

    // Launches outside the limits are refused before anything runs.
    void *p[] = {&device_ones, &device_total, &count};
    void *extra[] = {NULL};
    EXPECT(cuLaunchKernel(sum, 0, 1, 1, 32, 1, 1, 0, stream, p, NULL), INVALID_VALUE);
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 0, 1, 1, 0, stream, p, NULL), INVALID_VALUE);
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 1025, 1, 1, 0, stream, p, NULL), INVALID_VALUE);
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 64, 32, 1, 0, stream, p, NULL), INVALID_VALUE);  // 2048 threads
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 1, 1, 65, 0, stream, p, NULL), INVALID_VALUE);
    EXPECT(cuLaunchKernel(sum, 1, 65536, 1, 1, 1, 1, 0, stream, p, NULL), INVALID_VALUE);
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 32, 1, 1, 49153, stream, p, NULL), INVALID_VALUE);
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 32, 1, 1, 0, stream, NULL, NULL), INVALID_VALUE);
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 32, 1, 1, 0, stream, p, extra), INVALID_VALUE);
    EXPECT(cuLaunchKernel((CUfunction)p, 1, 1, 1, 32, 1, 1, 0, stream, p, NULL), INVALID_HANDLE);
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 32, 1, 1, 0, (CUstream)p, p, NULL), INVALID_HANDLE);

    // Kernel time shows in NVML's utilization.
    unsigned long long kernel_ns = 0, copy_ns = 0;
    EXPECT(quarry_emulator_activity(0, &kernel_ns, &copy_ns), 0);
    CHECK(kernel_ns > 0 && copy_ns > 0);
    nvmlDevice_t handle;
    nvmlUtilization_t utilization = {101, 101};
    EXPECT(nvmlInit_v2(), 0);
    EXPECT(nvmlDeviceGetHandleByIndex_v2(0, &handle), 0);
    CHECK(block_sums_right(sum, 64, 256, stream));
    EXPECT(nvmlDeviceGetUtilizationRates(handle, &utilization), 0);
    CHECK(utilization.gpu > 0 && utilization.gpu <= 100 && utilization.memory <= 100);
    EXPECT(cuModuleUnload(module), SUCCESS);
}

// Data-parallel training: one host thread per device, each in its own context, launching at once.
static void *train_on(void *argument) {
    int device = (int)(intptr_t)argument;
    use_device(device);
    CUmodule module = NULL;
    EXPECT(cuModuleLoadData(&module, ptx), SUCCESS);
    CUstream stream = NULL;
    EXPECT(cuStreamCreate(&stream, 0), SUCCESS);
    CUfunction sum = function(module, "emulator_test_block_sum");
    bool right = true;
    for (int step = 0; step < 20; step++) right &= block_sums_right(sum, 3 + step % 4, 32 << (step % 3), stream);
    CHECK(right);
    size_t free_bytes, total;
    EXPECT(cuMemGetInfo_v2(&free_bytes, &total), SUCCESS);
    CHECK(free_bytes == total);  // block_sums_right frees what it allocates
    EXPECT(cuStreamDestroy_v2(stream), SUCCESS);
    EXPECT(cuModuleUnload(module), SUCCESS);
    EXPECT(cuDevicePrimaryCtxRelease_v2(device), SUCCESS);
    return NULL;
}

static void data_parallel(void) {  // QUARRY_EMULATED_GPUS=2
    EXPECT(cuInit(0), SUCCESS);
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, train_on, (void *)(intptr_t)i);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
}

static void fail_after(void) {  // QUARRY_EMULATED_GPUS=2, QUARRY_EMULATED_GPU_FAIL_AFTER=3
    EXPECT(cuInit(0), SUCCESS);
    EXPECT(nvmlInit_v2(), 0);
    use_device(0);
    CUmodule module = NULL;
    CUstream stream = NULL;
    CUevent event = NULL;
    EXPECT(cuModuleLoadData(&module, ptx), SUCCESS);
    EXPECT(cuStreamCreate(&stream, 0), SUCCESS);
    EXPECT(cuEventCreate(&event, 0), SUCCESS);
    CUfunction sum = function(module, "emulator_test_block_sum");
    CUdeviceptr buffer = 0, another = 0;
    EXPECT(cuMemAlloc_v2(&buffer, 4096), SUCCESS);
    int count = 64;
    void *parameters[] = {&buffer, &buffer, &count};
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 64, 1, 1, 0, stream, parameters, NULL), SUCCESS);  // 1
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 64, 1, 1, 0, stream, parameters, NULL), SUCCESS);  // 2
    fprintf(stderr, "(a line saying device 0 is lost is expected next)\n");
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 64, 1, 1, 0, stream, parameters, NULL), LAUNCH_FAILED);  // 3
    // Sticky: every call in the lost context fails the same way.
    size_t free_bytes, total;
    char host[16];
    EXPECT(cuCtxSynchronize(), LAUNCH_FAILED);
    EXPECT(cuStreamSynchronize(stream), LAUNCH_FAILED);
    EXPECT(cuMemAlloc_v2(&another, 16), LAUNCH_FAILED);
    EXPECT(cuMemGetInfo_v2(&free_bytes, &total), LAUNCH_FAILED);
    EXPECT(cuMemcpyDtoH_v2(host, buffer, sizeof host), LAUNCH_FAILED);
    EXPECT(cuLaunchKernel(sum, 1, 1, 1, 64, 1, 1, 0, stream, parameters, NULL), LAUNCH_FAILED);
    EXPECT(cuModuleLoadData(&module, ptx), LAUNCH_FAILED);
    EXPECT(cuEventRecord(event, stream), LAUNCH_FAILED);
    // Releasing still releases, so nothing leaks.
    CHECK(nvml_free(0) == 1024 * (size_t)MB - 4096);
    EXPECT(cuMemFree_v2(buffer), LAUNCH_FAILED);
    CHECK(nvml_free(0) == 1024 * (size_t)MB);
    EXPECT(cuEventDestroy_v2(event), LAUNCH_FAILED);
    EXPECT(cuStreamDestroy_v2(stream), LAUNCH_FAILED);
    EXPECT(cuModuleUnload(module), LAUNCH_FAILED);
    const char *name = NULL, *message = NULL;
    EXPECT(cuGetErrorName(LAUNCH_FAILED, &name), SUCCESS);
    EXPECT(cuGetErrorString(LAUNCH_FAILED, &message), SUCCESS);
    CHECK(name != NULL && strcmp(name, "CUDA_ERROR_LAUNCH_FAILED") == 0);
    CHECK(message != NULL && strcmp(message, "unspecified launch failure") == 0);
    EXPECT(cuDevicePrimaryCtxRelease_v2(0), SUCCESS);

    // The other device lives on: its launches (the 4th and later in the process) succeed.
    use_device(1);
    CUmodule healthy = NULL;
    EXPECT(cuModuleLoadData(&healthy, ptx), SUCCESS);
    CHECK(block_sums_right(function(healthy, "emulator_test_block_sum"), 3, 64, NULL));
    CHECK(block_sums_right(function(healthy, "emulator_test_block_sum"), 3, 64, NULL));
}

static void divergent_barrier(void) {
    EXPECT(cuInit(0), SUCCESS);
    use_device(0);
    CUmodule module = NULL;
    EXPECT(cuModuleLoadData(&module, ptx), SUCCESS);
    CUdeviceptr output;
    EXPECT(cuMemAlloc_v2(&output, 64 * sizeof(int)), SUCCESS);
    void *parameters[] = {&output};
    fprintf(stderr, "(lines reporting a diverged __syncthreads() and device 0 lost are expected next)\n");
    EXPECT(cuLaunchKernel(function(module, "emulator_test_divergent_barrier"), 4, 1, 1, 64, 1, 1, 0, NULL, parameters,
                          NULL), LAUNCH_FAILED);
    EXPECT(cuCtxSynchronize(), LAUNCH_FAILED);
}

static void error_strings(void) {  // before cuInit: these need none
    static const struct { int code; const char *name, *message; } expected[] = {
        {0, "CUDA_SUCCESS", "no error"},
        {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
        {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
        {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
        {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
        {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
        {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
        {218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
        {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
        {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
        {600, "CUDA_ERROR_NOT_READY", "device not ready"},
        {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
        {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
        {999, "CUDA_ERROR_UNKNOWN", "unknown error"},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const char *name = NULL, *message = NULL;
        EXPECT(cuGetErrorName(expected[i].code, &name), SUCCESS);
        EXPECT(cuGetErrorString(expected[i].code, &message), SUCCESS);
        CHECK(name != NULL && strcmp(name, expected[i].name) == 0);
        CHECK(message != NULL && strcmp(message, expected[i].message) == 0);
    }
    const char *text = "unchanged";
    EXPECT(cuGetErrorName(12345, &text), INVALID_VALUE);
    CHECK(text == NULL);
    EXPECT(cuGetErrorString(12345, NULL), INVALID_VALUE);
}

// MARK: - Running each scenario in a process of its own

static const struct {
    const char *name;
    void (*run)(void);
    const char *gpus, *memory_mb, *fail_after;  // the environment; NULL: unset
} scenarios[] = {
    {"before cuInit", before_init, "3", NULL, NULL},
    {"devices", devices, "3", "64", NULL},
    {"no devices", no_devices, "0", NULL, NULL},
    {"memory", memory, "2", "16", NULL},
    {"streams and events", streams_and_events, NULL, NULL, NULL},
    {"modules", modules, NULL, NULL, NULL},
    {"launches", launches, NULL, NULL, NULL},
    {"data parallel", data_parallel, "2", "64", NULL},
    {"fail after", fail_after, "2", NULL, "3"},
    {"divergent barrier", divergent_barrier, NULL, NULL, NULL},
    {"error strings", error_strings, NULL, NULL, NULL},
};

static void set(const char *name, const char *value) {
    if (value != NULL) setenv(name, value, 1);
    else unsetenv(name);
}

int main(int argc, char **argv) {
    int total_passed = 0, total_failed = 0;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        if (argc > 1 && strstr(scenarios[i].name, argv[1]) == NULL) continue;
        int channel[2];
        if (pipe(channel) != 0) return 2;
        fflush(NULL);
        pid_t child = fork();
        if (child == 0) {
            close(channel[0]);
            set("QUARRY_EMULATED_GPUS", scenarios[i].gpus);
            set("QUARRY_EMULATED_GPU_MEMORY_MB", scenarios[i].memory_mb);
            set("QUARRY_EMULATED_GPU_FAIL_AFTER", scenarios[i].fail_after);
            scenarios[i].run();
            int counts[2] = {atomic_load(&passed), atomic_load(&failed)};
            ssize_t written = write(channel[1], counts, sizeof counts);
            _exit(written == sizeof counts ? 0 : 3);
        }
        close(channel[1]);
        int counts[2] = {0, 0}, status = 0;
        ssize_t got = read(channel[0], counts, sizeof counts);
        close(channel[0]);
        waitpid(child, &status, 0);
        if (got != sizeof counts || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "FAILED: scenario \"%s\" did not finish (status %d)\n", scenarios[i].name, status);
            counts[1]++;
        }
        printf("%-20s %d passed, %d failed\n", scenarios[i].name, counts[0], counts[1]);
        total_passed += counts[0];
        total_failed += counts[1];
    }
    printf("%d passed, %d failed\n", total_passed, total_failed);
    return total_failed == 0 ? 0 : 1;
}

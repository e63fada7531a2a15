// A stand-in for NVIDIA's management library (libnvidia-ml.so.1), beside the emulated driver
// (emulated_cuda.c). Quarry dlopens it in place of the real one (QUARRY_NVML_LIBRARY).
//
// Its figures are the emulated driver's own: it links against the emulated libcuda.so.1 (found beside it,
// through an $ORIGIN run path) and asks it through quarry_emulator_*, so memory free here is exactly what
// the driver has handed out. As with the real NVML, no cuInit is needed: the device count comes from the
// same QUARRY_EMULATED_GPUS the driver reads.

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "emulator.h"

typedef int nvmlReturn_t;
typedef struct nvml_device *nvmlDevice_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;

enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_UNKNOWN = 999,
};

enum { MAX_DEVICES = 16 };  // as the driver's

// A handle is the address of one of these. Utilization is measured from the previous question's
// activity figures to this one's, as NVML's are over its last sample period.
static struct nvml_device {
    unsigned long long asked_ns, kernel_ns, copy_ns;
} handles[MAX_DEVICES];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;  // nvmlInit_v2 calls not yet matched by nvmlShutdown; under lock

static unsigned long long now_ns(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (unsigned long long)time.tv_sec * 1000000000ull + (unsigned long long)time.tv_nsec;
}

static int is_initialized(void) {
    pthread_mutex_lock(&lock);
    int result = initialized > 0;
    pthread_mutex_unlock(&lock);
    return result;
}

// The device behind a handle, or -1 when the handle is not one of ours.
static int device_of(nvmlDevice_t device) {
    for (int i = 0; i < quarry_emulator_device_count(); i++)
        if (device == &handles[i]) return i;
    return -1;
}

nvmlReturn_t nvmlInit_v2(void) {
    pthread_mutex_lock(&lock);
    if (initialized++ == 0) {
        unsigned long long now = now_ns();
        for (int i = 0; i < quarry_emulator_device_count(); i++) {
            handles[i].asked_ns = now;
            quarry_emulator_activity(i, &handles[i].kernel_ns, &handles[i].copy_ns);
        }
    }
    pthread_mutex_unlock(&lock);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
    pthread_mutex_lock(&lock);
    nvmlReturn_t result = initialized > 0 ? NVML_SUCCESS : NVML_ERROR_UNINITIALIZED;
    if (initialized > 0) initialized--;
    pthread_mutex_unlock(&lock);
    return result;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!is_initialized()) return NVML_ERROR_UNINITIALIZED;
    if (count == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *count = (unsigned int)quarry_emulator_device_count();
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (!is_initialized()) return NVML_ERROR_UNINITIALIZED;
    if (device == NULL || index >= (unsigned int)quarry_emulator_device_count()) return NVML_ERROR_INVALID_ARGUMENT;
    *device = &handles[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    if (!is_initialized()) return NVML_ERROR_UNINITIALIZED;
    int index = device_of(device);
    if (index < 0 || memory == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    size_t free_bytes, total_bytes;
    if (quarry_emulator_memory(index, &free_bytes, &total_bytes) != 0) return NVML_ERROR_UNKNOWN;
    *memory = (nvmlMemory_t){total_bytes, free_bytes, total_bytes - free_bytes};
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    if (!is_initialized()) return NVML_ERROR_UNINITIALIZED;
    static const char emulated[] = "Quarry Emulated GPU";  // as cuDeviceGetName says
    if (device_of(device) < 0 || name == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    if (length < sizeof emulated) return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(name, emulated, sizeof emulated);
    return NVML_SUCCESS;
}

// Percent of the time since the previous question (or nvmlInit) the device spent running kernels (gpu)
// and copying or filling memory (memory).
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
    if (!is_initialized()) return NVML_ERROR_UNINITIALIZED;
    int index = device_of(device);
    if (index < 0 || utilization == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    unsigned long long kernel_ns, copy_ns, now = now_ns();
    if (quarry_emulator_activity(index, &kernel_ns, &copy_ns) != 0) return NVML_ERROR_UNKNOWN;
    pthread_mutex_lock(&lock);
    struct nvml_device *d = &handles[index];
    double period = (double)(now - d->asked_ns);
    double gpu = period > 0 ? 100.0 * (double)(kernel_ns - d->kernel_ns) / period : 0;
    double copying = period > 0 ? 100.0 * (double)(copy_ns - d->copy_ns) / period : 0;
    d->asked_ns = now, d->kernel_ns = kernel_ns, d->copy_ns = copy_ns;
    pthread_mutex_unlock(&lock);
    utilization->gpu = gpu > 100 ? 100 : (unsigned int)gpu;
    utilization->memory = copying > 100 ? 100 : (unsigned int)copying;
    return NVML_SUCCESS;
}

// NVML's own wording.
const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
    }
}

// A stand-in for NVIDIA's driver library (libcuda.so.1), so Quarry's GPU code runs and is tested on a
// machine with no GPU. Quarry dlopens it in place of the real one (QUARRY_CUDA_LIBRARY).
//
// It exports the driver API entry points Quarry calls, with the driver's C signatures and result codes.
// The "device" is this process: device memory is host memory (a CUdeviceptr is the host address), all
// work runs synchronously at the call, and a kernel runs as its host build (Resources/cuda/kernels.cu
// compiled through quarry_cuda.h, registered by name in host_kernels.cpp). A launch runs its blocks one
// after another, each block's threads as real threads meeting at a real barrier for __syncthreads(),
// so a missing barrier shows up as a wrong result or a ThreadSanitizer report, as it would on a GPU.
//
// What it checks, where the real driver would fail too: calls before cuInit, calls without a current
// context, unknown handles and pointers, copies that leave their allocation, memory beyond the device's
// capacity, launch dimensions over the limits, kernels missing from the PTX or from the host build.
//
// Environment, read once at first use:
//   QUARRY_EMULATED_GPUS=N               devices (default 1, 0 allowed, at most 16)
//   QUARRY_EMULATED_GPU_MEMORY_MB=M      capacity of each device (default 1024)
//   QUARRY_EMULATED_GPU_FAIL_AFTER=K     the K-th launch in the process (counting those that pass their
//                                        checks) fails with CUDA_ERROR_LAUNCH_FAILED, and its device stays
//                                        lost: every call in its context fails the same way, while device
//                                        queries, NVML and cuDevicePrimaryCtxRelease_v2 still answer

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emulator.h"

// MARK: - The driver API's types and numbers (cuda.h)

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct context *CUcontext;
typedef struct stream *CUstream;
typedef struct event *CUevent;
typedef struct module *CUmodule;
typedef struct function *CUfunction;

enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_UNKNOWN = 999,
};

// The legacy and per-thread default streams are fixed handle values, valid in every context.
#define CU_STREAM_LEGACY ((CUstream)0x1)
#define CU_STREAM_PER_THREAD ((CUstream)0x2)
#define CU_EVENT_DISABLE_TIMING 0x2

// The limits an sm_80 part reports; launches are checked against them.
enum {
    MAX_THREADS_PER_BLOCK = 1024,
    MAX_BLOCK_X = 1024, MAX_BLOCK_Y = 1024, MAX_BLOCK_Z = 64,
    MAX_GRID_X = 2147483647, MAX_GRID_Y = 65535, MAX_GRID_Z = 65535,
    MAX_SHARED_PER_BLOCK = 49152,
};

// MARK: - Configuration

enum { MAX_DEVICES = 16 };

static struct {
    int devices;
    size_t capacity;  // bytes per device
    long fail_after;  // 0: never
} config;

static pthread_once_t config_once = PTHREAD_ONCE_INIT;

// A whole number from the environment within [minimum, maximum]; anything else is reported and ignored.
static long environment_number(const char *name, long fallback, long minimum, long maximum) {
    const char *text = getenv(name);
    if (text == NULL || *text == '\0') return fallback;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < minimum || value > maximum) {
        fprintf(stderr, "emulated GPU: ignoring %s=%s (expected %ld to %ld)\n", name, text, minimum, maximum);
        return fallback;
    }
    return value;
}

// MARK: - Global state

// Each device has one context, its primary context, the only kind Quarry uses. It is "active" while
// retained; the last release destroys what was made in it, as the real driver does.
struct context {
    int device;
    atomic_int retained;  // changed under state_lock, read anywhere
};

static struct device {
    struct context primary;
    size_t used;                    // bytes of live device allocations, under state_lock
    atomic_bool lost;               // a failed launch: every later call in its context fails
    atomic_ullong kernel_ns, copy_ns;  // time spent running kernels and copying, for NVML
} devices[MAX_DEVICES];

// Live allocations (device and pinned host) and handles, each in a list under state_lock. Handles are
// checked by membership, so a stale or foreign handle is an error rather than a read of freed memory.
struct allocation {
    void *address;
    size_t size;
    int device;
    bool pinned;  // cuMemAllocHost: page-locked host memory, not counted against the device
    struct allocation *next;
};

struct stream {
    struct context *context;
    struct stream *next;
};

struct event {
    struct context *context;
    unsigned flags;
    bool recorded;
    unsigned long long time_ns;  // CLOCK_MONOTONIC at the last cuEventRecord
    struct event *next;
};

struct function {
    struct module *module;
    const char *name;  // one of the module's entries
    quarry_host_kernel kernel;
    struct function *next;
};

struct module {
    struct context *context;
    char **entries;  // every .entry in the PTX
    int entry_count;
    struct function *functions;  // those asked for so far; the same name gives the same handle
    struct module *next;
};

// Read once, by cuInit or by the first NVML question, whichever comes first.
static void read_config(void) {
    for (int i = 0; i < MAX_DEVICES; i++) devices[i].primary.device = i;
    config.devices = (int)environment_number("QUARRY_EMULATED_GPUS", 1, 0, MAX_DEVICES);
    config.capacity = (size_t)environment_number("QUARRY_EMULATED_GPU_MEMORY_MB", 1024, 1, 1L << 20) << 20;
    config.fail_after = environment_number("QUARRY_EMULATED_GPU_FAIL_AFTER", 0, 0, 1L << 40);
}

static void configure(void) { pthread_once(&config_once, read_config); }

// Frees an unlinked module and its functions.
static void free_module(struct module *module) {
    for (struct function *f = module->functions, *next; f != NULL; f = next) { next = f->next; free(f); }
    for (int i = 0; i < module->entry_count; i++) free(module->entries[i]);
    free(module->entries);
    free(module);
}

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static struct allocation *allocations;
static struct stream *streams;
static struct event *events;
static struct module *modules;

static atomic_bool initialized;
static atomic_long launches;  // cuLaunchKernel calls that passed their checks, for FAIL_AFTER

// The calling thread's current context, as cuCtxSetCurrent leaves it.
static _Thread_local struct context *current;

static unsigned long long now_ns(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (unsigned long long)time.tv_sec * 1000000000ull + (unsigned long long)time.tv_nsec;
}

static bool valid_device(CUdevice device) { return device >= 0 && device < config.devices; }

// The checks every call in a context starts with. On success `*context` is the current context. A lost
// device answers CUDA_ERROR_LAUNCH_FAILED, with `*context` still set, so the calls that release
// something (cuMemFree, cuStreamDestroy ...) can release it anyway and nothing leaks.
static CUresult enter(struct context **context) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    struct context *ctx = current;
    if (ctx == NULL || atomic_load(&ctx->retained) == 0) return CUDA_ERROR_INVALID_CONTEXT;
    *context = ctx;
    return atomic_load(&devices[ctx->device].lost) ? CUDA_ERROR_LAUNCH_FAILED : CUDA_SUCCESS;
}

// The stream checks of a call that puts work on one: the default streams, or one made in this context.
// (The real driver lets a few calls take another context's stream; Quarry has no reason to, so here
// it is an error that points at a mixed-up device.) Called under state_lock.
static bool stream_usable(CUstream stream, struct context *context) {
    if (stream == NULL || stream == CU_STREAM_LEGACY || stream == CU_STREAM_PER_THREAD) return true;
    for (struct stream *s = streams; s != NULL; s = s->next)
        if (s == stream) return s->context == context;
    return false;
}

static bool event_known(CUevent event) {
    for (struct event *e = events; e != NULL; e = e->next)
        if (e == event) return true;
    return false;
}

// MARK: - Initialization and devices

CUresult cuInit(unsigned int flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    configure();
    atomic_store(&initialized, true);
    return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
    if (version == NULL) return CUDA_ERROR_INVALID_VALUE;
    *version = 12040;  // CUDA 12.4
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (count == NULL) return CUDA_ERROR_INVALID_VALUE;
    *count = config.devices;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (device == NULL) return CUDA_ERROR_INVALID_VALUE;
    if (!valid_device(ordinal)) return CUDA_ERROR_INVALID_DEVICE;
    *device = ordinal;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (name == NULL || length <= 0) return CUDA_ERROR_INVALID_VALUE;
    if (!valid_device(device)) return CUDA_ERROR_INVALID_DEVICE;
    snprintf(name, (size_t)length, "%s", "Quarry Emulated GPU");
    return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice device) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (bytes == NULL) return CUDA_ERROR_INVALID_VALUE;
    if (!valid_device(device)) return CUDA_ERROR_INVALID_DEVICE;
    *bytes = config.capacity;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice device) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (value == NULL) return CUDA_ERROR_INVALID_VALUE;
    if (!valid_device(device)) return CUDA_ERROR_INVALID_DEVICE;
    switch (attribute) {  // CU_DEVICE_ATTRIBUTE_*
    case 1: *value = MAX_THREADS_PER_BLOCK; break;
    case 2: *value = MAX_BLOCK_X; break;
    case 3: *value = MAX_BLOCK_Y; break;
    case 4: *value = MAX_BLOCK_Z; break;
    case 5: *value = MAX_GRID_X; break;
    case 6: *value = MAX_GRID_Y; break;
    case 7: *value = MAX_GRID_Z; break;
    case 8: *value = MAX_SHARED_PER_BLOCK; break;
    case 10: *value = 32; break;  // WARP_SIZE
    case 16: *value = 4; break;   // MULTIPROCESSOR_COUNT
    case 41: *value = 1; break;   // UNIFIED_ADDRESSING: device and host pointers never overlap
    case 75: *value = 8; break;   // COMPUTE_CAPABILITY_MAJOR
    case 76: *value = 0; break;   // COMPUTE_CAPABILITY_MINOR
    case 97: *value = MAX_SHARED_PER_BLOCK; break;  // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: no opt-in here
    default: return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

// MARK: - Contexts

// Frees everything made in a device's context; called under state_lock when its last retain goes.
static void destroy_context(int device) {
    struct context *context = &devices[device].primary;
    for (struct allocation **link = &allocations; *link != NULL;) {
        struct allocation *a = *link;
        if (a->device != device) { link = &a->next; continue; }
        *link = a->next;
        if (!a->pinned) devices[device].used -= a->size;
        free(a->address);
        free(a);
    }
    for (struct stream **link = &streams; *link != NULL;) {
        struct stream *s = *link;
        if (s->context != context) { link = &s->next; continue; }
        *link = s->next;
        free(s);
    }
    for (struct event **link = &events; *link != NULL;) {
        struct event *e = *link;
        if (e->context != context) { link = &e->next; continue; }
        *link = e->next;
        free(e);
    }
    for (struct module **link = &modules; *link != NULL;) {
        struct module *m = *link;
        if (m->context != context) { link = &m->next; continue; }
        *link = m->next;
        free_module(m);
    }
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (context == NULL) return CUDA_ERROR_INVALID_VALUE;
    if (!valid_device(device)) return CUDA_ERROR_INVALID_DEVICE;
    pthread_mutex_lock(&state_lock);
    atomic_fetch_add(&devices[device].primary.retained, 1);
    pthread_mutex_unlock(&state_lock);
    *context = &devices[device].primary;
    return CUDA_SUCCESS;
}

// Works on a lost device too: it is how a program lets go of one.
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (!valid_device(device)) return CUDA_ERROR_INVALID_DEVICE;
    CUresult result = CUDA_SUCCESS;
    pthread_mutex_lock(&state_lock);
    struct context *context = &devices[device].primary;
    if (atomic_load(&context->retained) == 0) result = CUDA_ERROR_INVALID_CONTEXT;
    else if (atomic_fetch_sub(&context->retained, 1) == 1) destroy_context(device);
    pthread_mutex_unlock(&state_lock);
    return result;
}

CUresult cuCtxSetCurrent(CUcontext context) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (context != NULL) {
        bool primary = false;
        for (int i = 0; i < config.devices; i++) primary |= context == &devices[i].primary;
        if (!primary || atomic_load(&context->retained) == 0) return CUDA_ERROR_INVALID_CONTEXT;
    }
    current = context;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext *context) {
    if (!atomic_load(&initialized)) return CUDA_ERROR_NOT_INITIALIZED;
    if (context == NULL) return CUDA_ERROR_INVALID_VALUE;
    *context = current;
    return CUDA_SUCCESS;
}

// Work runs at the call, so there is never anything to wait for; the checks are still the driver's.
CUresult cuCtxSynchronize(void) {
    struct context *context;
    return enter(&context);
}

// MARK: - Streams and events

CUresult cuStreamCreate(CUstream *stream, unsigned int flags) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (stream == NULL || flags > 1) return CUDA_ERROR_INVALID_VALUE;  // 1: CU_STREAM_NON_BLOCKING
    struct stream *s = calloc(1, sizeof *s);
    if (s == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
    s->context = context;
    pthread_mutex_lock(&state_lock);
    s->next = streams;
    streams = s;
    pthread_mutex_unlock(&state_lock);
    *stream = s;
    return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(CUstream stream) {
    struct context *context;
    CUresult entered = enter(&context);
    if (entered != CUDA_SUCCESS && entered != CUDA_ERROR_LAUNCH_FAILED) return entered;
    CUresult result = CUDA_ERROR_INVALID_HANDLE;
    pthread_mutex_lock(&state_lock);
    for (struct stream **link = &streams; *link != NULL; link = &(*link)->next) {
        if (*link != stream) continue;
        *link = stream->next;
        free(stream);
        result = CUDA_SUCCESS;
        break;
    }
    pthread_mutex_unlock(&state_lock);
    return entered != CUDA_SUCCESS ? entered : result;
}

CUresult cuStreamSynchronize(CUstream stream) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    pthread_mutex_lock(&state_lock);
    bool usable = stream_usable(stream, context);
    pthread_mutex_unlock(&state_lock);
    return usable ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

// The event may come from another device's context: that is how one device waits for another.
CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned int flags) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&state_lock);
    bool known = stream_usable(stream, context) && event_known(event);
    pthread_mutex_unlock(&state_lock);
    return known ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

CUresult cuEventCreate(CUevent *event, unsigned int flags) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (event == NULL || (flags & ~0x7u) != 0) return CUDA_ERROR_INVALID_VALUE;
    struct event *e = calloc(1, sizeof *e);
    if (e == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
    e->context = context;
    e->flags = flags;
    pthread_mutex_lock(&state_lock);
    e->next = events;
    events = e;
    pthread_mutex_unlock(&state_lock);
    *event = e;
    return CUDA_SUCCESS;
}

// The real driver requires the event and the stream to share a context.
CUresult cuEventRecord(CUevent event, CUstream stream) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    pthread_mutex_lock(&state_lock);
    if (!event_known(event) || event->context != context || !stream_usable(stream, context)) {
        result = CUDA_ERROR_INVALID_HANDLE;
    } else {
        event->recorded = true;
        event->time_ns = now_ns();
    }
    pthread_mutex_unlock(&state_lock);
    return result;
}

// Everything recorded has happened: an event is complete as soon as it is recorded.
CUresult cuEventQuery(CUevent event) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    pthread_mutex_lock(&state_lock);
    bool known = event_known(event);
    pthread_mutex_unlock(&state_lock);
    return known ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

CUresult cuEventSynchronize(CUevent event) { return cuEventQuery(event); }

CUresult cuEventElapsedTime(float *milliseconds, CUevent start, CUevent end) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (milliseconds == NULL) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&state_lock);
    // As the driver: both must exist, be recorded, and keep timing.
    if (!event_known(start) || !event_known(end) || !start->recorded || !end->recorded ||
        ((start->flags | end->flags) & CU_EVENT_DISABLE_TIMING) != 0) {
        result = CUDA_ERROR_INVALID_HANDLE;
    } else {
        *milliseconds = (float)((double)((long long)(end->time_ns - start->time_ns)) / 1e6);
    }
    pthread_mutex_unlock(&state_lock);
    return result;
}

CUresult cuEventDestroy_v2(CUevent event) {
    struct context *context;
    CUresult entered = enter(&context);
    if (entered != CUDA_SUCCESS && entered != CUDA_ERROR_LAUNCH_FAILED) return entered;
    CUresult result = CUDA_ERROR_INVALID_HANDLE;
    pthread_mutex_lock(&state_lock);
    for (struct event **link = &events; *link != NULL; link = &(*link)->next) {
        if (*link != event) continue;
        *link = event->next;
        free(event);
        result = CUDA_SUCCESS;
        break;
    }
    pthread_mutex_unlock(&state_lock);
    return entered != CUDA_SUCCESS ? entered : result;
}

// MARK: - Memory

// Device memory is 256-byte aligned host memory, as cuMemAlloc's is. It starts as 0xFF bytes (a float
// NaN), not zero, so a kernel that reads what nobody wrote gives a visibly wrong answer.
static CUresult allocate(void **address, size_t size, bool pinned, int device) {
    if (size == 0 || size > SIZE_MAX - 255) return CUDA_ERROR_INVALID_VALUE;
    struct allocation *record = malloc(sizeof *record);
    if (record == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
    pthread_mutex_lock(&state_lock);
    if (!pinned && size > config.capacity - devices[device].used) {
        pthread_mutex_unlock(&state_lock);
        free(record);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    void *memory = aligned_alloc(256, (size + 255) & ~(size_t)255);
    if (memory == NULL) {
        pthread_mutex_unlock(&state_lock);
        free(record);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    if (!pinned) devices[device].used += size;  // the size asked for, so the accounting is exact
    *record = (struct allocation){memory, size, device, pinned, allocations};
    allocations = record;
    pthread_mutex_unlock(&state_lock);
    memset(memory, pinned ? 0 : 0xFF, size);
    *address = memory;
    return CUDA_SUCCESS;
}

// Frees an allocation of the given kind that starts at `address`; false when there is none.
static bool release(void *address, bool pinned) {
    pthread_mutex_lock(&state_lock);
    struct allocation *found = NULL;
    for (struct allocation **link = &allocations; *link != NULL; link = &(*link)->next) {
        if ((*link)->address != address || (*link)->pinned != pinned) continue;
        found = *link;
        *link = found->next;
        if (!pinned) devices[found->device].used -= found->size;
        break;
    }
    pthread_mutex_unlock(&state_lock);
    if (found == NULL) return false;
    free(found->address);
    free(found);
    return true;
}

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t size) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (pointer == NULL) return CUDA_ERROR_INVALID_VALUE;
    void *address;
    result = allocate(&address, size, false, context->device);
    if (result == CUDA_SUCCESS) *pointer = (CUdeviceptr)(uintptr_t)address;
    return result;
}

// On a lost device the memory is freed all the same and the sticky error returned.
CUresult cuMemFree_v2(CUdeviceptr pointer) {
    struct context *context;
    CUresult entered = enter(&context);
    if (entered != CUDA_SUCCESS && entered != CUDA_ERROR_LAUNCH_FAILED) return entered;
    bool freed = release((void *)(uintptr_t)pointer, false);
    return entered != CUDA_SUCCESS ? entered : freed ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total_bytes) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (free_bytes == NULL || total_bytes == NULL) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&state_lock);
    *free_bytes = config.capacity - devices[context->device].used;
    pthread_mutex_unlock(&state_lock);
    *total_bytes = config.capacity;
    return CUDA_SUCCESS;
}

CUresult cuMemAllocHost_v2(void **pointer, size_t size) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (pointer == NULL) return CUDA_ERROR_INVALID_VALUE;
    return allocate(pointer, size, true, context->device);
}

CUresult cuMemFreeHost(void *pointer) {
    struct context *context;
    CUresult entered = enter(&context);
    if (entered != CUDA_SUCCESS && entered != CUDA_ERROR_LAUNCH_FAILED) return entered;
    bool freed = release(pointer, true);
    return entered != CUDA_SUCCESS ? entered : freed ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

// Whether [address, address + size) overlaps, or with `inside`, lies within, one live device allocation.
// Called under state_lock.
static bool device_range(uintptr_t address, size_t size, bool inside) {
    for (struct allocation *a = allocations; a != NULL; a = a->next) {
        if (a->pinned) continue;
        uintptr_t start = (uintptr_t)a->address, end = start + a->size;
        if (inside ? address >= start && address <= end && size <= end - address
                   : address < end && address + size > start) return true;
    }
    return false;
}

// One side of a copy or fill. Device memory must lie within one live allocation: the real driver rejects
// anything else, and here an overrun would silently corrupt the host heap. Host memory must not be NULL
// nor device memory (a device pointer passed where a host one belongs). Called under state_lock.
static bool side_valid(uintptr_t address, bool device, size_t size) {
    if (address == 0 || address > UINTPTR_MAX - size) return false;
    return device ? device_range(address, size, true) : !device_range(address, size, false);
}

// The checks of work on a stream: the call's own (enter), the stream's, and the memory's.
static CUresult enter_stream(struct context **context, CUstream stream, uintptr_t to, bool to_device,
                             uintptr_t from, bool from_device, bool has_source, size_t size) {
    CUresult result = enter(context);
    if (result != CUDA_SUCCESS) return result;
    pthread_mutex_lock(&state_lock);
    if (!stream_usable(stream, *context)) result = CUDA_ERROR_INVALID_HANDLE;
    else if (size > 0 && (!side_valid(to, to_device, size) || (has_source && !side_valid(from, from_device, size))))
        result = CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_unlock(&state_lock);
    return result;
}

// A copy in the current context, done at the call and counted as the device's copy time.
static CUresult copy(uintptr_t to, bool to_device, uintptr_t from, bool from_device, size_t size, CUstream stream) {
    struct context *context;
    CUresult result = enter_stream(&context, stream, to, to_device, from, from_device, true, size);
    if (result != CUDA_SUCCESS || size == 0) return result;
    unsigned long long start = now_ns();
    memmove((void *)to, (const void *)from, size);
    atomic_fetch_add(&devices[context->device].copy_ns, now_ns() - start);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr to, const void *from, size_t size) {
    return copy((uintptr_t)to, true, (uintptr_t)from, false, size, NULL);
}

CUresult cuMemcpyDtoH_v2(void *to, CUdeviceptr from, size_t size) {
    return copy((uintptr_t)to, false, (uintptr_t)from, true, size, NULL);
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr to, const void *from, size_t size, CUstream stream) {
    return copy((uintptr_t)to, true, (uintptr_t)from, false, size, stream);
}

CUresult cuMemcpyDtoHAsync_v2(void *to, CUdeviceptr from, size_t size, CUstream stream) {
    return copy((uintptr_t)to, false, (uintptr_t)from, true, size, stream);
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr to, CUdeviceptr from, size_t size, CUstream stream) {
    return copy((uintptr_t)to, true, (uintptr_t)from, true, size, stream);
}

// Fills `count` elements of `width` bytes at `to` with `value`.
static CUresult fill(CUdeviceptr to, unsigned value, size_t width, size_t count, CUstream stream) {
    if (to % width != 0 || count > SIZE_MAX / width) return CUDA_ERROR_INVALID_VALUE;
    struct context *context;
    CUresult result = enter_stream(&context, stream, (uintptr_t)to, true, 0, false, false, count * width);
    if (result != CUDA_SUCCESS || count == 0) return result;
    unsigned long long start = now_ns();
    if (width == 1) {
        memset((void *)(uintptr_t)to, (int)(value & 0xFF), count);
    } else {
        uint32_t *words = (uint32_t *)(uintptr_t)to;
        for (size_t i = 0; i < count; i++) words[i] = value;
    }
    atomic_fetch_add(&devices[context->device].copy_ns, now_ns() - start);
    return CUDA_SUCCESS;
}

CUresult cuMemsetD32Async(CUdeviceptr to, unsigned int value, size_t count, CUstream stream) {
    return fill(to, value, 4, count, stream);
}

CUresult cuMemsetD8Async(CUdeviceptr to, unsigned char value, size_t count, CUstream stream) {
    return fill(to, value, 1, count, stream);
}

// MARK: - Modules

static bool identifier_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '%';
}

// Adds `name` to the module's entries; false when out of memory.
static bool add_entry(struct module *module, const char *name, size_t length) {
    char **entries = realloc(module->entries, (size_t)(module->entry_count + 1) * sizeof *entries);
    if (entries == NULL) return false;
    module->entries = entries;
    char *copy = malloc(length + 1);
    if (copy == NULL) return false;
    memcpy(copy, name, length);
    copy[length] = '\0';
    entries[module->entry_count++] = copy;
    return true;
}

// Reads the PTX no further than the driver must before it can compile it: the .version and .target
// directives, and the name of every .entry (the kernels a launch can name). Comments are skipped, so a
// kernel commented out is not an entry. Nothing is compiled: the host build stands in for the code.
static CUresult scan_ptx(const char *text, struct module *module) {
    bool version = false, target = false;
    for (const char *p = text; *p != '\0';) {
        if (p[0] == '/' && p[1] == '/') {
            while (*p != '\0' && *p != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (end == NULL) return CUDA_ERROR_INVALID_PTX;
            p = end + 2;
        } else if (*p == '.' && (p == text || !identifier_character(p[-1]))) {
            const char *word = ++p;
            while (identifier_character(*p)) p++;
            size_t length = (size_t)(p - word);
            if (length == 7 && strncmp(word, "version", 7) == 0) version = true;
            if (length == 6 && strncmp(word, "target", 6) == 0) target = true;
            if (length == 5 && strncmp(word, "entry", 5) == 0) {
                while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
                const char *name = p;
                while (identifier_character(*p)) p++;
                const char *after = p;
                while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
                if (after == name || *p != '(') return CUDA_ERROR_INVALID_PTX;
                if (!add_entry(module, name, (size_t)(after - name))) return CUDA_ERROR_OUT_OF_MEMORY;
            }
        } else {
            p++;
        }
    }
    return version && target ? CUDA_SUCCESS : CUDA_ERROR_INVALID_PTX;
}

CUresult cuModuleLoadData(CUmodule *module, const void *image) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (module == NULL || image == NULL) return CUDA_ERROR_INVALID_VALUE;
    struct module *m = calloc(1, sizeof *m);
    if (m == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
    m->context = context;
    result = scan_ptx(image, m);
    if (result != CUDA_SUCCESS) {
        free_module(m);
        return result;
    }
    pthread_mutex_lock(&state_lock);
    m->next = modules;
    modules = m;
    pthread_mutex_unlock(&state_lock);
    *module = m;
    return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule module) {
    struct context *context;
    CUresult entered = enter(&context);
    if (entered != CUDA_SUCCESS && entered != CUDA_ERROR_LAUNCH_FAILED) return entered;
    struct module *found = NULL;
    pthread_mutex_lock(&state_lock);
    for (struct module **link = &modules; *link != NULL; link = &(*link)->next) {
        if (*link != module) continue;
        found = module;
        *link = module->next;
        break;
    }
    pthread_mutex_unlock(&state_lock);
    if (found != NULL) free_module(found);
    return entered != CUDA_SUCCESS ? entered : found != NULL ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

// The function `name` of module `m`, made on first use. The kernel must be an .entry of the module's PTX,
// as on a GPU, and have a host build to run here. Called under state_lock.
static CUresult find_function(struct module *m, const char *name, struct function **function) {
    for (struct function *f = m->functions; f != NULL; f = f->next) {
        if (strcmp(f->name, name) != 0) continue;
        *function = f;
        return CUDA_SUCCESS;
    }
    const char *entry = NULL;
    for (int i = 0; i < m->entry_count && entry == NULL; i++)
        if (strcmp(m->entries[i], name) == 0) entry = m->entries[i];
    if (entry == NULL) return CUDA_ERROR_NOT_FOUND;
    quarry_host_kernel kernel = quarry_find_host_kernel(name);
    if (kernel == NULL) {
        fprintf(stderr, "emulated GPU: kernel %s is in the PTX but has no host build (EXPORT_KERNEL(%s) missing?)\n", name, name);
        return CUDA_ERROR_NOT_FOUND;
    }
    struct function *f = malloc(sizeof *f);
    if (f == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
    *f = (struct function){m, entry, kernel, m->functions};
    m->functions = f;
    *function = f;
    return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    if (function == NULL || name == NULL) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&state_lock);
    struct module *m = modules;
    while (m != NULL && m != module) m = m->next;
    result = m != NULL && m->context == context ? find_function(m, name, function) : CUDA_ERROR_INVALID_HANDLE;
    pthread_mutex_unlock(&state_lock);
    return result;
}

// MARK: - Launches
//
// One launch runs at a time in the whole process (launch_lock): a kernel's __shared__ arrays are
// function statics in the host build. A launch's blocks run one after another, x fastest. Block size
// T = bx·by·bz: workers 0..T-1 of a persistent pool each play one thread of the block, in every block
// in turn, and meet at the barrier after each block, so no two blocks ever touch the statics at once.
// The pool grows on demand (up to 1024 threads) and is kept: a training step makes hundreds of launches.
// Real threads cost real switches: on two cores each barrier phase of a 256-thread block takes about
// 0.7 ms, so tests on the emulated device keep their tensors small.

// The barrier behind __syncthreads() and between blocks: two pthread_barrier_t of the block's size, used
// by turns (phase k waits at turns[k % 2]), and beside each a count of arrivals from __syncthreads() as
// opposed to the end of the block.
// - Turns, because ThreadSanitizer orders everything released into one barrier before everything acquired
//   from it. With a single barrier, a thread that wakes late from phase k would be ordered after threads
//   already past it, into phase k+1, and their races would hide. Phase k+2, the next to use phase k's
//   barrier, cannot begin before every thread has arrived at k+1.
// - The counts, because a phase where some threads wait at __syncthreads() while the others have returned
//   from the kernel is a bug that hangs a GPU or corrupts its shared memory. After each phase every thread
//   works out from the count whether its phase mixed the two (the count is cumulative, so nobody resets
//   it). If so, the launch is reported, its later barriers become no-ops so the stragglers finish, and it
//   fails as a GPU's would (CUDA_ERROR_LAUNCH_FAILED, device lost) instead of hanging.
static struct {
    pthread_barrier_t turns[2];
    int threads;               // the block size the barriers were made for; 0: not made yet
    atomic_ulong syncs[2];     // arrivals from __syncthreads() at each turn, this launch
    atomic_bool broken;
} barrier;

static struct {
    pthread_mutex_t launch_lock;  // held for a whole launch; guards everything below
    int workers;                  // threads started so far
    sem_t start[MAX_THREADS_PER_BLOCK];  // one per worker: posted to run the launch below
    sem_t finished;               // posted by the last worker to finish
    atomic_int running;           // workers still in the launch
    // The launch being run, written before the workers are started.
    quarry_host_kernel kernel;
    const char *name;
    void **parameters;
    struct quarry_dim3 grid, block;
    void *dynamic_shared;
} pool = {.launch_lock = PTHREAD_MUTEX_INITIALIZER};

// Per worker: where the thread stands (for __syncthreads() and the divergence report), its next turn, the
// syncs counts it saw at its last phase at each turn, and whether it has seen this launch break.
static _Thread_local const quarry_thread_position *position_here;
static _Thread_local int next_turn;
static _Thread_local unsigned long syncs_seen[2];
static _Thread_local bool broken_here;

// One arrival at the barrier; false once the launch is broken (the caller then stops running blocks).
static bool arrive(bool at_block_end) {
    if (broken_here) return false;
    int turn = next_turn;
    next_turn ^= 1;
    if (!at_block_end) atomic_fetch_add_explicit(&barrier.syncs[turn], 1, memory_order_relaxed);
    bool reporter = pthread_barrier_wait(&barrier.turns[turn]) == PTHREAD_BARRIER_SERIAL_THREAD;
    // Every arrival of this phase is counted, and none of phase k+2 can be yet.
    unsigned long syncs = atomic_load_explicit(&barrier.syncs[turn], memory_order_relaxed);
    unsigned long at_sync = syncs - syncs_seen[turn];
    syncs_seen[turn] = syncs;
    if (at_sync == 0 || at_sync == (unsigned long)barrier.threads) return true;
    broken_here = true;
    atomic_store(&barrier.broken, true);
    if (reporter) {
        const struct quarry_dim3 b = position_here->block;
        fprintf(stderr, "emulated GPU: kernel %s, block (%d,%d,%d): %lu of %d threads waited at __syncthreads() "
                "while the others had returned; on a GPU this hangs or corrupts shared memory\n",
                pool.name, b.x, b.y, b.z, at_sync, barrier.threads);
    }
    return false;
}

void quarry_emulator_syncthreads(void) {
    if (position_here == NULL) {
        fprintf(stderr, "emulated GPU: __syncthreads() called outside a kernel launch\n");
        abort();
    }
    arrive(false);
}

// Worker `index` plays thread `index` of every block of the current launch.
static void run_blocks(int index) {
    const struct quarry_dim3 grid = pool.grid, block = pool.block;
    quarry_thread_position position = {
        .thread = {index % block.x, index / block.x % block.y, index / (block.x * block.y)},
        .block_dim = block, .grid_dim = grid, .dynamic_shared = pool.dynamic_shared,
    };
    position_here = &position;
    next_turn = 0;
    syncs_seen[0] = syncs_seen[1] = 0;
    broken_here = false;
    for (int z = 0; z < grid.z; z++)
        for (int y = 0; y < grid.y; y++)
            for (int x = 0; x < grid.x; x++) {
                position.block = (struct quarry_dim3){x, y, z};
                pool.kernel(pool.parameters, &position);
                if (!arrive(true)) goto done;
            }
done:
    position_here = NULL;
}

static void *worker(void *argument) {
    int index = (int)(intptr_t)argument;
    for (;;) {
        while (sem_wait(&pool.start[index]) != 0) {}  // EINTR
        run_blocks(index);
        if (atomic_fetch_sub(&pool.running, 1) == 1) sem_post(&pool.finished);
    }
    return NULL;
}

// Grows the pool to `count` workers; false if a thread cannot be made. Called under launch_lock.
// Workers block every signal, so a process's signals reach its own threads, and take small stacks:
// a kernel's locals are a few registers' worth.
static bool grow_pool(int count) {
    if (pool.workers == 0 && sem_init(&pool.finished, 0, 0) != 0) return false;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 256 * 1024);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    bool grown = true;
    while (pool.workers < count && grown) {
        pthread_t thread;
        grown = sem_init(&pool.start[pool.workers], 0, 0) == 0 &&
                pthread_create(&thread, &attributes, worker, (void *)(intptr_t)pool.workers) == 0;
        if (grown) pool.workers++;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);
    return grown;
}

// Runs a launch that passed its checks; CUDA_ERROR_LAUNCH_FAILED if its barriers diverged.
static CUresult run_launch(struct device *device, struct function *function, struct quarry_dim3 grid,
                           struct quarry_dim3 block, unsigned shared_bytes, void **parameters) {
    int threads = block.x * block.y * block.z;
    void *shared = NULL;
    if (shared_bytes > 0 && (shared = aligned_alloc(16, (shared_bytes + 15u) & ~15u)) == NULL)
        return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    if (shared != NULL) memset(shared, 0, shared_bytes);
    pthread_mutex_lock(&pool.launch_lock);
    unsigned long long start = now_ns();  // from here: waiting for another device's launch is not busy time
    if (!grow_pool(threads)) {
        pthread_mutex_unlock(&pool.launch_lock);
        free(shared);
        return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    }
    pool.kernel = function->kernel;
    pool.name = function->name;
    pool.parameters = parameters;
    pool.grid = grid;
    pool.block = block;
    pool.dynamic_shared = shared;
    // No worker is inside a barrier: each returned from its last wait before the last launch finished.
    if (barrier.threads != threads) {
        for (int i = 0; i < 2; i++) {
            if (barrier.threads != 0) pthread_barrier_destroy(&barrier.turns[i]);
            pthread_barrier_init(&barrier.turns[i], NULL, (unsigned)threads);
        }
        barrier.threads = threads;
    }
    atomic_store(&barrier.syncs[0], 0);
    atomic_store(&barrier.syncs[1], 0);
    atomic_store(&barrier.broken, false);
    atomic_store(&pool.running, threads);
    for (int i = 0; i < threads; i++) sem_post(&pool.start[i]);
    while (sem_wait(&pool.finished) != 0) {}  // EINTR
    bool broken = atomic_load(&barrier.broken);
    atomic_fetch_add(&device->kernel_ns, now_ns() - start);
    pthread_mutex_unlock(&pool.launch_lock);
    free(shared);
    return broken ? CUDA_ERROR_LAUNCH_FAILED : CUDA_SUCCESS;
}

static void lose_device(int device, const char *why) {
    atomic_store(&devices[device].lost, true);
    fprintf(stderr, "emulated GPU: device %d is lost: %s\n", device, why);
}

CUresult cuLaunchKernel(CUfunction function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z,
                        unsigned int block_x, unsigned int block_y, unsigned int block_z, unsigned int shared_bytes,
                        CUstream stream, void **parameters, void **extra) {
    struct context *context;
    CUresult result = enter(&context);
    if (result != CUDA_SUCCESS) return result;
    pthread_mutex_lock(&state_lock);
    bool known = false;
    for (struct module *m = modules; m != NULL && !known; m = m->next)
        for (struct function *f = m->functions; f != NULL && !known; f = f->next)
            known = f == function && m->context == context;
    bool usable = stream_usable(stream, context);
    pthread_mutex_unlock(&state_lock);
    if (!known || !usable) return CUDA_ERROR_INVALID_HANDLE;
    // Every dimension at least 1 and within the device's limits. `extra` (the packed-buffer way of
    // passing arguments) is not supported: Quarry passes kernelParams.
    if (grid_x < 1 || grid_y < 1 || grid_z < 1 || grid_x > MAX_GRID_X || grid_y > MAX_GRID_Y || grid_z > MAX_GRID_Z ||
        block_x < 1 || block_y < 1 || block_z < 1 || block_x > MAX_BLOCK_X || block_y > MAX_BLOCK_Y ||
        block_z > MAX_BLOCK_Z || (unsigned long long)block_x * block_y * block_z > MAX_THREADS_PER_BLOCK ||
        shared_bytes > MAX_SHARED_PER_BLOCK || parameters == NULL || extra != NULL)
        return CUDA_ERROR_INVALID_VALUE;

    long number = atomic_fetch_add(&launches, 1) + 1;
    if (number == config.fail_after) {
        char why[160];
        snprintf(why, sizeof why, "launch %ld (%s) failed as QUARRY_EMULATED_GPU_FAIL_AFTER=%ld asks", number,
                 function->name, config.fail_after);
        lose_device(context->device, why);
        return CUDA_ERROR_LAUNCH_FAILED;
    }
    result = run_launch(&devices[context->device], function, (struct quarry_dim3){(int)grid_x, (int)grid_y, (int)grid_z},
                        (struct quarry_dim3){(int)block_x, (int)block_y, (int)block_z}, shared_bytes, parameters);
    if (result == CUDA_ERROR_LAUNCH_FAILED) lose_device(context->device, "a kernel's __syncthreads() diverged");
    return result;
}

// MARK: - Error names and messages, as the real driver words them

static const struct {
    CUresult code;
    const char *name, *message;
} errors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

// Both work before cuInit and on a lost device. An unknown code gives NULL and CUDA_ERROR_INVALID_VALUE.
static CUresult describe(CUresult error, const char **text, bool name) {
    if (text == NULL) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code != error) continue;
        *text = name ? errors[i].name : errors[i].message;
        return CUDA_SUCCESS;
    }
    *text = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuGetErrorName(CUresult error, const char **name) { return describe(error, name, true); }
CUresult cuGetErrorString(CUresult error, const char **message) { return describe(error, message, false); }

// MARK: - For the emulated NVML (emulator.h); these need no cuInit, as NVML does not

int quarry_emulator_device_count(void) {
    configure();
    return config.devices;
}

int quarry_emulator_memory(int device, size_t *free_bytes, size_t *total_bytes) {
    configure();
    if (!valid_device(device) || free_bytes == NULL || total_bytes == NULL) return -1;
    pthread_mutex_lock(&state_lock);
    *free_bytes = config.capacity - devices[device].used;
    pthread_mutex_unlock(&state_lock);
    *total_bytes = config.capacity;
    return 0;
}

int quarry_emulator_activity(int device, unsigned long long *kernel_ns, unsigned long long *copy_ns) {
    configure();
    if (!valid_device(device) || kernel_ns == NULL || copy_ns == NULL) return -1;
    *kernel_ns = atomic_load(&devices[device].kernel_ns);
    *copy_ns = atomic_load(&devices[device].copy_ns);
    return 0;
}

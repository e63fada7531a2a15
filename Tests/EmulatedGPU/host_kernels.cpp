// The host build of Quarry's kernels, linked into the emulated libcuda.so.1: the registry the kernels'
// EXPORT_KERNEL lines fill as the library loads, and the kernels themselves, compiled for the host through
// quarry_cuda.h (with QUARRY_HOST, which the Makefile defines). It is compiled with -fvisibility=hidden:
// the kernels' names stay inside the library, where no other symbol of the process can stand in for them.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"

namespace {
struct Registration {
    const char *name;
    quarry_host_kernel kernel;
    Registration *next;
};
// Constant-initialized, so it is empty before the first registration runs whatever the order of static
// initializers. Registration only happens during static initialization, one thread, so no lock.
Registration *registrations = nullptr;
}

#define VISIBLE __attribute__((visibility("default")))

extern "C" VISIBLE quarry_host_kernel quarry_find_host_kernel(const char *name) {
    for (Registration *r = registrations; r != nullptr; r = r->next)
        if (strcmp(r->name, name) == 0) return r->kernel;
    return nullptr;
}

extern "C" VISIBLE void quarry_register_host_kernel(const char *name, quarry_host_kernel kernel) {
    if (quarry_find_host_kernel(name) != nullptr) {
        fprintf(stderr, "emulated GPU: kernel %s is registered twice\n", name);
        abort();
    }
    registrations = new Registration{name, kernel, registrations};
}

// The emulator's own test kernels (emulator_test_*), always there.
#include "sample_kernels.cu"

// Quarry's kernels, once they exist.
#if __has_include("../../Resources/cuda/kernels.cu")
#include "../../Resources/cuda/kernels.cu"
#endif

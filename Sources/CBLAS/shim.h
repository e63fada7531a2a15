#include <cblas.h>

/* 1 when this build targets a CPU with AVX-512 and FMA (release builds with -march=native / -target-cpu
   native on such a CPU): Learn's own SIMD16 GEMM kernel only beats OpenBLAS when it compiles to zmm FMAs. */
#if defined(__AVX512F__) && defined(__FMA__)
#define QUARRY_NATIVE_AVX512 1
#else
#define QUARRY_NATIVE_AVX512 0
#endif

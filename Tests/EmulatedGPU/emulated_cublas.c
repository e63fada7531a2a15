// A stand-in for NVIDIA's libcublas.so.12 on the emulated device: the handful of entry points Quarry calls
// (docs/gpu.md), with cuBLAS's signatures and column-major conventions. Device pointers of the emulated
// driver are host pointers, and stream work runs when it is queued, so a product is computed at the call,
// naively, in double: this library is a reference for the calling code, not a fast path.
#include <stddef.h>
#include <stdlib.h>

typedef struct {
    void *stream;
    int math_mode;
} handle;

enum { SUCCESS = 0, NOT_INITIALIZED = 1, ALLOC_FAILED = 3, INVALID_VALUE = 7 };
enum { OP_N = 0, OP_T = 1 };

int cublasCreate_v2(handle **out) {
    if (out == NULL) return INVALID_VALUE;
    *out = calloc(1, sizeof(handle));
    return *out == NULL ? ALLOC_FAILED : SUCCESS;
}

int cublasDestroy_v2(handle *h) {
    if (h == NULL) return NOT_INITIALIZED;
    free(h);
    return SUCCESS;
}

int cublasSetStream_v2(handle *h, void *stream) {
    if (h == NULL) return NOT_INITIALIZED;
    h->stream = stream;
    return SUCCESS;
}

int cublasSetMathMode(handle *h, int mode) {
    if (h == NULL) return NOT_INITIALIZED;
    h->math_mode = mode;
    return SUCCESS;
}

int cublasGetMathMode(handle *h, int *mode) {
    if (h == NULL || mode == NULL) return h == NULL ? NOT_INITIALIZED : INVALID_VALUE;
    *mode = h->math_mode;
    return SUCCESS;
}

int cublasGetVersion_v2(handle *h, int *version) {
    if (h == NULL || version == NULL) return h == NULL ? NOT_INITIALIZED : INVALID_VALUE;
    *version = 120900;
    return SUCCESS;
}

// Column-major: C (m×n, ldc) = alpha·op(A)·op(B) + beta·C, op(A) m×k, op(B) k×n; C is not read when beta is 0.
int cublasSgemmStridedBatched(handle *h, int transa, int transb, int m, int n, int k, const float *alpha, const float *a,
                              int lda, long long strideA, const float *b, int ldb, long long strideB, const float *beta,
                              float *c, int ldc, long long strideC, int batchCount) {
    if (h == NULL) return NOT_INITIALIZED;
    if (m < 0 || n < 0 || k < 0 || batchCount < 0 || (transa != OP_N && transa != OP_T) || (transb != OP_N && transb != OP_T)
        || lda < (transa == OP_N ? m : k) || ldb < (transb == OP_N ? k : n) || ldc < m || lda < 1 || ldb < 1 || ldc < 1)
        return INVALID_VALUE;
    for (int batch = 0; batch < batchCount; batch++) {
        const float *A = a + batch * strideA, *B = b + batch * strideB;
        float *C = c + batch * strideC;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float x = transa == OP_N ? A[i + (long long)p * lda] : A[p + (long long)i * lda];
                    float y = transb == OP_N ? B[p + (long long)j * ldb] : B[j + (long long)p * ldb];
                    sum += (double)x * y;
                }
                float *out = &C[i + (long long)j * ldc];
                *out = (float)(*alpha * sum + (*beta == 0 ? 0 : *beta * *out));
            }
    }
    return SUCCESS;
}

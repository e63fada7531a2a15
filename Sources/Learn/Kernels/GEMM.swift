import CBLAS

/// Dense matrix multiply, the kernel under Linear and im2col convolution.
public enum GEMM {
    /// c = alpha · op(a) · op(b) + beta · c, all row-major and contiguous, through OpenBLAS.
    /// op(a) is (m, k), op(b) is (k, n), c is (m, n); a is stored (k, m) when `transposeA`,
    /// b is stored (n, k) when `transposeB`. beta = 1 accumulates, which backward uses for gradients.
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size m \(m) n \(n) k \(k)")
        guard m > 0, n > 0 else { return }
        // Leading dimensions are the stored row lengths; BLAS rejects 0 even for empty matrices.
        let lda = max(1, transposeA ? m : k)
        let ldb = max(1, transposeB ? k : n)
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(n))
    }
}

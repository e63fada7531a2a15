extension GEMM {
    /// `count` independent products of one size: c_i = op(a_i) · op(b_i) + beta · c_i, the operands of
    /// product i at `a(i)`, `b(i)` and `c(i)`, with leading dimensions as `multiply` takes them. Products too small to split well across the
    /// cores (Winograd's 16 per convolution) run side by side instead, one whole product per core, on the
    /// blocked kernel wherever `kernel(m:n:k:)` would take it for a product of the batch's total size.
    static func multiplyBatch(
        _ count: Int, a: (Int) -> UnsafePointer<Float>, lda: Int, b: (Int) -> UnsafePointer<Float>, ldb: Int,
        c: (Int) -> UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false, beta: Float = 0
    ) {
        if kernel(m: m, n: n, k: k * count) == .openBLAS {
            // OpenBLAS threads each product itself.
            for i in 0..<count {
                multiply(a(i), b(i), c(i), m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, beta: beta,
                         lda: lda, ldb: ldb, ldc: ldc)
            }
            return
        }
        Parallel.forEach(count, work: Parallel.minimumWork) { i in
            multiplyBlocked(Operand(base: a(i), ld: lda, transposed: transposeA), Operand(base: b(i), ld: ldb, transposed: transposeB),
                            c(i), ldc: ldc, m: m, n: n, k: k, alpha: 1, beta: beta, threads: 1)
        }
    }
}

extension GEMM {
    /// `count` independent products of one size: c_i = op(a_i) · op(b_i) + beta · c_i, with dense
    /// leading dimensions and the operands of product i at `a(i)`, `b(i)` and `c(i)`. Products too small to split well across the
    /// cores (Winograd's 16 per convolution) run side by side instead, one whole product per core, on the
    /// blocked kernel wherever `kernel(m:n:k:)` would take it for a product of the batch's total size.
    static func multiplyBatch(
        _ count: Int, a: (Int) -> UnsafePointer<Float>, b: (Int) -> UnsafePointer<Float>, c: (Int) -> UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false, beta: Float = 0
    ) {
        let lda = max(1, transposeA ? m : k), ldb = max(1, transposeB ? k : n)
        if kernel(m: m, n: n, k: k * count) == .openBLAS {
            // OpenBLAS threads each product itself.
            for i in 0..<count {
                multiply(a(i), b(i), c(i), m: m, n: n, k: k,
                         transposeA: transposeA, transposeB: transposeB, beta: beta)
            }
            return
        }
        Parallel.forEach(count, work: Parallel.minimumWork) { i in
            multiplyBlocked(Operand(base: a(i), ld: lda, transposed: transposeA), Operand(base: b(i), ld: ldb, transposed: transposeB),
                            c(i), ldc: max(1, n), m: m, n: n, k: k, alpha: 1, beta: beta, threads: 1)
        }
    }
}

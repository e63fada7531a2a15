extension GEMM {
    /// The oracle for `multiply`: the same contract as a plain triple loop accumulating in Double,
    /// so tests measure OpenBLAS against something with no blocking, threading or float rounding.
    /// op(a) is (m, k), op(b) is (k, n), c is (m, n), row-major.
    public static func multiplyReference(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let left = transposeA ? a[p * m + i] : a[i * k + p]
                    let right = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += Double(left) * Double(right)
                }
                // beta = 0 must ignore c entirely (it may hold NaN), as BLAS does.
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * n + j])
                c[i * n + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }
}

@testable import Learn
import Testing

extension GEMMTests {
    /// Runs one product through `kernel` (nil: the dispatch; .blocked with a given thread count) and the
    /// Double reference, with each operand's leading dimension `leading` past its row length, and compares
    /// every element of C, in the block and outside it. The tolerance is relative to Σ|a||b| for the element,
    /// the size of float rounding in any summation order.
    func check(
        _ shape: [Int], _ transpose: [Bool], leading: [Int], alpha: Float, beta: Float,
        start: Float? = nil, kernel: GEMM.Kernel? = .blocked, threads: Int? = nil
    ) {
        let (m, n, k) = (shape[0], shape[1], shape[2])
        let (aRows, aColumns) = transpose[0] ? (k, m) : (m, k)
        let (bRows, bColumns) = transpose[1] ? (n, k) : (k, n)
        let (lda, ldb, ldc) = (max(1, aColumns + leading[0]), max(1, bColumns + leading[1]), max(1, n + leading[2]))
        var random = Random(seed: UInt64(m * 1_000_000 + n * 1_000 + k))
        let a = (0..<max(1, aRows * lda)).map { _ in 2 * random.uniform() - 1 }
        let b = (0..<max(1, bRows * ldb)).map { _ in 2 * random.uniform() - 1 }
        let initial = (0..<m * ldc).map { _ in start ?? 2 * random.uniform() - 1 }
        var fast = initial
        if let threads {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    fast.withUnsafeMutableBufferPointer { c in
                        GEMM.multiplyBlocked(
                            .init(base: a.baseAddress!, ld: lda, transposed: transpose[0]),
                            .init(base: b.baseAddress!, ld: ldb, transposed: transpose[1]),
                            c.baseAddress!, ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta, threads: threads)
                    }
                }
            }
        } else {
            GEMM.multiply(a, b, &fast, m: m, n: n, k: k, transposeA: transpose[0], transposeB: transpose[1],
                          alpha: alpha, beta: beta, lda: lda, ldb: ldb, ldc: ldc, kernel: kernel)
        }
        // The reference takes dense operands: copy the blocks out.
        let denseA = (0..<aRows * aColumns).map { a[($0 / aColumns) * lda + $0 % aColumns] }
        let denseB = (0..<bRows * bColumns).map { b[($0 / bColumns) * ldb + $0 % bColumns] }
        var expected = (0..<m * n).map { initial[($0 / n) * ldc + $0 % n] }
        GEMM.multiplyReference(denseA, denseB, &expected, m: m, n: n, k: k,
                               transposeA: transpose[0], transposeB: transpose[1], alpha: alpha, beta: beta)
        let absA = denseA.map(abs), absB = denseB.map(abs)
        var magnitude = [Float](repeating: 0, count: m * n)
        GEMM.multiplyReference(absA, absB, &magnitude, m: m, n: n, k: k,
                               transposeA: transpose[0], transposeB: transpose[1])
        var mismatches = 0
        for i in 0..<m {
            for j in 0..<ldc {
                let got = fast[i * ldc + j]
                if j >= n {
                    if !(got == initial[i * ldc + j] || (got.isNaN && initial[i * ldc + j].isNaN)) { mismatches += 1 }
                    continue
                }
                let want = expected[i * n + j]
                let held = beta == 0 ? 0 : abs(beta * initial[i * ldc + j])
                let tolerance = 1e-5 * (abs(alpha) * magnitude[i * n + j] + held) + 1e-30
                if !(abs(got - want) <= tolerance) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0, "m \(m) n \(n) k \(k) transpose \(transpose) leading \(leading) alpha \(alpha) beta \(beta)")
    }
}

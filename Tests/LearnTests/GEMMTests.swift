import Learn
import Testing

struct GEMMTests {
    static let shapes: [[Int]] = [[1, 1, 1], [7, 5, 3], [64, 33, 17]]
    static let transposes: [[Bool]] = [[false, false], [true, false], [false, true], [true, true]]

    // shape is [m, n, k]; op(a) is (m, k), op(b) is (k, n), c is (m, n)
    @Test(arguments: shapes, transposes)
    func openBLASMatchesTheDoubleReference(shape: [Int], transpose: [Bool]) {
        let (m, n, k) = (shape[0], shape[1], shape[2])
        var random = Random(seed: UInt64(m * 10_000 + n * 100 + k))
        let a = (0..<m * k).map { _ in 2 * random.uniform() - 1 }
        let b = (0..<k * n).map { _ in 2 * random.uniform() - 1 }
        let start = (0..<m * n).map { _ in 2 * random.uniform() - 1 }
        // Plain product and accumulation (alpha, beta ≠ defaults) both go through the same contract.
        for (alpha, beta) in [(Float(1), Float(0)), (0.5, 2)] {
            var fast = start
            var reference = start
            GEMM.multiply(a, b, &fast, m: m, n: n, k: k,
                          transposeA: transpose[0], transposeB: transpose[1], alpha: alpha, beta: beta)
            GEMM.multiplyReference(a, b, &reference, m: m, n: n, k: k,
                                   transposeA: transpose[0], transposeB: transpose[1], alpha: alpha, beta: beta)
            for (x, y) in zip(fast, reference) {
                #expect(abs(x - y) <= 1e-4 * max(1, abs(y)), "\(x) vs \(y) at alpha \(alpha) beta \(beta)")
            }
        }
    }
}

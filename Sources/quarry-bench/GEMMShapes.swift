import Foundation
import Learn

/// `quarry-bench gemm-shapes ROUNDS`: the convolution products of ResNet-18 training (3×64×64 input,
/// batch 32, the whole batch as one product) and Linear's, each timed through our blocked kernel and
/// through OpenBLAS in alternation, so load from other processes falls on both. Prints one line per
/// product and a last line with the GFLOPS of the whole mix (total FLOPs over total best times).
enum GEMMShapes {
    struct Product {
        let name: String
        let m: Int, n: Int, k: Int
        let transposeA: Bool, transposeB: Bool
    }

    /// (out channels M, in·kh·kw K, batch·out pixels N) of each distinct convolution.
    static let convolutions = [
        (64, 147, 32768), (64, 576, 8192), (128, 576, 2048), (128, 1152, 2048), (128, 64, 2048),
        (256, 1152, 512), (256, 2304, 512), (256, 128, 512), (512, 2304, 128), (512, 4608, 128), (512, 256, 128),
    ]

    /// Forward Y = W·Cols, weight gradient dW = dY·Colsᵀ, input gradient dCols = Wᵀ·dY; then Linear 512→10.
    static var products: [Product] {
        convolutions.flatMap { (m, k, n) in [
            Product(name: "forward \(m)x\(k)x\(n)", m: m, n: n, k: k, transposeA: false, transposeB: false),
            Product(name: "weight-grad \(m)x\(k)x\(n)", m: m, n: k, k: n, transposeA: false, transposeB: true),
            Product(name: "input-grad \(m)x\(k)x\(n)", m: k, n: n, k: m, transposeA: true, transposeB: false),
        ] } + [
            Product(name: "linear 32x512x10", m: 32, n: 10, k: 512, transposeA: false, transposeB: false),
            Product(name: "linear-weight-grad 32x512x10", m: 512, n: 10, k: 32, transposeA: true, transposeB: false),
            Product(name: "linear-input-grad 32x512x10", m: 32, n: 512, k: 10, transposeA: false, transposeB: true),
        ]
    }

    static func run(rounds: Int) {
        var random = Random(seed: 0)
        var totals = (flops: 0.0, ours: 0.0, openBLAS: 0.0, chosen: 0.0)
        for product in products {
            let (m, n, k) = (product.m, product.n, product.k)
            let a = (0..<m * k).map { _ in random.normal() }
            let b = (0..<k * n).map { _ in random.normal() }
            var c = [Float](repeating: 0, count: m * n)
            func seconds(_ kernel: GEMM.Kernel?) -> Double {
                let started = Date()
                GEMM.multiply(a, b, &c, m: m, n: n, k: k, transposeA: product.transposeA,
                              transposeB: product.transposeB, kernel: kernel)
                return Date().timeIntervalSince(started)
            }
            // Best of alternating rounds: the least disturbed time of each.
            var best = (ours: Double.infinity, openBLAS: Double.infinity, chosen: Double.infinity)
            for _ in 0...rounds {
                best.ours = min(best.ours, seconds(.blocked))
                best.openBLAS = min(best.openBLAS, seconds(.openBLAS))
                best.chosen = min(best.chosen, seconds(nil))
            }
            let flops = 2 * Double(m * n * k)
            totals = (totals.flops + flops, totals.ours + best.ours, totals.openBLAS + best.openBLAS,
                      totals.chosen + best.chosen)
            print("\(product.name) m \(m) n \(n) k \(k) GFLOPS ours \(gflops(flops, best.ours)) "
                  + "openblas \(gflops(flops, best.openBLAS)) chosen \(GEMM.kernel(m: m, n: n, k: k))")
        }
        print("conv-mix GFLOPS ours \(gflops(totals.flops, totals.ours)) openblas "
              + "\(gflops(totals.flops, totals.openBLAS)) dispatched \(gflops(totals.flops, totals.chosen))")
    }

    private static func gflops(_ flops: Double, _ seconds: Double) -> String {
        String(format: "%.1f", flops / seconds / 1e9)
    }
}

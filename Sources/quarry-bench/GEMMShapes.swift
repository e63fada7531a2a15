import Foundation
import Learn

/// `quarry-bench gemm-shapes ROUNDS`: the convolution products of ResNet-18 training (3×64×64 input,
/// batch 32, the whole batch as one product) and Linear's, each timed through our blocked kernel and
/// through OpenBLAS, best of `ROUNDS` + 1 in each of two passes per kernel, so load from other processes
/// falls on both. Prints one line per product and a last line with the GFLOPS of the convolutions' mix
/// (total FLOPs over the sum of best times) for each kernel and for what `GEMM.kernel(m:n:k:)` picks.
/// Exits 1 first if the two kernels' results differ by more than float rounding.
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
        let operands = products.map { product in
            (a: (0..<product.m * product.k).map { _ in random.normal() },
             b: (0..<product.k * product.n).map { _ in random.normal() })
        }
        var best = [[GEMM.Kernel: Double]](repeating: [:], count: products.count)
        // Whole passes per kernel, each kernel twice, in both orders: OpenBLAS's threads spin for a while
        // after each call, which would slow whichever kernel ran right after it.
        for kernel in [GEMM.Kernel.openBLAS, .blocked, .blocked, .openBLAS] {
            Thread.sleep(forTimeInterval: 0.5)
            for (index, product) in products.enumerated() {
                var c = [Float](repeating: 0, count: product.m * product.n)
                for _ in 0...rounds {
                    let started = Date()
                    GEMM.multiply(operands[index].a, operands[index].b, &c, m: product.m, n: product.n,
                                  k: product.k, transposeA: product.transposeA, transposeB: product.transposeB,
                                  kernel: kernel)
                    best[index][kernel] = min(best[index][kernel] ?? .infinity, Date().timeIntervalSince(started))
                }
            }
        }
        for (index, product) in products.enumerated() { check(product, operands[index].a, operands[index].b) }
        var totals = (flops: 0.0, ours: 0.0, openBLAS: 0.0, dispatched: 0.0)
        for (index, product) in products.enumerated() {
            let (ours, openBLAS) = (best[index][.blocked]!, best[index][.openBLAS]!)
            let chosen = GEMM.kernel(m: product.m, n: product.n, k: product.k)
            let flops = 2 * Double(product.m * product.n * product.k)
            print("\(product.name) m \(product.m) n \(product.n) k \(product.k) GFLOPS ours \(gflops(flops, ours)) "
                  + "openblas \(gflops(flops, openBLAS)) dispatch \(chosen)")
            // The mix is the convolutions' products; Linear's are printed for the dispatch rule only.
            guard index < 3 * convolutions.count else { continue }
            totals = (totals.flops + flops, totals.ours + ours, totals.openBLAS + openBLAS,
                      totals.dispatched + (chosen == .blocked ? ours : openBLAS))
        }
        print("conv-mix GFLOPS ours \(gflops(totals.flops, totals.ours)) openblas "
              + "\(gflops(totals.flops, totals.openBLAS)) dispatched \(gflops(totals.flops, totals.dispatched))")
    }

    /// Stops the run if the two kernels disagree by more than float rounding over the product's depth.
    private static func check(_ product: Product, _ a: [Float], _ b: [Float]) {
        var ours = [Float](repeating: .nan, count: product.m * product.n), theirs = ours
        GEMM.multiply(a, b, &ours, m: product.m, n: product.n, k: product.k, transposeA: product.transposeA,
                      transposeB: product.transposeB, kernel: .blocked)
        GEMM.multiply(a, b, &theirs, m: product.m, n: product.n, k: product.k, transposeA: product.transposeA,
                      transposeB: product.transposeB, kernel: .openBLAS)
        let scale = theirs.reduce(0) { max($0, abs($1)) }
        let difference = zip(ours, theirs).reduce(0) { max($0, abs($1.0 - $1.1)) }
        guard difference <= 1e-5 * scale else {
            FileHandle.standardError.write(Data("\(product.name): ours and OpenBLAS differ by \(difference)\n".utf8))
            exit(1)
        }
    }

    private static func gflops(_ flops: Double, _ seconds: Double) -> String {
        String(format: "%.1f", flops / seconds / 1e9)
    }
}

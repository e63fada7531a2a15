@testable import Learn
import Testing

/// The blocked kernel and OpenBLAS against the Double reference. Sizes are [m, n, k]: op(a) is (m, k),
/// op(b) is (k, n), c is (m, n). The blocked kernel's tile is 12 × 32 and its slices of k are 256 deep,
/// so the sizes sit on both sides of those edges and of the 16-step transposes in packing.
struct GEMMTests {
    static let edges = [1, 5, 6, 7, 11, 12, 13, 15, 16, 17, 31, 32, 33, 100]
    static let transposes: [[Bool]] = [[false, false], [true, false], [false, true], [true, true]]

    @Test(arguments: edges, transposes)
    func theBlockedKernelMatchesTheReferenceAtEveryTileEdge(size: Int, transpose: [Bool]) {
        for shape in [[size, 33, 17], [7, size, 18], [13, 31, size], [size, size, size]] {
            check(shape, transpose, leading: [0, 0, 0], alpha: 1, beta: 0)
        }
    }

    @Test(arguments: transposes)
    func aDepthPastOneSliceAccumulatesAcrossSlices(transpose: [Bool]) {
        check([25, 40, 600], transpose, leading: [0, 0, 0], alpha: 1, beta: 0)
        check([13, 70, 257], transpose, leading: [0, 0, 0], alpha: 0.5, beta: 2)
    }

    @Test(arguments: [(Float(1), Float(0)), (0.5, 2), (-1, 1), (2, -0.5), (0, 3), (0, 0)], transposes)
    func alphaAndBetaScaleTheProductAndWhatCHeld(scales: (Float, Float), transpose: [Bool]) {
        check([19, 45, 40], transpose, leading: [0, 0, 0], alpha: scales.0, beta: scales.1)
    }

    @Test(arguments: transposes)
    func leadingDimensionsPastTheRowLengthsLeaveTheRestOfCUntouched(transpose: [Bool]) {
        check([29, 37, 21], transpose, leading: [3, 16, 5], alpha: 1, beta: 0)
        check([29, 37, 21], transpose, leading: [1, 40, 33], alpha: 0.5, beta: 1)
    }

    @Test(arguments: transposes)
    func betaZeroOverwritesNaNWithoutReadingIt(transpose: [Bool]) {
        check([17, 35, 19], transpose, leading: [0, 0, 2], alpha: 1, beta: 0, start: .nan)
        check([17, 35, 0], transpose, leading: [0, 0, 2], alpha: 1, beta: 0, start: .nan)
    }

    @Test(arguments: [1, 2, 3, 4, 7])
    func everySplitAmongThreadsGivesTheSameProduct(threads: Int) {
        for shape in [[100, 100, 30], [12, 300, 20], [300, 32, 20], [5, 5, 5], [64, 147, 70]] {
            check(shape, [false, false], leading: [0, 0, 0], alpha: 1, beta: 0.5, threads: threads)
            check(shape, [true, true], leading: [0, 0, 0], alpha: 1, beta: 0, threads: threads)
        }
    }

    @Test func aSplitCoversCOnceWithRectanglesOnTileEdges() {
        for (m, n, threads) in [(100, 100, 2), (12, 300, 4), (1, 1, 2), (64, 147, 3), (500, 40, 6)] {
            let grid = GEMM.Grid(m: m, n: n, threads: threads)
            var covered = [Int](repeating: 0, count: m * n)
            for index in 0..<grid.count {
                let (rows, columns) = grid.rectangle(index)
                #expect(rows.lowerBound % GEMM.MicroKernel.rows == 0 && columns.lowerBound % GEMM.MicroKernel.columns == 0)
                for i in rows { for j in columns { covered[i * n + j] += 1 } }
            }
            #expect(covered.allSatisfy { $0 == 1 }, "m \(m) n \(n) threads \(threads)")
            #expect(grid.count <= threads)
        }
    }

    @Test(arguments: [[1, 1, 1], [7, 5, 3], [64, 33, 17], [20, 30, 0]], transposes)
    func openBLASAndTheDispatchMatchTheReference(shape: [Int], transpose: [Bool]) {
        for kernel in [GEMM.Kernel.openBLAS, nil] {
            check(shape, transpose, leading: [2, 0, 1], alpha: 0.5, beta: 2, kernel: kernel)
        }
    }

    @Test func emptyProductsLeaveCAlone() {
        var c: [Float] = [1, 2, 3]
        GEMM.multiply([], [], &c, m: 0, n: 3, k: 4, kernel: .blocked)
        GEMM.multiply([], [], &c, m: 3, n: 0, k: 4, kernel: .blocked)
        #expect(c == [1, 2, 3])
    }
}

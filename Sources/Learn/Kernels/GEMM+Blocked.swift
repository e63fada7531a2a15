import Foundation

extension GEMM {
    /// Cache blocking for the micro-kernel on a Zen 4 core (32 KiB L1d, 1 MiB L2): a block of `depth` × `width`
    /// packed B (512 KiB) stays in L2 while each `depth` × 8 micro-panel of A (8 KiB) sits in L1. Depths 128–512
    /// and widths 256–1024 measured within noise of each other (±8% on a shared machine); this pair is in the
    /// middle. A is packed once per slice of k for up to `height` rows (whole micro-panels), which only bounds
    /// the workspace.
    enum Blocking {
        static let height = 512 * MicroKernel.rows
        static let depth = 256
        static let width = 512
    }

    /// The register-blocked multiply: C is cut into one rectangle per thread, and each task packs its own
    /// panels, so tasks share nothing but the read-only inputs.
    static func multiplyBlocked(
        _ a: Operand, _ b: Operand, _ c: UnsafeMutablePointer<Float>, ldc: Int,
        m: Int, n: Int, k: Int, alpha: Float, beta: Float,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        guard k > 0, alpha != 0 else { return scale(c, ldc: ldc, m: m, n: n, by: beta) }
        // Inside a parallel loop's iteration, which already has a core of its own.
        let grid = Grid(m: m, n: n, threads: Parallel.isNested ? 1 : threads)
        nonisolated(unsafe) let c = c
        @Sendable func task(_ index: Int) {
            let (rows, columns) = grid.rectangle(index)
            Workspace.with { workspace in
                multiplyRectangle(a, b, c, ldc: ldc, rows: rows, columns: columns, k: k,
                                  alpha: alpha, beta: beta, workspace: workspace)
            }
        }
        if grid.count == 1 {
            task(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: grid.count, execute: task)
        }
    }

    private static func multiplyRectangle(
        _ a: Operand, _ b: Operand, _ c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Range<Int>, columns: Range<Int>, k: Int, alpha: Float, beta: Float, workspace: Workspace
    ) {
        let height = MicroKernel.rows, width = MicroKernel.columns
        for blockTop in stride(from: rows.lowerBound, to: rows.upperBound, by: Blocking.height) {
            let blockRows = blockTop..<min(blockTop + Blocking.height, rows.upperBound)
            for start in stride(from: 0, to: k, by: Blocking.depth) {
                let depth = start..<min(start + Blocking.depth, k)
                packA(a, rows: blockRows, depth: depth, into: workspace.a)
                // Later slices of k add onto what the first one wrote.
                let sliceBeta = start == 0 ? beta : 1
                for blockLeft in stride(from: columns.lowerBound, to: columns.upperBound, by: Blocking.width) {
                    let blockColumns = blockLeft..<min(blockLeft + Blocking.width, columns.upperBound)
                    packB(b, columns: blockColumns, depth: depth, into: workspace.b)
                    for top in stride(from: 0, to: blockRows.count, by: height) {
                        for left in stride(from: 0, to: blockColumns.count, by: width) {
                            MicroKernel.run(
                                kc: depth.count, a: workspace.a + top * depth.count,
                                b: workspace.b + left * depth.count,
                                c: c + (blockTop + top) * ldc + blockLeft + left, ldc: ldc,
                                alpha: alpha, beta: sliceBeta, validRows: min(height, blockRows.count - top),
                                validColumns: min(width, blockColumns.count - left))
                        }
                    }
                }
            }
        }
    }

    /// C = beta · C, for k = 0 or alpha = 0, where BLAS reads neither A nor B.
    private static func scale(_ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, by beta: Float) {
        for row in 0..<m {
            let target = c + row * ldc
            for column in 0..<n { target[column] = beta == 0 ? 0 : beta * target[column] }
        }
    }
}

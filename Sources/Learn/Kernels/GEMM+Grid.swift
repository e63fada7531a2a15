extension GEMM {
    /// How C is cut among threads: `rowParts` × `columnParts` rectangles whose edges fall on micro-tile
    /// boundaries. Splitting rows makes every task pack the same columns of B, and splitting columns the
    /// same rows of A, so the cut weighs the slowest task's tiles against that duplicated packing.
    struct Grid {
        let m: Int, n: Int
        let rowParts: Int, columnParts: Int

        init(m: Int, n: Int, threads: Int) {
            let rowTiles = ceilDiv(m, MicroKernel.rows), columnTiles = ceilDiv(n, MicroKernel.columns)
            // One rectangle per thread: up to four per thread, taken as threads came free, measured no better
            // under another process's load and 5–10% slower without it, for the extra packing.
            let tasks = max(1, min(threads, rowTiles * columnTiles))
            var best = (rows: 1, columns: tasks, cost: Int.max)
            for rowParts in 1...tasks where tasks % rowParts == 0 {
                let columnParts = tasks / rowParts
                guard rowParts <= rowTiles, columnParts <= columnTiles else { continue }
                // Per step of k: FMAs of the largest rectangle's tiles, plus about 8 FMAs' time per value its
                // task packs (its rows of A and its columns of B).
                let fmas = ceilDiv(rowTiles, rowParts) * ceilDiv(columnTiles, columnParts)
                    * MicroKernel.rows * MicroKernel.columns
                let cost = fmas + 8 * (ceilDiv(m, rowParts) + ceilDiv(n, columnParts))
                if cost < best.cost { best = (rowParts, columnParts, cost) }
            }
            (self.m, self.n, rowParts, columnParts) = (m, n, best.rows, best.columns)
        }

        var count: Int { rowParts * columnParts }

        func rectangle(_ index: Int) -> (rows: Range<Int>, columns: Range<Int>) {
            (Self.part(index / columnParts, of: rowParts, length: m, unit: MicroKernel.rows),
             Self.part(index % columnParts, of: columnParts, length: n, unit: MicroKernel.columns))
        }

        /// Part `index` of `parts` near-equal runs of whole units covering 0..<length.
        private static func part(_ index: Int, of parts: Int, length: Int, unit: Int) -> Range<Int> {
            let units = ceilDiv(length, unit)
            let lower = min(length, (units * index / parts) * unit)
            let upper = min(length, (units * (index + 1) / parts) * unit)
            return lower..<upper
        }
    }
}

private func ceilDiv(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }

extension GEMM {
    /// How C is cut into tasks: `rowParts` × `columnParts` rectangles whose edges fall on micro-tile
    /// boundaries. Splitting rows makes every task pack the same columns of B, and splitting columns the
    /// same rows of A, so the cut weighs the slowest task's tiles against that duplicated packing.
    struct Grid {
        let m: Int, n: Int
        let rowParts: Int, columnParts: Int

        init(m: Int, n: Int, threads: Int) {
            let rowTiles = ceilDiv(m, MicroKernel.rows), columnTiles = ceilDiv(n, MicroKernel.columns)
            // Up to four rectangles per thread, taken as threads come free: a thread that another process
            // holds up leaves its share to the others instead of stalling the whole product. More rectangles
            // pack more, so the count stops where packing would pass 1/16 of the FMAs.
            var chosen = (rows: 1, columns: 1, cost: Int.max)
            for perThread in threads > 1 ? [4, 3, 2, 1] : [1] {
                let tasks = max(1, min(threads * perThread, rowTiles * columnTiles))
                var best = (rows: 1, columns: tasks, cost: Int.max, packing: 0)
                for rowParts in 1...tasks where tasks % rowParts == 0 {
                    let columnParts = tasks / rowParts
                    guard rowParts <= rowTiles, columnParts <= columnTiles else { continue }
                    // Per step of k: FMAs of the largest rectangle's tiles, plus about 8 FMAs' time per value
                    // its task packs (its rows of A and its columns of B).
                    let fmas = ceilDiv(rowTiles, rowParts) * ceilDiv(columnTiles, columnParts)
                        * MicroKernel.rows * MicroKernel.columns
                    let packing = 8 * (ceilDiv(m, rowParts) + ceilDiv(n, columnParts))
                    if fmas + packing < best.cost { best = (rowParts, columnParts, fmas + packing, packing) }
                }
                chosen = (best.rows, best.columns, best.cost)
                if best.packing * 16 <= best.cost { break }
            }
            (self.m, self.n, rowParts, columnParts) = (m, n, chosen.rows, chosen.columns)
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

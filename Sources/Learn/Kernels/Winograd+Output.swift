extension Winograd {
    typealias Row = SIMD16<Float>

    /// Aᵀ m A of every tile of m[p][channel][t] into y (N, channels, height, width) for `samples`, plus
    /// the channel's bias, then the residual's value at the same place and the activation, when given
    /// (`Epilogue`). Lanes take up to eight tiles along a tile row, so their two output rows are 16
    /// consecutive values each: stored, and finished, as whole vectors where the row has room for them,
    /// through a buffer where it does not (the last group of a row, and narrow planes). Storing tile by
    /// tile, value by value, had made this transform, with the epilogue, a fifth of ResNet-18's evaluation.
    static func transformOutput(_ m: UnsafePointer<Float>, _ layout: Matrices, channels: Int, samples: Range<Int>, _ grid: Grid,
                                bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil, activation: Activation? = nil,
                                into y: UnsafeMutablePointer<Float>) {
        let (height, width, stride) = (grid.height, grid.width, layout.stride)
        forEachOutputGroup(m, layout, channels: channels, samples: samples, grid) { channel, source, offset, oy, ox, count in
            let shift = Row(repeating: bias?[channel] ?? 0)
            func row(_ k: Int) -> (Lanes, Lanes, Lanes, Lanes) {
                (load(source + 4 * k * stride, count: count), load(source + (4 * k + 1) * stride, count: count),
                 load(source + (4 * k + 2) * stride, count: count), load(source + (4 * k + 3) * stride, count: count))
            }
            let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3))
            // Down the columns (Aᵀ m), then across each of the two rows (· A).
            let s0 = outputRows(r0.0, r1.0, r2.0, r3.0), s1 = outputRows(r0.1, r1.1, r2.1, r3.1)
            let s2 = outputRows(r0.2, r1.2, r2.2, r3.2), s3 = outputRows(r0.3, r1.3, r2.3, r3.3)
            let top = outputRows(s0.0, s1.0, s2.0, s3.0), bottom = outputRows(s0.1, s1.1, s2.1, s3.1)
            let valid = min(2 * count, width - ox)
            Epilogue.store(interleave(top.0, top.1) + shift, at: offset, valid: valid, y, residual: residual, activation: activation)
            if oy + 1 < height {
                Epilogue.store(interleave(bottom.0, bottom.1) + shift, at: offset + width, valid: valid, y, residual: residual,
                               activation: activation)
            }
        }
    }

    /// Runs `body(channel, source, offset, oy, ox, count)` for every group of up to `lanes` tiles of
    /// m[p][channel][t], channel by channel on the cores: `source` is the group's first tile in position
    /// 0's matrix, its top-left output is at (oy, ox) of its plane, `offset` in y (N, channels, height, width),
    /// and `count` tiles are real.
    static func forEachOutputGroup(_ m: UnsafePointer<Float>, _ layout: Matrices, channels: Int, samples: Range<Int>, _ grid: Grid,
                                   _ body: (Int, UnsafePointer<Float>, Int, Int, Int, Int) -> Void) {
        let (height, width, tile) = (grid.height, grid.width, grid.tile)
        Parallel.forRanges(channels, work: layout.count) { range in
            for channel in range {
                var source = m + channel * layout.ld
                for sample in samples {
                    for ty in 0..<grid.tilesHigh {
                        let oy = tile * ty
                        let rowOffset = ((sample * channels + channel) * height + oy) * width
                        for group in 0..<grid.groupsWide {
                            let (count, ox) = (min(lanes, grid.tilesWide - group * lanes), tile * lanes * group)
                            body(channel, source, rowOffset + ox, oy, ox, count)
                            source += count
                        }
                    }
                }
            }
        }
    }

    /// (a0, b0, a1, b1, …): the even and odd output columns of eight tiles, in order along the row.
    @inline(__always)
    static func interleave(_ a: Lanes, _ b: Lanes) -> Row {
        Row(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    }
}

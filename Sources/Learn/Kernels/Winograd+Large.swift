/// The transforms of F(4×4, 3×3) (Lavin and Gray, 2015, interpolating at 0, ±1, ±2 and ∞), which
/// evaluation runs instead of F(2×2, 3×3): a 4×4 tile of output costs 36 multiplications per pair of
/// channels where F(2×2) costs 64 and direct convolution 144, so the products, most of a ResNet's time,
/// shrink another 1.8×. Its larger constants cost precision (relative errors near 1e-5 in float, where
/// F(2×2) is near 1e-6), which evaluation can spend but training, whose gradients sum over many steps,
/// is not asked to. Transformed tensors are laid out [36][channels][tiles]; image-side transforms take
/// eight tiles of a tile row at a time, one per lane, as F(2×2)'s do: a group's six columns are every
/// fourth value of a padded row from columns 0 to 5.
extension Winograd {
    /// Bᵀ r for a 6-vector: the rows of Bᵀ are (4 0 −5 0 1 0), (0 −4 −4 1 1 0), (0 4 −4 −1 1 0),
    /// (0 −2 −1 2 1 0), (0 2 −1 −2 1 0), (0 4 0 −5 0 1).
    @inline(__always)
    static func largeInputRows(_ d: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let (d0, d1, d2, d3, d4, d5) = d
        let (sum12, difference12) = (d1 + d2, d1 - d2)
        let (sum34, difference42) = (d3 + d4, d4 - d2)
        return (4 * d0 - 5 * d2 + d4, sum34 - 4 * sum12, (d4 - d3) + 4 * difference12,
                difference42 + 2 * (d3 - d1), difference42 - 2 * (d3 - d1), 4 * d1 - 5 * d3 + d5)
    }

    /// Aᵀ r for a 6-vector: the rows of Aᵀ are (1 1 1 1 1 0), (0 1 −1 2 −2 0), (0 1 1 4 4 0), (0 1 −1 8 −8 1).
    @inline(__always)
    static func largeOutputRows(_ m: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes, Lanes) {
        let (m0, m1, m2, m3, m4, m5) = m
        let (sum12, difference12, sum34, difference34) = (m1 + m2, m1 - m2, m3 + m4, m3 - m4)
        return (m0 + sum12 + sum34, difference12 + 2 * difference34, sum12 + 4 * sum34, difference12 + 8 * difference34 + m5)
    }

    /// G r for a 3-vector: the rows of G are (¼ 0 0), (−⅙ −⅙ −⅙), (−⅙ ⅙ −⅙), (1⁄24 1⁄12 ⅙), (1⁄24 −1⁄12 ⅙), (0 0 1).
    @inline(__always)
    static func largeKernelRows(_ g0: Lanes, _ g1: Lanes, _ g2: Lanes) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let (outer, quarter) = (g0 + g2, g0 * 0.25)
        let side = quarter * (1.0 / 6) + g2 * (1.0 / 6)
        return (quarter, (outer + g1) * (-1.0 / 6), (outer - g1) * (-1.0 / 6), side + g1 * (1.0 / 12), side - g1 * (1.0 / 12), g2)
    }

    /// G g Gᵀ of every 3×3 kernel of w (outChannels, inChannels, 3, 3) into u[p][o][c], p = 6i + j.
    static func transformLargeKernels(_ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                                      into u: UnsafeMutablePointer<Float>, _ layout: Matrices) {
        let stride = layout.stride
        forEachKernelGroup(w, into: u, outChannels: outChannels, inChannels: inChannels, layout, work: 60) { tap, out in
            // Down the columns (G g), then across each of the six rows (· Gᵀ).
            let c0 = largeKernelRows(tap(0), tap(3), tap(6)), c1 = largeKernelRows(tap(1), tap(4), tap(7))
            let c2 = largeKernelRows(tap(2), tap(5), tap(8))
            storeLarge(largeKernelRows(c0.0, c1.0, c2.0), at: out, stride: stride)
            storeLarge(largeKernelRows(c0.1, c1.1, c2.1), at: out + 6 * stride, stride: stride)
            storeLarge(largeKernelRows(c0.2, c1.2, c2.2), at: out + 12 * stride, stride: stride)
            storeLarge(largeKernelRows(c0.3, c1.3, c2.3), at: out + 18 * stride, stride: stride)
            storeLarge(largeKernelRows(c0.4, c1.4, c2.4), at: out + 24 * stride, stride: stride)
            storeLarge(largeKernelRows(c0.5, c1.5, c2.5), at: out + 30 * stride, stride: stride)
        }
    }

    /// Bᵀ d B of every 6×6 tile of `samples` of x (N, channels, height, width), zero outside the image,
    /// into v[p][channel][t]. Tile (ty, tx) starts at row 4·ty − 1, column 4·tx − 1.
    static func transformLargeInput(_ x: UnsafePointer<Float>, channels: Int, samples: Range<Int>, _ grid: Grid,
                                    into v: UnsafeMutablePointer<Float>, _ layout: Matrices) {
        forEachGroup(x, channels: channels, samples: samples, grid, layout, rows: 6, firstRow: -1, phases: 4, into: v) { rows, base, out, _ in
            // Across each row first (d B): column j of lane l is padded value 4l + j of the group, in phase j % 4.
            func across(_ i: Int) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
                func column(_ j: Int) -> Lanes { UnsafeRawPointer(rows[i, j % 4] + base + j / 4).loadUnaligned(as: Lanes.self) }
                return largeInputRows((column(0), column(1), column(2), column(3), column(4), column(5)))
            }
            let e = (across(0), across(1), across(2), across(3), across(4), across(5))
            // Then down each column (Bᵀ ·): position 6m + k is row m of column k. All eight lanes are
            // stored: those past the group's tiles are overwritten by the next group's, or lie in the padding.
            let (stride, down) = (layout.stride, 6 * layout.stride)
            storeLarge(largeInputRows((e.0.0, e.1.0, e.2.0, e.3.0, e.4.0, e.5.0)), at: out, stride: down)
            storeLarge(largeInputRows((e.0.1, e.1.1, e.2.1, e.3.1, e.4.1, e.5.1)), at: out + stride, stride: down)
            storeLarge(largeInputRows((e.0.2, e.1.2, e.2.2, e.3.2, e.4.2, e.5.2)), at: out + 2 * stride, stride: down)
            storeLarge(largeInputRows((e.0.3, e.1.3, e.2.3, e.3.3, e.4.3, e.5.3)), at: out + 3 * stride, stride: down)
            storeLarge(largeInputRows((e.0.4, e.1.4, e.2.4, e.3.4, e.4.4, e.5.4)), at: out + 4 * stride, stride: down)
            storeLarge(largeInputRows((e.0.5, e.1.5, e.2.5, e.3.5, e.4.5, e.5.5)), at: out + 5 * stride, stride: down)
        }
    }

    /// Aᵀ m A of every tile of m[p][channel][t] into y (N, channels, height, width) for `samples`, with the
    /// channel's bias and the epilogue, as `transformOutput` does for F(2×2): a group's four output rows are
    /// 32 consecutive values each, stored as two vectors.
    static func transformLargeOutput(_ m: UnsafePointer<Float>, _ layout: Matrices, channels: Int, samples: Range<Int>, _ grid: Grid,
                                     bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, activation: Activation?,
                                     into y: UnsafeMutablePointer<Float>) {
        let (height, width, stride) = (grid.height, grid.width, layout.stride)
        forEachOutputGroup(m, layout, channels: channels, samples: samples, grid) { channel, source, offset, oy, ox, count in
            let shift = Row(repeating: bias?[channel] ?? 0)
            // All eight lanes are read, past the group's tiles from the next group's or the padding: what
            // they make is never stored.
            func row(_ k: Int) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
                func at(_ j: Int) -> Lanes { UnsafeRawPointer(source + (6 * k + j) * stride).loadUnaligned(as: Lanes.self) }
                return (at(0), at(1), at(2), at(3), at(4), at(5))
            }
            let r = (row(0), row(1), row(2), row(3), row(4), row(5))
            // Down the columns (Aᵀ m), then across each of the four rows (· A).
            let s0 = largeOutputRows((r.0.0, r.1.0, r.2.0, r.3.0, r.4.0, r.5.0)), s1 = largeOutputRows((r.0.1, r.1.1, r.2.1, r.3.1, r.4.1, r.5.1))
            let s2 = largeOutputRows((r.0.2, r.1.2, r.2.2, r.3.2, r.4.2, r.5.2)), s3 = largeOutputRows((r.0.3, r.1.3, r.2.3, r.3.3, r.4.3, r.5.3))
            let s4 = largeOutputRows((r.0.4, r.1.4, r.2.4, r.3.4, r.4.4, r.5.4)), s5 = largeOutputRows((r.0.5, r.1.5, r.2.5, r.3.5, r.4.5, r.5.5))
            let valid = min(4 * count, width - ox)
            func store(_ o: (Lanes, Lanes, Lanes, Lanes), row: Int) {
                guard oy + row < height else { return }
                // Lane l's four columns go to 4l ... 4l + 3.
                let (front, back) = interleaveRows(interleave(o.0, o.2), interleave(o.1, o.3))
                Epilogue.store(front + shift, at: offset + row * width, valid: min(16, valid), y, residual: residual, activation: activation)
                Epilogue.store(back + shift, at: offset + row * width + 16, valid: valid - 16, y, residual: residual, activation: activation)
            }
            store(largeOutputRows((s0.0, s1.0, s2.0, s3.0, s4.0, s5.0)), row: 0)
            store(largeOutputRows((s0.1, s1.1, s2.1, s3.1, s4.1, s5.1)), row: 1)
            store(largeOutputRows((s0.2, s1.2, s2.2, s3.2, s4.2, s5.2)), row: 2)
            store(largeOutputRows((s0.3, s1.3, s2.3, s3.3, s4.3, s5.3)), row: 3)
        }
    }

    /// (a0, b0, a1, b1, …) of two rows of 16, as its first and last 16 values.
    @inline(__always)
    private static func interleaveRows(_ a: Row, _ b: Row) -> (Row, Row) {
        (Row(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]),
         Row(a[8], b[8], a[9], b[9], a[10], b[10], a[11], b[11], a[12], b[12], a[13], b[13], a[14], b[14], a[15], b[15]))
    }

    /// Six positions of eight tiles, `stride` apart, every lane.
    @inline(__always)
    private static func storeLarge(_ v: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes), at out: UnsafeMutablePointer<Float>, stride: Int) {
        let out = UnsafeMutableRawPointer(out)
        out.storeBytes(of: v.0, as: Lanes.self)
        (out + 4 * stride).storeBytes(of: v.1, as: Lanes.self)
        (out + 8 * stride).storeBytes(of: v.2, as: Lanes.self)
        (out + 12 * stride).storeBytes(of: v.3, as: Lanes.self)
        (out + 16 * stride).storeBytes(of: v.4, as: Lanes.self)
        (out + 20 * stride).storeBytes(of: v.5, as: Lanes.self)
    }
}

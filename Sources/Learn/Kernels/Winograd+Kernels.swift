/// The kernel side of F(2×2, 3×3): G g Gᵀ for the products, Gᵀ du G for the weight gradient. Both take
/// eight kernels of one output channel at a time, one per lane, so that each position's values for
/// them are one contiguous vector of its matrix row.
extension Winograd {
    /// G r for a 3-vector: the rows of G are (1 0 0), (½ ½ ½), (½ −½ ½), (0 0 1).
    @inline(__always)
    static func kernelRows(_ r0: Lanes, _ r1: Lanes, _ r2: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
        (r0, (r0 + r1 + r2) * 0.5, (r0 - r1 + r2) * 0.5, r2)
    }

    /// Gᵀ s for a 4-vector, the adjoint of `kernelRows`.
    @inline(__always)
    static func kernelAdjoint(_ s0: Lanes, _ s1: Lanes, _ s2: Lanes, _ s3: Lanes) -> (Lanes, Lanes, Lanes) {
        (s0 + (s1 + s2) * 0.5, (s1 - s2) * 0.5, (s1 + s2) * 0.5 + s3)
    }

    /// G g Gᵀ of every 3×3 kernel of w (outChannels, inChannels, 3, 3) into u[p][o][c].
    static func transformKernels(_ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                                 into u: UnsafeMutablePointer<Float>, _ layout: Matrices) {
        let stride = layout.stride
        forEachKernelGroup(w, into: u, outChannels: outChannels, inChannels: inChannels, layout, work: 25) { tap, out in
            // Down the columns (G g), then across each of the four rows (· Gᵀ).
            let c0 = kernelRows(tap(0), tap(3), tap(6)), c1 = kernelRows(tap(1), tap(4), tap(7)), c2 = kernelRows(tap(2), tap(5), tap(8))
            store(kernelRows(c0.0, c1.0, c2.0), at: out, stride: stride, count: lanes)
            store(kernelRows(c0.1, c1.1, c2.1), at: out + 4 * stride, stride: stride, count: lanes)
            store(kernelRows(c0.2, c1.2, c2.2), at: out + 8 * stride, stride: stride, count: lanes)
            store(kernelRows(c0.3, c1.3, c2.3), at: out + 12 * stride, stride: stride, count: lanes)
        }
    }

    /// Runs `body(tap, out)` for every eight kernels of one output channel, one per lane, on the cores: `tap(k)`
    /// is tap k (row-major) of each lane's kernel, zero past the input channels, and `out` where the lanes'
    /// position-0 values go in u[p][o][c]. Every lane is stored; those past the channels land in the rows' padding.
    static func forEachKernelGroup(_ w: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>, outChannels: Int, inChannels: Int,
                                   _ layout: Matrices, work: Int, _ body: ((Int) -> Lanes, UnsafeMutablePointer<Float>) -> Void) {
        Parallel.forRanges(outChannels, work: work * outChannels * inChannels) { range in
            for o in range {
                for first in Swift.stride(from: 0, to: inChannels, by: lanes) {
                    let count = min(lanes, inChannels - first), kernels = w + 9 * (o * inChannels + first)
                    // Lane i reads kernels[9·i + k].
                    func tap(_ k: Int) -> Lanes {
                        var v = Lanes()
                        for lane in 0..<count { v[lane] = kernels[9 * lane + k] }
                        return v
                    }
                    body(tap, u + o * layout.ld + first)
                }
            }
        }
    }

    /// Gᵀ du G of every kernel's 4×4 gradient du[p][o][c] into dw (outChannels, inChannels, 3, 3).
    static func kernelGradients(_ du: UnsafePointer<Float>, _ layout: Matrices, outChannels: Int, inChannels: Int,
                                into dw: UnsafeMutablePointer<Float>) {
        let stride = layout.stride
        Parallel.forRanges(outChannels, work: 25 * outChannels * inChannels) { range in
            for o in range {
                for first in Swift.stride(from: 0, to: inChannels, by: lanes) {
                    let count = min(lanes, inChannels - first), source = du + o * layout.ld + first
                    func position(_ p: Int) -> Lanes { load(source + p * stride, count: count) }
                    func column(_ l: Int) -> (Lanes, Lanes, Lanes) {
                        kernelAdjoint(position(l), position(4 + l), position(8 + l), position(12 + l))
                    }
                    // Down the columns (Gᵀ du), then across each of the three rows (· G).
                    let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
                    let rows = (kernelAdjoint(c0.0, c1.0, c2.0, c3.0), kernelAdjoint(c0.1, c1.1, c2.1, c3.1),
                                kernelAdjoint(c0.2, c1.2, c2.2, c3.2))
                    let kernels = dw + 9 * (o * inChannels + first)
                    for lane in 0..<count {
                        let g = kernels + 9 * lane
                        (g[0], g[1], g[2]) = (rows.0.0[lane], rows.0.1[lane], rows.0.2[lane])
                        (g[3], g[4], g[5]) = (rows.1.0[lane], rows.1.1[lane], rows.1.2[lane])
                        (g[6], g[7], g[8]) = (rows.2.0[lane], rows.2.1[lane], rows.2.2[lane])
                    }
                }
            }
        }
    }
}

/// The kernel side of F(2×2, 3×3): G g Gᵀ for the products, Gᵀ du G for the weight gradient.
extension Winograd {
    /// G r for a 3-vector: the rows of G are (1 0 0), (½ ½ ½), (½ −½ ½), (0 0 1).
    @inline(__always)
    static func kernelRows(_ r0: Float, _ r1: Float, _ r2: Float) -> (Float, Float, Float, Float) {
        (r0, (r0 + r1 + r2) * 0.5, (r0 - r1 + r2) * 0.5, r2)
    }

    /// Gᵀ s for a 4-vector, the adjoint of `kernelRows`.
    @inline(__always)
    static func kernelAdjoint(_ s0: Float, _ s1: Float, _ s2: Float, _ s3: Float) -> (Float, Float, Float) {
        (s0 + (s1 + s2) * 0.5, (s1 - s2) * 0.5, (s1 + s2) * 0.5 + s3)
    }

    /// G g Gᵀ of every 3×3 kernel of w (outChannels, inChannels, 3, 3) into u[p][o][c].
    static func transformKernels(_ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                                 into u: UnsafeMutablePointer<Float>, _ layout: Matrices) {
        let (count, stride) = (outChannels * inChannels, layout.stride)
        Parallel.forRanges(count, work: 25 * count) { range in
            for index in range {
                let g = w + 9 * index
                // Down the columns (G g), then across each of the four rows (· Gᵀ).
                let c0 = kernelRows(g[0], g[3], g[6]), c1 = kernelRows(g[1], g[4], g[7]), c2 = kernelRows(g[2], g[5], g[8])
                let out = u + index / inChannels * layout.ld + index % inChannels
                put(kernelRows(c0.0, c1.0, c2.0), at: out, stride: stride)
                put(kernelRows(c0.1, c1.1, c2.1), at: out + 4 * stride, stride: stride)
                put(kernelRows(c0.2, c1.2, c2.2), at: out + 8 * stride, stride: stride)
                put(kernelRows(c0.3, c1.3, c2.3), at: out + 12 * stride, stride: stride)
            }
        }
    }

    /// Gᵀ du G of every kernel's 4×4 gradient du[p][o][c], added onto dw (outChannels, inChannels, 3, 3).
    static func accumulateKernelGradients(_ du: UnsafePointer<Float>, _ layout: Matrices, outChannels: Int, inChannels: Int,
                                          into dw: UnsafeMutablePointer<Float>) {
        let (count, stride) = (outChannels * inChannels, layout.stride)
        Parallel.forRanges(count, work: 25 * count) { range in
            for index in range {
                let s = du + index / inChannels * layout.ld + index % inChannels
                func column(_ l: Int) -> (Float, Float, Float) {
                    kernelAdjoint(s[l * stride], s[(4 + l) * stride], s[(8 + l) * stride], s[(12 + l) * stride])
                }
                // Down the columns (Gᵀ du), then across each of the three rows (· G).
                let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
                let g = dw + 9 * index
                func add(_ v: (Float, Float, Float), row i: Int) {
                    g[3 * i] += v.0
                    g[3 * i + 1] += v.1
                    g[3 * i + 2] += v.2
                }
                add(kernelAdjoint(c0.0, c1.0, c2.0, c3.0), row: 0)
                add(kernelAdjoint(c0.1, c1.1, c2.1, c3.1), row: 1)
                add(kernelAdjoint(c0.2, c1.2, c2.2, c3.2), row: 2)
            }
        }
    }

    @inline(__always)
    private static func put(_ v: (Float, Float, Float, Float), at out: UnsafeMutablePointer<Float>, stride: Int) {
        out[0] = v.0
        out[stride] = v.1
        out[2 * stride] = v.2
        out[3 * stride] = v.3
    }
}

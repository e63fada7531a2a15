extension GEMM {
    /// One operand as stored, row-major with leading dimension `ld`: element (i, p) of op(X) is at
    /// `base[i·ld + p]`, or `base[p·ld + i]` when `transposed`. Packing reads it either way, so the kernel
    /// sees one layout whatever the transposes and leading dimensions were.
    struct Operand: @unchecked Sendable {
        let base: UnsafePointer<Float>
        let ld: Int
        let transposed: Bool
        /// For B: a convolution's input read as its im2col matrix, which packing lowers panel by panel
        /// (`Conv2D.Lowering`) instead of reading `base`.
        var lowering: Conv2D.Lowering? = nil

        init(base: UnsafePointer<Float>, ld: Int, transposed: Bool) {
            (self.base, self.ld, self.transposed) = (base, ld, transposed)
        }

        init(lowering: Conv2D.Lowering) {
            (base, ld, transposed, self.lowering) = (lowering.input, 0, false, lowering)
        }
    }

    /// Rows `rows` × depth `depth` of op(A) into micro-panels of `MicroKernel.rows` rows, each k-major (step p
    /// holds one value per row), zeros past the last valid row so edge tiles need no special kernel.
    /// Writes up to 8 floats past the last panel (`Workspace` leaves room).
    static func packA(_ a: Operand, rows: Range<Int>, depth: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
        let height = MicroKernel.rows, kc = depth.count
        for top in Swift.stride(from: rows.lowerBound, to: rows.upperBound, by: height) {
            let valid = min(height, rows.upperBound - top)
            let panel = panels + (top - rows.lowerBound) * kc
            if a.transposed {
                // Step p of the panel is a contiguous run of row p of the stored matrix.
                for p in 0..<kc {
                    let source = a.base + (depth.lowerBound + p) * a.ld + top
                    let target = panel + p * height
                    if valid == height {
                        for r in Swift.stride(from: 0, to: height, by: 8) {
                            UnsafeMutableRawPointer(target + r).storeBytes(
                                of: UnsafeRawPointer(source + r).loadUnaligned(as: SIMD8<Float>.self),
                                as: SIMD8<Float>.self)
                        }
                    } else {
                        for r in 0..<valid { target[r] = source[r] }
                        for r in valid..<height { target[r] = 0 }
                    }
                }
                continue
            }
            // Each stored row runs along k: transpose 16 steps at a time. A 16-lane store at step p spills into
            // step p + 1, which the next store overwrites, so stores go in increasing p.
            let source = a.base + top * a.ld + depth.lowerBound
            var p = 0
            while p + 16 <= kc {
                transpose16(source + p, stride: a.ld, count: valid) { step, column in
                    UnsafeMutableRawPointer(panel + (p + step) * height).storeBytes(of: column, as: SIMD16<Float>.self)
                }
                p += 16
            }
            for step in p..<kc {
                for r in 0..<valid { panel[step * height + r] = source[r * a.ld + step] }
                for r in valid..<height { panel[step * height + r] = 0 }
            }
        }
    }

    /// Depth `depth` × columns `columns` of op(B) into consecutive micro-panels of `MicroKernel.columns`,
    /// each k-major (step p holds one row of the panel), the last padded with zero columns.
    static func packB(
        _ b: Operand, columns: Range<Int>, depth: Range<Int>, into panels: UnsafeMutablePointer<Float>
    ) {
        if let lowering = b.lowering { return lowering.pack(columns: columns, depth: depth, into: panels) }
        let width = MicroKernel.columns, kc = depth.count
        for start in Swift.stride(from: 0, to: columns.count, by: width) {
            let valid = min(width, columns.count - start)
            let panel = panels + start * kc
            let first = columns.lowerBound + start
            if b.transposed {
                // Stored rows run along k, as in packA: 16 columns × 16 steps at a time.
                for half in Swift.stride(from: 0, to: width, by: 16) {
                    let source = b.base + (first + half) * b.ld + depth.lowerBound
                    let count = max(0, min(16, valid - half))
                    var p = 0
                    while p + 16 <= kc {
                        transpose16(source + p, stride: b.ld, count: count) { step, column in
                            UnsafeMutableRawPointer(panel + (p + step) * width + half)
                                .storeBytes(of: column, as: SIMD16<Float>.self)
                        }
                        p += 16
                    }
                    for step in p..<kc {
                        for j in 0..<16 { panel[step * width + half + j] = j < count ? source[j * b.ld + step] : 0 }
                    }
                }
            } else if valid == width {
                for p in 0..<kc {
                    let source = b.base + (depth.lowerBound + p) * b.ld + first
                    let target = UnsafeMutableRawPointer(panel + p * width)
                    target.storeBytes(of: MicroKernel.load(source), as: SIMD16<Float>.self)
                    target.storeBytes(of: MicroKernel.load(source + 16), toByteOffset: 64, as: SIMD16<Float>.self)
                }
            } else {
                for p in 0..<kc {
                    let source = b.base + (depth.lowerBound + p) * b.ld + first
                    let target = panel + p * width
                    for j in 0..<valid { target[j] = source[j] }
                    for j in valid..<width { target[j] = 0 }
                }
            }
        }
    }
}

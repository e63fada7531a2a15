extension GEMM {
    /// The register tile: 12 rows of C by two 16-float vectors, 24 accumulators that stay in zmm registers
    /// (AVX-512 has 32). Each step of k loads two vectors of packed B and broadcasts 12 values of packed A,
    /// so the loads per FMA stay low enough for two FMAs a cycle.
    enum MicroKernel {
        static let rows = 12
        static let columns = 32

        /// C tile += alpha · Ã (rows × kc, packed k-major) · B̃ (kc × columns, packed k-major), written to the
        /// `validRows` × `validColumns` corner of `c`; `beta` scales what C held (0 never reads it).
        @inline(__always)
        static func run(
            kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
            c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, validRows: Int, validColumns: Int
        ) {
            var c0x0 = SIMD16<Float>(), c0x1 = SIMD16<Float>()
            var c1x0 = SIMD16<Float>(), c1x1 = SIMD16<Float>()
            var c2x0 = SIMD16<Float>(), c2x1 = SIMD16<Float>()
            var c3x0 = SIMD16<Float>(), c3x1 = SIMD16<Float>()
            var c4x0 = SIMD16<Float>(), c4x1 = SIMD16<Float>()
            var c5x0 = SIMD16<Float>(), c5x1 = SIMD16<Float>()
            var c6x0 = SIMD16<Float>(), c6x1 = SIMD16<Float>()
            var c7x0 = SIMD16<Float>(), c7x1 = SIMD16<Float>()
            var c8x0 = SIMD16<Float>(), c8x1 = SIMD16<Float>()
            var c9x0 = SIMD16<Float>(), c9x1 = SIMD16<Float>()
            var c10x0 = SIMD16<Float>(), c10x1 = SIMD16<Float>()
            var c11x0 = SIMD16<Float>(), c11x1 = SIMD16<Float>()
            var a = a, b = b
            for _ in 0..<kc {
                let b0 = load(b), b1 = load(b + 16)
                let a0 = a[0]; c0x0.addProduct(a0, b0); c0x1.addProduct(a0, b1)
                let a1 = a[1]; c1x0.addProduct(a1, b0); c1x1.addProduct(a1, b1)
                let a2 = a[2]; c2x0.addProduct(a2, b0); c2x1.addProduct(a2, b1)
                let a3 = a[3]; c3x0.addProduct(a3, b0); c3x1.addProduct(a3, b1)
                let a4 = a[4]; c4x0.addProduct(a4, b0); c4x1.addProduct(a4, b1)
                let a5 = a[5]; c5x0.addProduct(a5, b0); c5x1.addProduct(a5, b1)
                let a6 = a[6]; c6x0.addProduct(a6, b0); c6x1.addProduct(a6, b1)
                let a7 = a[7]; c7x0.addProduct(a7, b0); c7x1.addProduct(a7, b1)
                let a8 = a[8]; c8x0.addProduct(a8, b0); c8x1.addProduct(a8, b1)
                let a9 = a[9]; c9x0.addProduct(a9, b0); c9x1.addProduct(a9, b1)
                let a10 = a[10]; c10x0.addProduct(a10, b0); c10x1.addProduct(a10, b1)
                let a11 = a[11]; c11x0.addProduct(a11, b0); c11x1.addProduct(a11, b1)
                a += 12
                b += 32
            }
            if validRows == 12 && validColumns == 32 {
                store(c0x0, c0x1, to: c + 0 * ldc, alpha: alpha, beta: beta)
                store(c1x0, c1x1, to: c + 1 * ldc, alpha: alpha, beta: beta)
                store(c2x0, c2x1, to: c + 2 * ldc, alpha: alpha, beta: beta)
                store(c3x0, c3x1, to: c + 3 * ldc, alpha: alpha, beta: beta)
                store(c4x0, c4x1, to: c + 4 * ldc, alpha: alpha, beta: beta)
                store(c5x0, c5x1, to: c + 5 * ldc, alpha: alpha, beta: beta)
                store(c6x0, c6x1, to: c + 6 * ldc, alpha: alpha, beta: beta)
                store(c7x0, c7x1, to: c + 7 * ldc, alpha: alpha, beta: beta)
                store(c8x0, c8x1, to: c + 8 * ldc, alpha: alpha, beta: beta)
                store(c9x0, c9x1, to: c + 9 * ldc, alpha: alpha, beta: beta)
                store(c10x0, c10x1, to: c + 10 * ldc, alpha: alpha, beta: beta)
                store(c11x0, c11x1, to: c + 11 * ldc, alpha: alpha, beta: beta)
            } else {
                withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * columns) { tile in
                    let t = tile.baseAddress!
                    save(c0x0, c0x1, to: t + 0 * 32)
                    save(c1x0, c1x1, to: t + 1 * 32)
                    save(c2x0, c2x1, to: t + 2 * 32)
                    save(c3x0, c3x1, to: t + 3 * 32)
                    save(c4x0, c4x1, to: t + 4 * 32)
                    save(c5x0, c5x1, to: t + 5 * 32)
                    save(c6x0, c6x1, to: t + 6 * 32)
                    save(c7x0, c7x1, to: t + 7 * 32)
                    save(c8x0, c8x1, to: t + 8 * 32)
                    save(c9x0, c9x1, to: t + 9 * 32)
                    save(c10x0, c10x1, to: t + 10 * 32)
                    save(c11x0, c11x1, to: t + 11 * 32)
                    storePart(t, to: c, ldc: ldc, alpha: alpha, beta: beta, rows: validRows, columns: validColumns)
                }
            }
        }
    }
}

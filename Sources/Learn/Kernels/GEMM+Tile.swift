extension GEMM.MicroKernel {
    /// Unaligned loads and stores: packed panels are aligned, but rows of C start wherever `ldc` puts them.
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// One full row of the tile into C; beta = 0 writes without reading, since C may hold NaN.
    @inline(__always)
    static func store(
        _ low: SIMD16<Float>, _ high: SIMD16<Float>, to row: UnsafeMutablePointer<Float>, alpha: Float, beta: Float
    ) {
        var low = low * alpha, high = high * alpha
        if beta != 0 {
            low.addProduct(beta, load(row))
            high.addProduct(beta, load(row + 16))
        }
        UnsafeMutableRawPointer(row).storeBytes(of: low, as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(row + 16).storeBytes(of: high, as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func save(_ low: SIMD16<Float>, _ high: SIMD16<Float>, to row: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(row).storeBytes(of: low, as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(row + 16).storeBytes(of: high, as: SIMD16<Float>.self)
    }

    /// The edge of C: the kernel ran on zero padding past the valid rows and columns, and only the valid
    /// corner of its tile (saved row by row, `columns` apart) is written back.
    @inline(never)
    static func storePart(
        _ tile: UnsafePointer<Float>, to c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float, beta: Float, rows: Int, columns: Int
    ) {
        for row in 0..<rows {
            let source = tile + row * Self.columns, target = c + row * ldc
            if beta == 0 {
                for column in 0..<columns { target[column] = alpha * source[column] }
            } else {
                for column in 0..<columns { target[column] = alpha * source[column] + beta * target[column] }
            }
        }
    }
}

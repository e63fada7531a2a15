extension GEMM {
    /// Transposes a 16 × 16 block held in registers: `count` rows of 16 floats, `stride` apart from `source`
    /// (rows past `count` read as zeros), come out as 16 columns handed to `store` in order. Four rounds of
    /// unzipping row pairs rotate the (row, column) index bits by four, which is the transpose, and each
    /// round compiles to vector shuffles, about a third of a cycle per element against one for scalar copies.
    @inline(__always)
    static func transpose16(
        _ source: UnsafePointer<Float>, stride: Int, count: Int, _ store: (Int, SIMD16<Float>) -> Void
    ) {
        func row(_ index: Int) -> SIMD16<Float> {
            index < count ? MicroKernel.load(source + index * stride) : SIMD16()
        }
        var (r0, r1, r2, r3, r4, r5, r6, r7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        var (r8, r9, r10, r11, r12, r13) = (row(8), row(9), row(10), row(11), row(12), row(13))
        var (r14, r15) = (row(14), row(15))
        for _ in 0..<4 {
            let (s0, s8) = unzip(r0, r1), (s1, s9) = unzip(r2, r3), (s2, s10) = unzip(r4, r5)
            let (s3, s11) = unzip(r6, r7), (s4, s12) = unzip(r8, r9), (s5, s13) = unzip(r10, r11)
            let (s6, s14) = unzip(r12, r13), (s7, s15) = unzip(r14, r15)
            (r0, r1, r2, r3, r4, r5, r6, r7) = (s0, s1, s2, s3, s4, s5, s6, s7)
            (r8, r9, r10, r11, r12, r13, r14, r15) = (s8, s9, s10, s11, s12, s13, s14, s15)
        }
        store(0, r0); store(1, r1); store(2, r2); store(3, r3); store(4, r4); store(5, r5); store(6, r6)
        store(7, r7); store(8, r8); store(9, r9); store(10, r10); store(11, r11); store(12, r12)
        store(13, r13); store(14, r14); store(15, r15)
    }

    /// The even elements of x then y, and the odd ones.
    @inline(__always)
    private static func unzip(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        (SIMD16(lowHalf: x.evenHalf, highHalf: y.evenHalf), SIMD16(lowHalf: x.oddHalf, highHalf: y.oddHalf))
    }
}

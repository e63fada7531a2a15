import CBLAS

/// Dense matrix multiply, the kernel under Linear and im2col convolution.
public enum GEMM {
    /// Which implementation runs a product.
    public enum Kernel: Sendable {
        /// Ours: packed panels, cache blocking and an 8 × 32 SIMD16 register tile, threaded over blocks of C.
        case blocked
        /// Debian's OpenBLAS `cblas_sgemm`.
        case openBLAS
    }

    /// c = alpha · op(a) · op(b) + beta · c, row-major. op(a) is (m, k), op(b) is (k, n), c is (m, n);
    /// a is stored (k, m) when `transposeA`, b is stored (n, k) when `transposeB`. The leading dimensions are
    /// the stored row lengths (the dense ones when nil), so a block of a larger matrix can take part; C outside
    /// the m × n block is never touched. beta = 0 never reads c (it may hold NaN); beta = 1 accumulates, which
    /// backward uses for gradients. `kernel` forces an implementation (tests, benchmarks); nil follows
    /// `kernel(m:n:k:)`.
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0,
        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil,
        kernel: Kernel? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size m \(m) n \(n) k \(k)")
        // BLAS rejects a leading dimension of 0 even for empty matrices.
        let lda = lda ?? max(1, transposeA ? m : k)
        let ldb = ldb ?? max(1, transposeB ? k : n)
        let ldc = ldc ?? max(1, n)
        precondition(lda >= max(1, transposeA ? m : k) && ldb >= max(1, transposeB ? k : n) && ldc >= max(1, n),
                     "GEMM leading dimensions lda \(lda) ldb \(ldb) ldc \(ldc) below the row lengths")
        guard m > 0, n > 0 else { return }
        switch kernel ?? Self.kernel(m: m, n: n, k: k) {
        case .blocked:
            multiplyBlocked(Operand(base: a, ld: lda, transposed: transposeA),
                            Operand(base: b, ld: ldb, transposed: transposeB),
                            c, ldc: ldc, m: m, n: n, k: k, alpha: alpha, beta: beta)
        case .openBLAS:
            cblas_sgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        }
    }

    /// The dispatch rule: the blocked kernel where it measured faster, OpenBLAS elsewhere.
    ///
    /// - Only in builds whose code generation targets AVX-512 with FMA (`-march=native` or `-target-cpu
    ///   native` on such a CPU). Elsewhere SIMD16 splits into narrower vectors or, without FMA, one libm
    ///   `fmaf` call per lane: correct (the tests run it in debug builds) but many times slower than OpenBLAS.
    /// - Only from m·n·k ≥ 2²⁴. Single-threaded on the 2-core Zen 4 development machine, OpenBLAS 0.3.21 took
    ///   35 µs for 128³ against our 42 µs and 181 µs for 200³ against 210 µs, while ours took 343 µs for 256³
    ///   against 392 µs, and 4–20% less on every ResNet-18 convolution product (the smallest are exactly 2²⁴).
    /// - Only with m ≥ 8, n ≥ 32 and k ≥ 16: narrower products fill a fraction of the 8 × 32 tile, and a shallow
    ///   one spends its time packing (Linear's 32×10×512: 4.9 µs in OpenBLAS, 24 µs ours).
    public static func kernel(m: Int, n: Int, k: Int) -> Kernel {
        let worthBlocking = m >= 8 && n >= 32 && k >= 16 && m * n * k >= 1 << 24
        return compiledForAVX512 && worthBlocking ? .blocked : .openBLAS
    }

    /// Whether this build's code generation targets AVX-512 with FMA; CBLAS's shim.h reads the compiler's macros.
    private static let compiledForAVX512 = QUARRY_NATIVE_AVX512 != 0
}

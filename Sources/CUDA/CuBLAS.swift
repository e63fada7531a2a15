/// NVIDIA's cuBLAS, opened at run time where it is installed (`libcublas.so.12`, or `QUARRY_CUBLAS_LIBRARY`):
/// its strided batched SGEMM serves the GPU backend's products, with Quarry's own kernel where it is absent.
/// Only the few entry points used are declared, from the cuBLAS reference
/// (https://docs.nvidia.com/cuda/cublas/). cuBLAS is column-major; callers flip row-major products to it.
public final class CuBLAS: Sendable {
    typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias Destroy = @convention(c) (OpaquePointer?) -> Int32
    typealias SetStream = @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    typealias SetMathMode = @convention(c) (OpaquePointer?, Int32) -> Int32
    typealias GetMathMode = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>) -> Int32
    typealias SgemmStridedBatched = @convention(c) (
        OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>, UInt64, Int32, Int64, UInt64, Int32, Int64,
        UnsafePointer<Float>, UInt64, Int32, Int64, Int32
    ) -> Int32

    private let library: DynamicLibrary
    let create: Create
    let destroy: Destroy
    let setStream: SetStream
    let setMathMode: SetMathMode
    let getMathMode: GetMathMode
    let sgemmStridedBatched: SgemmStridedBatched

    /// The library at `name`, or nil when it is not there or lacks an entry point (then the backend uses its own SGEMM).
    public init?(_ name: String) {
        var failure = ""
        guard let library = DynamicLibrary(name, failure: &failure),
              let create = library.function("cublasCreate_v2", as: Create.self),
              let destroy = library.function("cublasDestroy_v2", as: Destroy.self),
              let setStream = library.function("cublasSetStream_v2", as: SetStream.self),
              let setMathMode = library.function("cublasSetMathMode", as: SetMathMode.self),
              let getMathMode = library.function("cublasGetMathMode", as: GetMathMode.self),
              let sgemm = library.function("cublasSgemmStridedBatched", as: SgemmStridedBatched.self) else { return nil }
        (self.library, self.create, self.destroy, self.setStream, sgemmStridedBatched) = (library, create, destroy, setStream, sgemm)
        (self.setMathMode, self.getMathMode) = (setMathMode, getMathMode)
    }

    /// A handle whose work is queued on `stream` (cuBLAS handles are not shared between streams).
    public func handle(on stream: CUDAStream) throws(GPUError) -> CuBLASHandle {
        try stream.device.makeCurrent()
        var handle: OpaquePointer?
        try Self.check(create(&handle), "cublasCreate_v2")
        guard let handle else { throw .unavailable("cublasCreate_v2 gave no handle") }
        let made = CuBLASHandle(library: self, handle: handle, stream: stream)
        try Self.check(setStream(handle, stream.handle), "cublasSetStream_v2")
        return made
    }

    /// cublasStatus_t's names, from the reference.
    static func check(_ status: Int32, _ call: String) throws(GPUError) {
        guard status != 0 else { return }
        let names: [Int32: String] = [1: "CUBLAS_STATUS_NOT_INITIALIZED", 3: "CUBLAS_STATUS_ALLOC_FAILED", 7: "CUBLAS_STATUS_INVALID_VALUE",
                                      8: "CUBLAS_STATUS_ARCH_MISMATCH", 11: "CUBLAS_STATUS_MAPPING_ERROR",
                                      13: "CUBLAS_STATUS_EXECUTION_FAILED", 14: "CUBLAS_STATUS_INTERNAL_ERROR",
                                      15: "CUBLAS_STATUS_NOT_SUPPORTED"]
        throw .driver(call: call, code: status, name: names[status] ?? "cuBLAS status \(status)", message: "")
    }
}

/// A cuBLAS handle bound to one stream.
public final class CuBLASHandle: @unchecked Sendable {
    // @unchecked: the handle is used from the one thread driving its stream, as cuBLAS requires.
    let library: CuBLAS
    let handle: OpaquePointer
    let stream: CUDAStream

    init(library: CuBLAS, handle: OpaquePointer, stream: CUDAStream) {
        (self.library, self.handle, self.stream) = (library, handle, stream)
    }

    deinit { stream.device.release { _ in library.destroy(handle) } }

    /// CUBLAS_TF32_TENSOR_OP_MATH (3) with `tf32`, else CUBLAS_DEFAULT_MATH (0): whether float products may
    /// round their inputs to TensorFloat-32 on the tensor cores.
    public func allowTF32(_ tf32: Bool) throws(GPUError) {
        try CuBLAS.check(library.setMathMode(handle, tf32 ? 3 : 0), "cublasSetMathMode")
    }

    /// The handle's cublasMath_t.
    public func mathMode() throws(GPUError) -> Int32 {
        var mode: Int32 = 0
        try CuBLAS.check(library.getMathMode(handle, &mode), "cublasGetMathMode")
        return mode
    }

    /// Row-major C = alpha·op(A)·op(B) + beta·C, `batch` products `strides` apart, as Quarry's own SGEMM
    /// kernels take it. Row-major C is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, so the operands swap places and
    /// keep their transposes: cuBLAS reads the row-major B as column-major Bᵀ.
    public func multiply(m: Int, n: Int, k: Int, alpha: Float, a: UInt64, lda: Int, strideA: Int, transposeA: Bool,
                         b: UInt64, ldb: Int, strideB: Int, transposeB: Bool, beta: Float, c: UInt64, ldc: Int, strideC: Int,
                         batch: Int) throws(GPUError) {
        try stream.device.makeCurrent()
        var (alpha, beta) = (alpha, beta)
        let status = withUnsafePointer(to: &alpha) { alpha in
            withUnsafePointer(to: &beta) { beta in
                library.sgemmStridedBatched(handle, transposeB ? 1 : 0, transposeA ? 1 : 0, Int32(n), Int32(m), Int32(k), alpha,
                                            b, Int32(ldb), Int64(strideB), a, Int32(lda), Int64(strideA), beta, c, Int32(ldc),
                                            Int64(strideC), Int32(batch))
            }
        }
        try CuBLAS.check(status, "cublasSgemmStridedBatched")
    }
}

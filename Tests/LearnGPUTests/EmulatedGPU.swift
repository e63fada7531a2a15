import CUDA
import Foundation
import Learn
import LearnGPU
import QuarryTesting
import Testing

/// The emulated device `make emulated-gpu` builds into .build/emulated-gpu: Quarry's kernels compiled
/// for the host behind a stand-in libcuda.so.1, with the committed PTX loaded through it exactly as a
/// real driver would be given it.
enum EmulatedGPU {
    static let driverPath = EmulatedDevice.driverPath
    static let ptxPath = EmulatedDevice.ptxPath
    static let cublasPath = EmulatedDevice.cublasPath

    /// `EmulatedDevice`'s three devices: gpu:0 is the tests' shared device, gpu:1 is where transfers are
    /// counted, gpu:2 is gpu:0's partner in data-parallel training.
    static let driver: Result<CUDADriver, GPUError> = {
        if let missing = EmulatedDevice.configure() { return .failure(.unavailable(missing)) }
        return Result { () throws(GPUError) in try CUDADriver.open(driverPath) }
    }()

    static let ptx: String = {
        guard let text = try? String(contentsOfFile: ptxPath, encoding: .utf8) else { fatalError("no PTX at \(ptxPath)") }
        return text
    }()

    private static let backends: Result<[GPUBackend], GPUError> = Result { () throws(GPUError) in
        let kernels = try Self.loaded.get()
        return [try GPUBackend(kernels: kernels[0]), try GPUBackend(kernels: kernels[1])]
    }

    private static let loaded: Result<[GPUKernels], GPUError> = Result { () throws(GPUError) in
        let opened = try driver.get()
        return try (0..<3).map { index throws(GPUError) in try GPUKernels(gpu: opened.device(index), ptx: ptx) }
    }

    /// The kernels loaded on emulated gpu:`index`.
    static func kernels(_ index: Int) throws -> GPUKernels {
        try loaded.get()[index]
    }

    /// The backend on emulated gpu:`index` (0 or 1), shared by the tests.
    static func backend(_ index: Int = 0) throws -> GPUBackend {
        try backends.get()[index]
    }

    /// A backend on emulated gpu:0 whose products go to the stand-in cuBLAS.
    static let blasBackend: Result<GPUBackend, GPUError> = Result { () throws(GPUError) in
        guard let blas = CuBLAS(cublasPath) else { throw .unavailable("\(cublasPath) is missing: run `make emulated-gpu`") }
        return try GPUBackend(kernels: GPUKernels(gpu: driver.get().device(0), ptx: ptx, blas: blas))
    }

    /// Our SGEMM kernels' backend, or the cuBLAS one.
    static func backend(blas: Bool) throws -> GPUBackend {
        blas ? try blasBackend.get() : try backend()
    }
}

/// Values equal within `tolerance`, relative to the larger magnitude (absolute below 1).
func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape), expected \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    var worst: (index: Int, error: Float) = (0, 0)
    for index in expected.storage.indices {
        let (a, e) = (actual.storage[index], expected.storage[index])
        let error = a.isNaN || e.isNaN ? (a.isNaN == e.isNaN ? 0 : .infinity) : abs(a - e) / max(1, abs(e))
        if !(error <= worst.error) { worst = (index, error) }
    }
    #expect(worst.error <= tolerance,
            "\(what): value \(worst.index) is \(actual.storage[worst.index]), expected \(expected.storage[worst.index])",
            sourceLocation: sourceLocation)
}

extension Tensor {
    /// Seeded standard-normal values.
    static func normal(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var random = Random(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in random.normal() * scale })
    }
}

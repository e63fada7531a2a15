import CUDA
import Learn
@testable import LearnGPU
import Testing

/// An experiment's `tf32` reaches cuBLAS's math mode; without cuBLAS, our SGEMM kernels' mma.sync path.
struct GPUTF32Tests {
    @Test func tf32IsCuBLASsMathModeWhereItIsInstalled() throws {
        guard let blas = CuBLAS(EmulatedGPU.cublasPath) else { throw GPUError.unavailable("no \(EmulatedGPU.cublasPath)") }
        let kernels = try GPUKernels(gpu: EmulatedGPU.driver.get().device(0), ptx: EmulatedGPU.ptx, blas: blas)
        let allowed = try GPUBackend(kernels: kernels, tf32: true)
        let allowedMode = try allowed.blas?.mathMode()
        #expect(allowed.tf32 && allowedMode == 3)
        let plain = try GPUBackend(kernels: kernels)
        let plainMode = try plain.blas?.mathMode()
        #expect(!plain.tf32 && plainMode == 0)
    }

    /// Our TF32 product is the product of the operands rounded to TF32 (10-bit mantissas, to nearest,
    /// ties away) summed in float: within 1e-5 of that, and visibly off the float product.
    @Test func ourSGEMMMultipliesInTF32WhenAllowed() throws {
        let gpu = try GPUBackend(kernels: EmulatedGPU.kernels(0), tf32: true)
        #expect(gpu.tf32)
        let (a, b) = (Tensor.normal([37, 45], seed: 1), Tensor.normal([45, 70], seed: 2))
        let product = try gpu.download(gpu.matrixProduct(gpu.upload(a), gpu.upload(b)))
        func reference(_ operand: (Float) -> Float) -> Tensor {
            Tensor(shape: [37, 70], storage: (0..<37 * 70).map { index in
                let (row, column) = (index / 70, index % 70)
                return Float((0..<45).reduce(0.0) { $0 + Double(operand(a.storage[row * 45 + $1])) * Double(operand(b.storage[$1 * 70 + column])) })
            })
        }
        let rounded = reference { Float(bitPattern: ($0.bitPattern &+ 0x1000) & 0xffff_e000) }
        expectClose(product, rounded, tolerance: 1e-5, "TF32 product")
        let exact = reference { $0 }
        let worst = zip(product.storage, exact.storage).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst > 1e-4, "a TF32 product should differ from the float one by TF32's rounding, not \(worst)")
    }
}

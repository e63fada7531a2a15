import CUDA
import Learn
@testable import LearnGPU
import Testing

/// An experiment's `tf32` reaches cuBLAS's math mode; without cuBLAS, our SGEMM has no TF32 path and the
/// backend says so.
struct GPUTF32Tests {
    @Test func tf32IsCuBLASsMathModeAndNothingWithoutIt() throws {
        guard let blas = CuBLAS(EmulatedGPU.cublasPath) else { throw GPUError.unavailable("no \(EmulatedGPU.cublasPath)") }
        let kernels = try GPUKernels(gpu: EmulatedGPU.driver.get().device(0), ptx: EmulatedGPU.ptx, blas: blas)
        let allowed = try GPUBackend(kernels: kernels, tf32: true)
        let allowedMode = try allowed.blas?.mathMode()
        #expect(allowed.tf32 && allowedMode == 3)
        let plain = try GPUBackend(kernels: kernels)
        let plainMode = try plain.blas?.mathMode()
        #expect(!plain.tf32 && plainMode == 0)
        #expect(!(try GPUBackend(kernels: EmulatedGPU.kernels(0), tf32: true)).tf32)
    }
}

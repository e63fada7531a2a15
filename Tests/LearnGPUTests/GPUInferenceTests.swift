import CUDA
import Learn
import LearnGPU
import Testing

/// The compiled evaluation path (`InferenceModel`) on the emulated GPU, where the backend composes the
/// fused convolution of its own kernels (Backend+Evaluation.swift), against the same path on the CPU.
struct GPUInferenceTests {
    @Test(arguments: 0..<2) func compiledEvaluationMatchesTheCPU(index: Int) throws {
        let (name, make) = GPUModelTests.models[index]
        let gpu = try EmulatedGPU.backend()
        var (cpuRandom, gpuRandom) = (Random(seed: 3), Random(seed: 3))
        let (onCPU, onGPU) = (make(CPUBackend.shared, &cpuRandom), make(gpu, &gpuRandom))
        gpu.place(onGPU)
        let side = index == 0 ? 16 : 8
        let images = Tensor.normal([2, 3, side, side], seed: 9)
        let expected = try InferenceModel(onCPU, backend: CPUBackend.shared).forward(images).storage
        let output = try InferenceModel(onGPU, backend: gpu).forward(gpu.upload(images)).hostValues()
        let worst = zip(output, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(output.count == expected.count && worst <= 1e-4, "\(name): off by \(worst)")
    }

    /// Compiling reads the weights back; a device that has failed cannot give them, and the model is not made.
    @Test func aFailedDeviceCompilesNothing() throws {
        let gpu = try GPUBackend(kernels: EmulatedGPU.kernels(0))
        var random = Random(seed: 3)
        let model = GPUModelTests.models[0].1(gpu, &random)
        gpu.place(model)
        _ = gpu.zeros([1 << 16, 1 << 15])  // past the kernels' 32-bit indices: the backend fails
        #expect {
            _ = try InferenceModel(model, backend: gpu)
        } throws: { error in
            "\(error)".contains("2147483648 values")
        }
    }
}

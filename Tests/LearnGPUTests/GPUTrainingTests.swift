import CUDA
import Learn
import LearnGPU
import Testing

/// The training step on the emulated GPU against the CPU: the loss, predictions, clipping and
/// optimizer updates alone, then whole steps of the zoo's models, and what crosses the bus per step.
struct GPUTrainingTests {
    let cpu = CPUBackend.shared

    @Test(arguments: [Float(0), 0.1]) func softmaxCrossEntropyAndPredictions(smoothing: Float) throws {
        let gpu = try EmulatedGPU.backend()
        var logits = Tensor.normal([9, 13], seed: 30, scale: 3)
        logits.storage[13 + 4] = logits.storage[13 + 2]  // a tie, which goes to the lower class
        logits.storage[13 + 2] = 50
        logits.storage[13 + 4] = 50
        let labels = [0, 2, 5, 12, 3, 3, 7, 1, 11]
        let expected = cpu.softmaxCrossEntropy(logits, labels: labels, labelSmoothing: smoothing)
        let actual = gpu.softmaxCrossEntropy(gpu.upload(logits), labels: labels, labelSmoothing: smoothing)
        #expect(abs(actual.loss - expected.loss) <= 1e-4 * max(1, expected.loss))
        #expect(actual.correct == expected.correct)
        expectClose(try gpu.download(actual.gradient), expected.gradient, "gradient")
        let predictions = gpu.predictions(gpu.upload(logits)), reference = cpu.predictions(logits)
        #expect(predictions.map(\.label) == reference.map(\.label))
        #expect(zip(predictions, reference).allSatisfy { abs($0.confidence - $1.confidence) <= 1e-5 })
    }

    /// Over the norm (scaled to it) and under it (left alone).
    @Test(arguments: [Float(0.5), 1000]) func gradientClipping(maxNorm: Float) throws {
        let gpu = try EmulatedGPU.backend()
        let shapes = [[300], [7, 3], [1], [2, 600]]
        let host = shapes.enumerated().map { index, shape in
            let parameter = Parameter(name: "p\(index)", value: Tensor.normal(shape, seed: UInt64(40 + index)))
            parameter.gradient = Tensor.normal(shape, seed: UInt64(50 + index))
            return parameter
        }
        let device = host.map { parameter in
            let copy = Parameter(name: parameter.name, value: gpu.upload(parameter.value))
            copy.gradient = gpu.upload(parameter.gradient)
            return copy
        }
        cpu.clipGradientNorm(host, maxNorm: maxNorm)
        gpu.clipGradientNorm(device, maxNorm: maxNorm)
        for (expected, actual) in zip(host, device) { expectClose(try gpu.download(actual.gradient), expected.gradient, actual.name) }
    }

    static let optimizers: [(String, @Sendable (any Backend) -> any Optimizer)] = [
        ("SGD", { SGD(learningRate: 0.1, backend: $0) }),
        ("SGD with Nesterov momentum and decay", { SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, backend: $0) }),
        ("SGD with dampening", { SGD(learningRate: 0.05, momentum: 0.8, dampening: 0.3, backend: $0) }),
        ("AdamW", { AdamW(learningRate: 0.01, weightDecay: 0.1, backend: $0) }),
    ]

    /// Several steps, then the saved state, which a CPU optimizer continues from exactly as the GPU one would.
    @Test(arguments: 0..<4) func optimizer(index: Int) throws {
        let gpu = try EmulatedGPU.backend()
        let (name, make) = Self.optimizers[index]
        let (host, device) = (make(cpu), make(gpu))
        let parameter = Parameter(name: "w", value: Tensor.normal([5, 67], seed: 60))
        let deviceParameter = Parameter(name: "w", value: gpu.upload(parameter.value))
        for step in 0..<3 {
            parameter.gradient = Tensor.normal([5, 67], seed: UInt64(61 + step))
            deviceParameter.gradient = gpu.upload(parameter.gradient)
            host.step([parameter])
            device.step([deviceParameter])
        }
        expectClose(try gpu.download(deviceParameter.value), parameter.value, name)
        let (saved, expected) = (try device.savedState(), try host.savedState())
        #expect(saved.step == expected.step && saved.buffers.keys.sorted() == expected.buffers.keys.sorted())
        for (key, arrays) in expected.buffers {
            expectClose(Tensor(shape: [arrays[0].count], storage: saved.buffers[key]![0]),
                        Tensor(shape: [arrays[0].count], storage: arrays[0]), "\(name) \(key)")
        }
    }

    /// A pretrained backbone's pace on the device: a parameter at a quarter of the rate moves as on the CPU, and a
    /// frozen one does not move at all, on the same update kernels.
    @Test(arguments: [1, 3]) func learningRateScalesAsOnTheHost(index: Int) throws {
        let gpu = try EmulatedGPU.backend()
        let (name, make) = Self.optimizers[index]
        let (host, device) = (make(cpu), make(gpu))
        let values = Tensor.normal([4, 33], seed: 70)
        let hosted = [Parameter(name: "scaled", value: values), Parameter(name: "frozen", value: values)]
        let placed = hosted.map { Parameter(name: $0.name, value: gpu.upload($0.value)) }
        for (parameters, scales) in [(hosted, [Float(0.25), 0]), (placed, [0.25, 0])] {
            for (parameter, scale) in zip(parameters, scales) { parameter.learningRateScale = scale }
        }
        for step in 0..<3 {
            let gradient = Tensor.normal([4, 33], seed: UInt64(71 + step))
            for parameter in hosted { parameter.gradient = gradient }
            for parameter in placed { parameter.gradient = gpu.upload(gradient) }
            host.step(hosted)
            device.step(placed)
        }
        expectClose(try gpu.download(placed[0].value), hosted[0].value, "\(name), scaled")
        #expect(try gpu.download(placed[1].value) == values, "\(name): a frozen parameter moved on the device")
        #expect(try gpu.download(placed[0].value) != values)
    }
}

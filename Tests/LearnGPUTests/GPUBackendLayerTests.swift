import CUDA
import Learn
import LearnGPU
import Testing

/// Every `Backend` operation on the emulated GPU against the CPU backend, forward and backward, over
/// odd shapes that leave partial tiles and blocks at every edge.
struct GPUBackendLayerTests {
    let cpu = CPUBackend.shared

    static let convolutions: [Conv2DShape] = [
        Conv2DShape(batch: 3, inChannels: 5, height: 7, width: 9, outChannels: 4, kernelHeight: 3, kernelWidth: 3, padding: 1),
        Conv2DShape(batch: 2, inChannels: 3, height: 11, width: 10, outChannels: 7, kernelHeight: 7, kernelWidth: 7, stride: 2,
                    padding: 3),
        Conv2DShape(batch: 2, inChannels: 6, height: 5, width: 5, outChannels: 9, kernelHeight: 1, kernelWidth: 1, stride: 2),
        Conv2DShape(batch: 2, inChannels: 4, height: 6, width: 7, outChannels: 6, kernelHeight: 3, kernelWidth: 3, padding: 1,
                    groups: 2),
        Conv2DShape(batch: 3, inChannels: 6, height: 9, width: 8, outChannels: 6, kernelHeight: 3, kernelWidth: 3, stride: 2,
                    padding: 1, groups: 6),
        Conv2DShape(batch: 2, inChannels: 5, height: 4, width: 4, outChannels: 5, kernelHeight: 3, kernelWidth: 3, padding: 1,
                    groups: 5),
    ]

    /// With our SGEMM and with cuBLAS (the emulated device's stand-in).
    @Test(arguments: convolutions, [false, true]) func convolution(shape: Conv2DShape, blas: Bool) throws {
        let gpu = try EmulatedGPU.backend(blas: blas)
        let input = Tensor.normal(shape.inputShape, seed: 1)
        let weight = Tensor.normal(shape.weightShape, seed: 2, scale: 0.3)
        let bias = Tensor.normal([shape.outChannels], seed: 3)
        let gradient = Tensor.normal(shape.outputShape, seed: 4)
        for withBias in [true, false] {
            let expected = cpu.convolution(input, weight: weight, bias: withBias ? bias : nil, shape: shape, training: true)
            let actual = gpu.convolution(gpu.upload(input), weight: gpu.upload(weight), bias: withBias ? gpu.upload(bias) : nil,
                                         shape: shape, training: true)
            expectClose(try gpu.download(actual.output), expected.output, "\(shape) forward")
        }
        let expected = cpu.convolutionBackward(gradient, input: input, weight: weight, shape: shape, inputGradient: true, cache: nil)
        for wanted in [true, false] {
            let actual = gpu.convolutionBackward(gpu.upload(gradient), input: gpu.upload(input), weight: gpu.upload(weight),
                                                 shape: shape, inputGradient: wanted, cache: nil)
            expectClose(try gpu.download(actual.weight), expected.weight, "\(shape) weight gradient")
            expectClose(try gpu.download(actual.bias), expected.bias, "\(shape) bias gradient")
            #expect((actual.input == nil) == !wanted)
            if let input = actual.input { expectClose(try gpu.download(input), expected.input!, "\(shape) input gradient") }
        }
    }

    @Test(arguments: [true, false]) func batchNorm(training: Bool) throws {
        let gpu = try EmulatedGPU.backend()
        let input = Tensor.normal([3, 5, 6, 7], seed: 5, scale: 2)
        let (gamma, beta) = (Tensor.normal([5], seed: 6), Tensor.normal([5], seed: 7))
        var (mean, variance) = (Tensor.normal([5], seed: 8), Tensor(repeating: 1.5, shape: [5]))
        var (deviceMean, deviceVariance) = (gpu.upload(mean), gpu.upload(variance))
        let expected = cpu.batchNorm(input, gamma: gamma, beta: beta, runningMean: &mean, runningVariance: &variance,
                                     momentum: 0.1, epsilon: 1e-5, training: training)
        let actual = gpu.batchNorm(gpu.upload(input), gamma: gpu.upload(gamma), beta: gpu.upload(beta), runningMean: &deviceMean,
                                   runningVariance: &deviceVariance, momentum: 0.1, epsilon: 1e-5, training: training)
        expectClose(try gpu.download(actual.output), expected.output, "forward")
        expectClose(try gpu.download(deviceMean), mean, "running mean")
        expectClose(try gpu.download(deviceVariance), variance, "running variance")
        let gradient = Tensor.normal(input.shape, seed: 9)
        let expectedGradients = cpu.batchNormBackward(gradient, cache: expected.cache)
        let actualGradients = gpu.batchNormBackward(gpu.upload(gradient), cache: actual.cache)
        expectClose(try gpu.download(actualGradients.input), expectedGradients.input, "input gradient")
        expectClose(try gpu.download(actualGradients.gamma), expectedGradients.gamma, "gamma gradient")
        expectClose(try gpu.download(actualGradients.beta), expectedGradients.beta, "beta gradient")
    }

    @Test func runningStatisticsSharedWithAnotherTensorAreCopiedBeforeTheUpdate() throws {
        let gpu = try EmulatedGPU.backend()
        var mean = gpu.upload(Tensor(repeating: 2, shape: [3]))
        var variance = gpu.upload(Tensor(repeating: 1, shape: [3]))
        let before = mean
        _ = gpu.batchNorm(gpu.upload(Tensor.normal([2, 3, 2, 2], seed: 10)), gamma: gpu.upload(Tensor(repeating: 1, shape: [3])),
                          beta: gpu.upload(Tensor(zeros: [3])), runningMean: &mean, runningVariance: &variance,
                          momentum: 0.5, epsilon: 1e-5, training: true)
        #expect(try gpu.download(before).storage == [2, 2, 2])
        #expect(try gpu.download(mean).storage != [2, 2, 2])
    }

    /// Windows that overlap (ResNet's stem), that tile, and ties, which go to the first maximum.
    @Test(arguments: [(3, 2, 1), (2, 2, 0), (3, 1, 1)]) func maxPool(kernel: Int, stride: Int, padding: Int) throws {
        let gpu = try EmulatedGPU.backend()
        var input = Tensor.normal([2, 3, 9, 7], seed: 11)
        for index in Swift.stride(from: 0, to: input.count, by: 5) { input.storage[index] = 0.25 }
        let expected = cpu.maxPool(input, kernel: kernel, stride: stride, padding: padding)
        let actual = gpu.maxPool(gpu.upload(input), kernel: kernel, stride: stride, padding: padding)
        expectClose(try gpu.download(actual.output), expected.output, "forward")
        let gradient = Tensor.normal(expected.output.shape, seed: 12)
        let expectedGradient = cpu.maxPoolBackward(gradient, argmax: expected.argmax, inputShape: input.shape, kernel: kernel,
                                                   stride: stride, padding: padding)
        let actualGradient = gpu.maxPoolBackward(gpu.upload(gradient), argmax: actual.argmax, inputShape: input.shape,
                                                 kernel: kernel, stride: stride, padding: padding)
        expectClose(try gpu.download(actualGradient), expectedGradient, "backward")
    }

    @Test(arguments: [(2, 2, 0), (3, 1, 1), (3, 2, 1)]) func averagePool(kernel: Int, stride: Int, padding: Int) throws {
        let gpu = try EmulatedGPU.backend()
        let input = Tensor.normal([2, 3, 8, 7], seed: 13)
        let expected = cpu.averagePool(input, kernel: kernel, stride: stride, padding: padding)
        expectClose(try gpu.download(gpu.averagePool(gpu.upload(input), kernel: kernel, stride: stride, padding: padding)),
                    expected, "forward")
        let gradient = Tensor.normal(expected.shape, seed: 14)
        let expectedGradient = cpu.averagePoolBackward(gradient, inputShape: input.shape, kernel: kernel, stride: stride,
                                                       padding: padding)
        expectClose(try gpu.download(gpu.averagePoolBackward(gpu.upload(gradient), inputShape: input.shape, kernel: kernel,
                                                             stride: stride, padding: padding)), expectedGradient, "backward")
    }

    @Test(arguments: [2, 3]) func upsampleNearest(factor: Int) throws {
        let gpu = try EmulatedGPU.backend()
        let input = Tensor.normal([2, 3, 5, 4], seed: 15)
        let expected = cpu.upsampleNearest(input, factor: factor)
        expectClose(try gpu.download(gpu.upsampleNearest(gpu.upload(input), factor: factor)), expected, "forward")
        let gradient = Tensor.normal(expected.shape, seed: 16)
        expectClose(try gpu.download(gpu.upsampleNearestBackward(gpu.upload(gradient), factor: factor)),
                    cpu.upsampleNearestBackward(gradient, factor: factor), "backward")
    }

    @Test func globalAveragePool() throws {
        let gpu = try EmulatedGPU.backend()
        let input = Tensor.normal([3, 5, 7, 6], seed: 15)
        expectClose(try gpu.download(gpu.globalAveragePool(gpu.upload(input))), cpu.globalAveragePool(input), "forward")
        let gradient = Tensor.normal([3, 5], seed: 16)
        expectClose(try gpu.download(gpu.globalAveragePoolBackward(gpu.upload(gradient), inputShape: input.shape)),
                    cpu.globalAveragePoolBackward(gradient, inputShape: input.shape), "backward")
    }

    /// Sizes past one 128×64 tile in every direction, with ragged edges; our SGEMM and cuBLAS.
    @Test(arguments: [(5, 37, 11, false), (131, 67, 70, false), (1, 1, 1, false), (131, 67, 70, true), (5, 37, 11, true)])
    func linear(batch: Int, inputs: Int, outputs: Int, blas: Bool) throws {
        let gpu = try EmulatedGPU.backend(blas: blas)
        let input = Tensor.normal([batch, inputs], seed: 17)
        let weight = Tensor.normal([inputs, outputs], seed: 18, scale: 0.2)
        let bias = Tensor.normal([outputs], seed: 19)
        expectClose(try gpu.download(gpu.linear(gpu.upload(input), weight: gpu.upload(weight), bias: gpu.upload(bias))),
                    cpu.linear(input, weight: weight, bias: bias), "forward")
        let gradient = Tensor.normal([batch, outputs], seed: 20)
        let expected = cpu.linearBackward(gradient, input: input, weight: weight)
        let actual = gpu.linearBackward(gpu.upload(gradient), input: gpu.upload(input), weight: gpu.upload(weight))
        expectClose(try gpu.download(actual.input), expected.input, "input gradient")
        expectClose(try gpu.download(actual.weight), expected.weight, "weight gradient")
        expectClose(try gpu.download(actual.bias), expected.bias, "bias gradient")
    }

    /// Exact, NaN and the kinks included.
    @Test(arguments: [Activation.relu, .relu6]) func activation(kind: Activation) throws {
        let gpu = try EmulatedGPU.backend()
        let input = Tensor(shape: [3, 7], storage: [-.infinity, -2, -0.0, 0, 0.5, 6, 7, .infinity, .nan] + (0..<12).map { Float($0) - 3.5 })
        let gradient = Tensor.normal(input.shape, seed: 21)
        let forward = try gpu.download(gpu.activation(kind, gpu.upload(input)))
        let expected = cpu.activation(kind, input)
        #expect(zip(forward.storage, expected.storage).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(try gpu.download(gpu.activationBackward(kind, gpu.upload(gradient), input: gpu.upload(input)))
            == cpu.activationBackward(kind, gradient, input: input))
    }

    @Test func addAndDropoutMatchExactly() throws {
        let gpu = try EmulatedGPU.backend()
        let (source, start) = (Tensor.normal([4, 33], seed: 22), Tensor.normal([4, 33], seed: 23))
        var (target, deviceTarget) = (start, gpu.upload(start))
        let shared = deviceTarget
        cpu.add(source, into: &target)
        gpu.add(gpu.upload(source), into: &deviceTarget)
        #expect(try gpu.download(deviceTarget) == target)
        #expect(try gpu.download(shared) == start, "the other copy of the value kept its values")
        for seed: UInt64 in [1, 0xDEAD_BEEF_CAFE] {
            #expect(try gpu.download(gpu.dropout(gpu.upload(source), probability: 0.3, seed: seed))
                == cpu.dropout(source, probability: 0.3, seed: seed))
            #expect(try gpu.download(gpu.dropoutBackward(gpu.upload(start), probability: 0.3, seed: seed))
                == cpu.dropoutBackward(start, probability: 0.3, seed: seed))
        }
    }
}

/// Host tensors go up through two pinned staging buffers in turn, on a copy stream the compute stream
/// waits for: values arrive whole whatever the order of sizes, and a copy does not overtake the work that
/// was using its destination block before.
struct GPUUploadTests {
    @Test func uploadsOfEverySizeArriveWholeAndInOrder() throws {
        let gpu = try EmulatedGPU.backend()
        let sizes = [10, 1000, 10, 5000, 1, 3000]
        let hosts = sizes.enumerated().map { Tensor.normal([$0.element], seed: UInt64(300 + $0.offset)) }
        var uploaded: [Tensor] = []
        for host in hosts {
            var device = gpu.upload(host)
            // Compute queued between uploads, writing the block just uploaded.
            gpu.add(device, into: &device)
            uploaded.append(device)
        }
        for (host, device) in zip(hosts, uploaded) {
            #expect(try gpu.download(device).storage == host.storage.map { $0 + $0 })
        }
    }

    /// Raw pixels go up as bytes and come out normalized exactly as the host normalizes them.
    @Test func pixelsAreNormalizedOnTheDeviceAsOnTheHost() throws {
        let gpu = try EmulatedGPU.backend()
        var random = Random(seed: 40)
        let pixels = Tensor(shape: [3, 3, 5, 7], storage: (0..<3 * 3 * 5 * 7).map { _ in Float(random.next() % 256) })
        let normalization = PixelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        #expect(try gpu.download(gpu.uploadPixels(pixels, normalization: normalization))
            == CPUBackend.shared.uploadPixels(pixels, normalization: normalization))
    }
}

extension Conv2DShape: CustomTestStringConvertible {
    public var testDescription: String {
        "\(inputShape) k\(kernelHeight) s\(stride) p\(padding) g\(groups) → \(outChannels)"
    }
}

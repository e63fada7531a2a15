import Learn
import Testing

/// Gradient checks and shapes for the layers over the image kernels.
struct ImageLayerTests {
    static func uniform(_ shape: [Int], seed: UInt64) -> Tensor {
        LayerGradientTests.uniform(shape, seed: seed)
    }

    /// Moves every value at least `margin` from each kink, where finite differences straddle it.
    static func awayFrom(_ kinks: [Float], _ tensor: Tensor, margin: Float = 0.05) -> Tensor {
        var tensor = tensor
        for index in tensor.storage.indices {
            for kink in kinks where abs(tensor.storage[index] - kink) < margin {
                tensor.storage[index] += tensor.storage[index] < kink ? -margin : margin
            }
        }
        return tensor
    }

    @Test(arguments: [(1, 1, 1), (2, 1, 1), (1, 0, 2)])
    func convolution(stride: Int, padding: Int, groups: Int) {
        var random = Random(seed: 1)
        let layer = Conv2DLayer(inChannels: 4, outChannels: 6, kernel: 3, stride: stride, padding: padding,
                                groups: groups, random: &random)
        layer.bias?.value = Self.uniform([6], seed: 2)
        #expect(layer.parameters.map(\.name) == ["weight", "bias"])
        let failures = GradientCheck.failures(of: layer, input: Self.uniform([2, 4, 5, 5], seed: 3))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func depthwiseConvolutionWithoutBias() {
        var random = Random(seed: 4)
        let layer = Conv2DLayer(inChannels: 3, outChannels: 3, kernel: 3, padding: 1, groups: 3, bias: false,
                                random: &random)
        #expect(layer.weight.value.shape == [3, 1, 3, 3] && layer.parameters.map(\.name) == ["weight"])
        let failures = GradientCheck.failures(of: layer, input: Self.uniform([2, 3, 4, 4], seed: 5))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func convolutionInitializationIsKaimingNormalFanOut() {
        var random = Random(seed: 6)
        let layer = Conv2DLayer(inChannels: 32, outChannels: 64, kernel: 3, random: &random)
        let values = layer.weight.value.storage.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let deviation = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        let expected = (2.0 / (64 * 9)).squareRoot()
        #expect(abs(mean) < 0.05 * expected && abs(deviation - expected) < 0.05 * expected)
        #expect(layer.bias?.value.storage.allSatisfy { $0 == 0 } == true)
    }

    @Test func batchNormInTraining() {
        let layer = BatchNorm2DLayer(channels: 3)
        #expect(layer.parameters.map(\.name) == ["gamma", "beta"])
        layer.gamma.value = Tensor(shape: [3], storage: [1.5, -0.5, 0.8])
        layer.beta.value = Tensor(shape: [3], storage: [0.1, -0.2, 0.3])
        let failures = GradientCheck.failures(of: layer, input: Tensor.normal([2, 3, 3, 2], seed: 7))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func batchNormUpdatesItsRunningStatisticsOnlyInTraining() {
        let layer = BatchNorm2DLayer(channels: 2)
        let input = Tensor.normal([4, 2, 3, 3], seed: 8)
        _ = layer.forward(input, training: false)
        #expect(layer.runningMean == Tensor(zeros: [2]) && layer.runningVariance == Tensor(repeating: 1, shape: [2]))
        _ = layer.forward(input, training: true)
        #expect(layer.runningMean != Tensor(zeros: [2]))
    }

    @Test func maxPool() {
        let layer = MaxPool2DLayer(kernel: 2)
        // Distinct values, so no window has a tie that a perturbation would flip.
        var input = Tensor(zeros: [2, 2, 4, 4])
        var random = Random(seed: 9)
        let order = (0..<input.count).map { _ in random.next() }
        for (rank, index) in order.indices.sorted(by: { order[$0] < order[$1] }).enumerated() {
            input.storage[index] = Float(rank) * 0.01
        }
        #expect(layer.forward(input, training: false).shape == [2, 2, 2, 2])
        let failures = GradientCheck.failures(of: layer, input: input)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func maxPoolOverlappingWithPadding() {
        let layer = MaxPool2DLayer(kernel: 3, stride: 2, padding: 1)
        #expect(layer.forward(Tensor(zeros: [1, 1, 8, 8]), training: false).shape == [1, 1, 4, 4])
    }

    @Test func averagePool() {
        let layer = AvgPool2DLayer(kernel: 3, stride: 2, padding: 1)
        let input = Self.uniform([2, 2, 5, 5], seed: 10)
        #expect(layer.forward(input, training: false).shape == [2, 2, 3, 3])
        let failures = GradientCheck.failures(of: layer, input: input)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func globalAveragePool() {
        let layer = GlobalAvgPoolLayer()
        let input = Self.uniform([2, 3, 4, 5], seed: 11)
        #expect(layer.forward(input, training: false).shape == [2, 3])
        let failures = GradientCheck.failures(of: layer, input: input)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func relu6() {
        let layer = ActivationLayer(.relu6)
        var input = Self.uniform([3, 8], seed: 12)
        for index in input.storage.indices { input.storage[index] *= 8 }
        input = Self.awayFrom([0, 6], input)
        let output = layer.forward(input, training: false)
        #expect(zip(input.storage, output.storage).allSatisfy { $1 == min(max($0, 0), 6) })
        #expect(output.storage.contains(6) && output.storage.contains(0))
        let failures = GradientCheck.failures(of: layer, input: input)
        #expect(failures.isEmpty, "\(failures)")
    }
}

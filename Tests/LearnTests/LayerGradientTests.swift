import Learn
import Testing

struct LayerGradientTests {
    static func uniform(_ shape: [Int], seed: UInt64) -> Tensor {
        var random = Random(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in 2 * random.uniform() - 1 })
    }

    @Test func linear() {
        var random = Random(seed: 1)
        let layer = Linear(inputSize: 5, outputSize: 4, random: &random)
        // A non-zero bias, so the check covers it flowing into the output as well.
        layer.bias.value = Self.uniform([4], seed: 2)
        let failures = GradientCheck.failures(of: layer, input: Self.uniform([3, 5], seed: 3))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func linearInitializationStaysWithinTheKaimingBound() {
        var random = Random(seed: 4)
        let layer = Linear(inputSize: 24, outputSize: 8, random: &random)
        let bound = (6 / Float(24)).squareRoot()
        #expect(layer.weight.value.shape == [24, 8] && layer.bias.value.shape == [8])
        #expect(layer.weight.value.storage.allSatisfy { abs($0) <= bound })
        #expect(layer.parameters.map(\.name) == ["weight", "bias"])
    }

    @Test func relu() {
        // Keep every input at least 0.1 from the kink, where finite differences straddle it.
        var input = Self.uniform([4, 6], seed: 5)
        for index in input.storage.indices where abs(input.storage[index]) < 0.1 {
            input.storage[index] += input.storage[index] < 0 ? -0.1 : 0.1
        }
        let failures = GradientCheck.failures(of: ActivationLayer(.relu), input: input)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func flatten() {
        let layer = Flatten()
        let input = Self.uniform([2, 3, 2, 2], seed: 6)
        #expect(layer.forward(input, training: false).shape == [2, 12])
        let failures = GradientCheck.failures(of: layer, input: input)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func sequentialOfLinearReLULinear() {
        var random = Random(seed: 8)
        let layer = Sequential([
            Linear(inputSize: 6, outputSize: 8, random: &random),
            ActivationLayer(.relu),
            Linear(inputSize: 8, outputSize: 3, random: &random),
        ])
        #expect(layer.parameters.map(\.name) == ["weight", "bias", "weight", "bias"])
        let failures = GradientCheck.failures(of: layer, input: Self.uniform([4, 6], seed: 9))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func residualOfLinear() {
        var random = Random(seed: 10)
        let layer = Residual(Linear(inputSize: 5, outputSize: 5, random: &random))
        let failures = GradientCheck.failures(of: layer, input: Self.uniform([3, 5], seed: 11))
        #expect(failures.isEmpty, "\(failures)")
    }
}

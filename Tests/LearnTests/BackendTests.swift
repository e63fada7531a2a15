@testable import Learn
import Synchronization
import Testing

/// The seam a GPU backend slots into: every value a model computes must pass through its backend.
struct BackendTests {
    /// Delegates to the CPU backend and counts what each layer asked of it.
    final class RecordingBackend: Backend {
        let calls = Mutex<[String: Int]>([:])
        let cpu = CPUBackend.shared

        var device: Device { .cpu }

        func record(_ name: String) { calls.withLock { $0[name, default: 0] += 1 } }

        func convolution(_ input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape, training: Bool)
            -> (output: Tensor, cache: ConvolutionCache?) {
            record("convolution")
            return cpu.convolution(input, weight: weight, bias: bias, shape: shape, training: training)
        }

        func convolutionBackward(
            _ gradient: Tensor, input: Tensor, weight: Tensor, shape: Conv2DShape, inputGradient: Bool, cache: ConvolutionCache?
        ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
            record("convolutionBackward")
            return cpu.convolutionBackward(gradient, input: input, weight: weight, shape: shape, inputGradient: inputGradient,
                                           cache: cache)
        }

        func batchNorm(
            _ input: Tensor, gamma: Tensor, beta: Tensor, runningMean: inout Tensor, runningVariance: inout Tensor,
            momentum: Float, epsilon: Float, training: Bool
        ) -> (output: Tensor, cache: BatchNormCache) {
            record("batchNorm")
            return cpu.batchNorm(input, gamma: gamma, beta: beta, runningMean: &runningMean, runningVariance: &runningVariance,
                                 momentum: momentum, epsilon: epsilon, training: training)
        }

        func batchNormBackward(_ gradient: Tensor, cache: BatchNormCache) -> (input: Tensor, gamma: Tensor, beta: Tensor) {
            record("batchNormBackward")
            return cpu.batchNormBackward(gradient, cache: cache)
        }

        func channelSums(_ input: Tensor, center: [Float]?) -> [Double] {
            record("channelSums")
            return cpu.channelSums(input, center: center)
        }

        func batchNorm(_ input: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], inverseDeviation: [Float], count: Int)
            -> (output: Tensor, cache: BatchNormCache) {
            record("batchNorm")
            return cpu.batchNorm(input, gamma: gamma, beta: beta, mean: mean, inverseDeviation: inverseDeviation, count: count)
        }

        func batchNormParameterGradients(_ gradient: Tensor, cache: BatchNormCache) -> (gamma: Tensor, beta: Tensor) {
            record("batchNormBackward")
            return cpu.batchNormParameterGradients(gradient, cache: cache)
        }

        func batchNormInputGradient(_ gradient: Tensor, cache: BatchNormCache, gammaSums: [Float], betaSums: [Float]) -> Tensor {
            record("batchNormInputGradient")
            return cpu.batchNormInputGradient(gradient, cache: cache, gammaSums: gammaSums, betaSums: betaSums)
        }

        func maxPool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> (output: Tensor, argmax: PoolIndices) {
            record("maxPool")
            return cpu.maxPool(input, kernel: kernel, stride: stride, padding: padding)
        }

        func maxPoolBackward(_ gradient: Tensor, argmax: PoolIndices, inputShape: [Int], kernel: Int, stride: Int,
                             padding: Int) -> Tensor {
            record("maxPoolBackward")
            return cpu.maxPoolBackward(gradient, argmax: argmax, inputShape: inputShape, kernel: kernel, stride: stride,
                                       padding: padding)
        }

        func averagePool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor {
            record("averagePool")
            return cpu.averagePool(input, kernel: kernel, stride: stride, padding: padding)
        }

        func averagePoolBackward(_ gradient: Tensor, inputShape: [Int], kernel: Int, stride: Int, padding: Int) -> Tensor {
            record("averagePoolBackward")
            return cpu.averagePoolBackward(gradient, inputShape: inputShape, kernel: kernel, stride: stride, padding: padding)
        }

        func globalAveragePool(_ input: Tensor) -> Tensor {
            record("globalAveragePool")
            return cpu.globalAveragePool(input)
        }

        func globalAveragePoolBackward(_ gradient: Tensor, inputShape: [Int]) -> Tensor {
            record("globalAveragePoolBackward")
            return cpu.globalAveragePoolBackward(gradient, inputShape: inputShape)
        }

        func upsampleNearest(_ input: Tensor, factor: Int) -> Tensor {
            record("upsampleNearest")
            return cpu.upsampleNearest(input, factor: factor)
        }

        func upsampleNearestBackward(_ gradient: Tensor, factor: Int) -> Tensor {
            record("upsampleNearestBackward")
            return cpu.upsampleNearestBackward(gradient, factor: factor)
        }

        func linear(_ input: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
            record("linear")
            return cpu.linear(input, weight: weight, bias: bias)
        }

        func linearBackward(_ gradient: Tensor, input: Tensor, weight: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor) {
            record("linearBackward")
            return cpu.linearBackward(gradient, input: input, weight: weight)
        }

        func activation(_ kind: Activation, _ input: Tensor) -> Tensor {
            record("activation")
            return cpu.activation(kind, input)
        }

        func activationBackward(_ kind: Activation, _ gradient: Tensor, input: Tensor) -> Tensor {
            record("activationBackward")
            return cpu.activationBackward(kind, gradient, input: input)
        }

        func add(_ source: Tensor, into target: inout Tensor) {
            record("add")
            cpu.add(source, into: &target)
        }

        func dropout(_ input: Tensor, probability: Float, seed: UInt64) -> Tensor {
            record("dropout")
            return cpu.dropout(input, probability: probability, seed: seed)
        }

        func dropoutBackward(_ gradient: Tensor, probability: Float, seed: UInt64) -> Tensor {
            record("dropoutBackward")
            return cpu.dropoutBackward(gradient, probability: probability, seed: seed)
        }
    }

    @Test func everyLayerOfAModelRunsOnTheBackendItWasBuiltWith() {
        let backend = RecordingBackend()
        var random = Random(seed: 1)
        let model = ResNet18.make(classes: 3, inputSize: 16, width: 0.0625, stem: .imagenet, backend: backend, random: &random)
        random = Random(seed: 1)
        let reference = ResNet18.make(classes: 3, inputSize: 16, width: 0.0625, stem: .imagenet, random: &random)
        let images = Tensor.normal([2, 3, 16, 16], seed: 2)
        let output = model.forward(images, training: true)
        #expect(output == reference.forward(images, training: true))
        let gradient = Tensor.normal(output.shape, seed: 3)
        #expect(model.backward(gradient) == reference.backward(gradient))
        let calls = backend.calls.withLock { $0 }
        // 20 convolutions (17 in the trunk, 3 shortcuts), a batch norm after each, 17 ReLUs.
        #expect(calls["convolution"] == 20 && calls["convolutionBackward"] == 20)
        #expect(calls["batchNorm"] == 20 && calls["batchNormBackward"] == 20)
        #expect(calls["activation"] == 17 && calls["activationBackward"] == 17)
        #expect(calls["maxPool"] == 1 && calls["globalAveragePool"] == 1 && calls["linear"] == 1)
        // 8 residual sums forward and 8 backward, plus one gradient accumulation per parameter.
        #expect(calls["add"] == 16 + model.parameters.count)
    }

    @Test func devicesParseAsConfigurationsWriteThem() {
        #expect(Device("cpu") == .cpu && Device("gpu:0") == .gpu(0) && Device("gpu:12") == .gpu(12))
        for text in ["", "gpu", "gpu:", "gpu:-1", "gpu:123", "GPU:0", "cuda:0", " cpu"] { #expect(Device(text) == nil, "\(text)") }
        #expect(Device.gpu(3).description == "gpu:3" && Device.cpu.description == "cpu")
    }
}

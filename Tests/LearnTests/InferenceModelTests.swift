@testable import Learn
import Testing

/// The compiled evaluation path (`InferenceModel`: batch norm folded, bias, residual sum and activation
/// fused into the convolutions' stores) against the layers' own evaluation forward, on every model of
/// the zoo with batch-norm statistics away from their defaults so that folding them shows.
struct InferenceModelTests {
    static func models() -> [(String, any Layer, Int)] {
        var random = Random(seed: 21)
        return ONNXExportTests.models().map { ($0.0, $0.1 as any Layer, $0.2) } + [
            ("fcos_resnet18", FCOS.make(classes: 3, backbone: .resnet18, inputSize: 64, width: 0.25, random: &random), 64),
            ("fcos_mobilenet_v2", FCOS.make(classes: 2, backbone: .mobileNetV2, inputSize: 64, width: 0.25, random: &random), 64),
            ("seg_resnet18", Segmenter.make(classes: 3, backbone: .resnet18, inputSize: 64, width: 0.25, random: &random), 64),
        ]
    }

    @Test(arguments: models().map(\.0))
    func compiledModelGivesTheLayersEvaluation(name: String) throws {
        let (_, model, side) = try #require(Self.models().first { $0.0 == name })
        var random = Random(seed: 8)
        ONNXExportTests.perturb(model, &random)
        let input = Tensor.normal([3, 3, side, side], seed: 4)
        let expected = model.forward(input, training: false)
        let compiled = try InferenceModel(model, backend: CPUBackend.shared)
        WinogradTests.close(compiled.forward(input), expected, name)
    }

    /// The compiled tree, not only its output: every convolution of the model became a fused one, and no batch
    /// norm, activation or dropout is left to run as a layer (an `InferenceModel` that ran the layers as they
    /// are would pass the test above).
    @Test(arguments: models().map(\.0))
    func everyConvolutionIsFusedAndNothingAfterItRunsAlone(name: String) throws {
        let (_, model, _) = try #require(Self.models().first { $0.0 == name })
        let compiled = try InferenceModel(model, backend: CPUBackend.shared)
        let (fused, alone) = Self.contents(compiled.root)
        #expect(fused == Self.convolutions(in: model), "\(name)")
        #expect(alone.allSatisfy { !($0 is Conv2DLayer || $0 is BatchNorm2DLayer || $0 is ActivationLayer || $0 is Dropout) },
                "\(name) runs \(alone.map { type(of: $0) }) as layers")
    }

    /// Fused convolutions in a compiled tree, and the layers it runs as they are.
    static func contents(_ step: any InferenceStep) -> (fused: Int, alone: [any Layer]) {
        func sum(_ parts: [(fused: Int, alone: [any Layer])]) -> (fused: Int, alone: [any Layer]) {
            (parts.map(\.fused).reduce(0, +), parts.flatMap(\.alone))
        }
        switch step {
        case let sequence as SequenceStep: return sum(sequence.steps.map(contents))
        case let residual as ResidualStep: return sum([contents(residual.main), (1, [])] + (residual.shortcut.map { [contents($0)] } ?? []))
        case let pyramid as PyramidStep: return sum(pyramid.parts.map(contents) + [(pyramid.laterals.count, [])])
        case is ConvolutionStep: return (1, [])
        case let layer as LayerStep: return (0, [layer.layer])
        default: Issue.record("an unknown step \(step)"); return (0, [])
        }
    }

    static func convolutions(in layer: any Layer) -> Int {
        if layer is Conv2DLayer { return 1 }
        return (layer as? any ContainerLayer)?.children.map(convolutions).reduce(0, +) ?? 0
    }

    /// Each convolution kernel with a residual and an activation after it against the separate passes.
    @Test(arguments: [Activation.relu, .relu6])
    func epilogueMatchesTheSeparatePasses(activation: Activation) {
        let shapes = WinogradTests.shapes + [
            Conv2DShape(batch: 2, inChannels: 3, height: 9, width: 11, outChannels: 5, kernelHeight: 7, kernelWidth: 7, stride: 2, padding: 3),
            Conv2DShape(batch: 3, inChannels: 8, height: 6, width: 6, outChannels: 8, kernelHeight: 3, kernelWidth: 3, padding: 1, groups: 8),
        ]
        let backend = CPUBackend.shared
        for (index, shape) in shapes.enumerated() {
            let seed = UInt64(10 * index)
            let (input, weight) = (Tensor.normal(shape.inputShape, seed: seed), Tensor.normal(shape.weightShape, seed: seed + 1))
            let (bias, residual) = (Tensor.normal([shape.outChannels], seed: seed + 2), Tensor.normal(shape.outputShape, seed: seed + 3))
            var expected = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape).output
            backend.add(residual, into: &expected)
            expected = backend.activation(activation, expected)
            let epilogue = Epilogue(residual: residual, activation: activation)
            // Small chunks too, so that a residual is read at each chunk's own samples.
            for chunkValues in [Conv2D.chunkValues, 1] {
                let lowered = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape, epilogue: epilogue, chunkValues: chunkValues)
                WinogradTests.close(lowered.output, expected, "im2col \(shape)")
                guard Winograd.applies(to: shape) else { continue }
                let output = Winograd.forward(input: input, weight: weight, bias: bias, shape: shape, epilogue: epilogue,
                                              chunkValues: chunkValues).output
                WinogradTests.close(output, expected, "Winograd \(shape)")
                let evaluated = Winograd.evaluate(input: input, kernels: WinogradKernels(weight: weight), bias: bias, shape: shape,
                                                  epilogue: epilogue, chunkValues: chunkValues)
                WinogradTests.close(evaluated, expected, "Winograd F(4×4) \(shape)", tolerance: WinogradEvaluationTests.tolerance)
            }
        }
    }

    @Test(arguments: [(3, 2, 1, 9, 7), (2, 2, 0, 8, 8), (3, 1, 1, 5, 6), (2, 2, 1, 3, 3), (3, 3, 0, 10, 4)])
    func evaluationMaxPoolingMatchesTraining(kernel: Int, stride: Int, padding: Int, height: Int, width: Int) {
        let input = Tensor.normal([2, 3, height, width], seed: 6)
        let expected = Pool2D.maxForward(input, kernel: kernel, stride: stride, padding: padding).output
        #expect(Pool2D.maxOutput(input, kernel: kernel, stride: stride, padding: padding) == expected)
    }

    @Test func foldingMatchesTheFormula() {
        var weights: [Float] = [1, 2, 3, 4]
        let bias = FusedConvolution.fold(weights: &weights, bias: [0.5, -1], gamma: [2, 1], beta: [0.25, 0], mean: [1, 2],
                                         variance: [3, 0], epsilon: 1)
        // σ = 2 and 1: scales 1 and 1.
        #expect(weights == [1, 2, 3, 4])
        #expect(bias == [(0.5 - 1) * 1 + 0.25, -3])
    }
}

import Testing
@testable import Learn

/// Evaluation's F(4×4, 3×3) against im2col: partial tiles at the right and bottom, tile rows of one, two and
/// three groups of eight (the last partial), chunks of one sample, and kernels of input channels not a
/// multiple of the eight lanes.
struct WinogradEvaluationTests {
    /// F(4×4)'s larger constants round more than F(2×2)'s: still far below what separates one class from another.
    static let tolerance: Float = 1e-4

    static let shapes = WinogradTests.shapes + [
        Conv2DShape(batch: 2, inChannels: 19, height: 13, width: 37, outChannels: 21, kernelHeight: 3, kernelWidth: 3, padding: 1),
        Conv2DShape(batch: 1, inChannels: 16, height: 6, width: 96, outChannels: 16, kernelHeight: 3, kernelWidth: 3, padding: 1),
        Conv2DShape(batch: 3, inChannels: 32, height: 14, width: 14, outChannels: 40, kernelHeight: 3, kernelWidth: 3, padding: 1),
    ]

    @Test(arguments: shapes)
    func largeTilesGiveTheConvolution(shape: Conv2DShape) {
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 21), Tensor.normal(shape.weightShape, seed: 22))
        let bias = Tensor.normal([shape.outChannels], seed: 23)
        let kernels = WinogradKernels(weight: weight)
        for bias in [bias, nil] {
            let expected = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape).output
            for chunkValues in [Conv2D.evaluationChunkValues, 1] {
                let output = Winograd.evaluate(input: input, kernels: kernels, bias: bias, shape: shape, chunkValues: chunkValues)
                WinogradTests.close(output, expected, "\(shape), chunks of \(chunkValues)", tolerance: Self.tolerance)
            }
        }
    }

    /// Values of a real network's size (ResNet's inputs after batch norm and ReLU are O(1), its kernels O(0.1)):
    /// against a double-precision reference, the error stays within 1e-5 of the largest output (measured:
    /// 6e-6, where F(2×2)'s is 4e-7 and float's own rounding 6e-8).
    @Test func errorsStayNearFloatRounding() {
        let shape = Conv2DShape(batch: 2, inChannels: 64, height: 28, width: 28, outChannels: 64, kernelHeight: 3, kernelWidth: 3, padding: 1)
        let input = Tensor(shape: shape.inputShape, storage: Tensor.normal(shape.inputShape, seed: 31).storage.map { max(0, $0) })
        let weight = Tensor(shape: shape.weightShape, storage: Tensor.normal(shape.weightShape, seed: 32).storage.map { $0 * 0.06 })
        let expected = Conv2D.referenceForward(input: input.storage.map(Double.init), weight: weight.storage.map(Double.init), bias: nil,
                                               shape: shape)
        func worst(_ output: Tensor) -> Double { zip(output.storage, expected).map { abs(Double($0) - $1) }.max() ?? 0 }
        let small = worst(Winograd.forward(input: input, weight: weight, bias: nil, shape: shape).output)
        let large = worst(Winograd.evaluate(input: input, kernels: WinogradKernels(weight: weight), bias: nil, shape: shape))
        let scale = expected.map(abs).max() ?? 1
        #expect(small < large && large <= 1e-5 * scale, "F(2×2) off by \(small), F(4×4) by \(large), at scale \(scale)")
    }
}

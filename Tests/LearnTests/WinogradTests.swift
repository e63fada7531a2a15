@testable import Learn
import Testing

/// Winograd's F(2×2, 3×3) against the im2col convolution, which the finite-difference tests hold to
/// the definition: forward, all three gradients, kept transforms and chunked batches.
struct WinogradTests {
    static let shapes: [Conv2DShape] = [
        // Odd sides leave half tiles at the right and bottom edges.
        Conv2DShape(batch: 2, inChannels: 16, height: 7, width: 5, outChannels: 24, kernelHeight: 3, kernelWidth: 3, padding: 1),
        Conv2DShape(batch: 3, inChannels: 17, height: 8, width: 8, outChannels: 16, kernelHeight: 3, kernelWidth: 3, padding: 1),
        // One pixel, one tile; and ResNet-18's last stage at 64×64 inputs.
        Conv2DShape(batch: 2, inChannels: 16, height: 1, width: 1, outChannels: 16, kernelHeight: 3, kernelWidth: 3, padding: 1),
        Conv2DShape(batch: 4, inChannels: 64, height: 2, width: 2, outChannels: 32, kernelHeight: 3, kernelWidth: 3, padding: 1),
    ]

    /// Within float rounding of sums hundreds of terms long, whose transforms round differently.
    static func close(_ a: Tensor, _ b: Tensor, _ what: String, tolerance: Float = 1e-5) {
        #expect(a.shape == b.shape, "\(what)")
        let scale = b.storage.map(abs).max() ?? 1
        let worst = zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance * max(1, scale), "\(what): off by \(worst) at scale \(scale)")
    }

    @Test(arguments: shapes)
    func forwardMatchesIm2col(shape: Conv2DShape) {
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 1), Tensor.normal(shape.weightShape, seed: 2))
        let bias = Tensor.normal([shape.outChannels], seed: 3)
        for bias in [bias, nil] {
            let expected = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape).output
            Self.close(Winograd.forward(input: input, weight: weight, bias: bias, shape: shape).output, expected, "output")
        }
    }

    @Test(arguments: shapes)
    func gradientsMatchIm2col(shape: Conv2DShape) {
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 4), Tensor.normal(shape.weightShape, seed: 5))
        let gradient = Tensor.normal(shape.outputShape, seed: 6)
        let expected = Conv2D.backward(input: input, weight: weight, gradient: gradient, shape: shape)
        let (_, cache) = Winograd.forward(input: input, weight: weight, bias: nil, shape: shape, keepInput: true)
        #expect(cache != nil)
        let kept = Winograd.backward(input: input, weight: weight, gradient: gradient, shape: shape, kept: cache)
        let fresh = Winograd.backward(input: input, weight: weight, gradient: gradient, shape: shape)
        for actual in [kept, fresh] {
            Self.close(actual.input!, expected.input!, "dx")
            Self.close(actual.weight, expected.weight, "dw")
            Self.close(actual.bias, expected.bias, "db")
        }
        let weightOnly = Winograd.backward(input: input, weight: weight, gradient: gradient, shape: shape, inputGradient: false)
        #expect(weightOnly.input == nil && weightOnly.weight == fresh.weight)
    }

    @Test(arguments: [1, 2, 3])
    func batchesSplitIntoChunksGiveTheSameResults(samplesPerChunk: Int) {
        let shape = Conv2DShape(batch: 5, inChannels: 16, height: 5, width: 6, outChannels: 20, kernelHeight: 3, kernelWidth: 3, padding: 1)
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 7), Tensor.normal(shape.weightShape, seed: 8))
        let gradient = Tensor.normal(shape.outputShape, seed: 9)
        let chunk = samplesPerChunk * 16 * 20 * Winograd.Grid(shape).tilesPerSample
        #expect(Winograd.Grid(shape).chunks(shape, chunkValues: chunk).count == (shape.batch + samplesPerChunk - 1) / samplesPerChunk)
        let whole = Winograd.forward(input: input, weight: weight, bias: nil, shape: shape)
        let chunked = Winograd.forward(input: input, weight: weight, bias: nil, shape: shape, keepInput: true, chunkValues: chunk)
        // A batch split into chunks keeps nothing: its transforms would not fit one buffer.
        #expect(chunked.cache == nil || samplesPerChunk >= shape.batch)
        Self.close(chunked.output, whole.output, "output")
        let expected = Winograd.backward(input: input, weight: weight, gradient: gradient, shape: shape)
        let actual = Winograd.backward(input: input, weight: weight, gradient: gradient, shape: shape, chunkValues: chunk)
        Self.close(actual.input!, expected.input!, "dx")
        Self.close(actual.weight, expected.weight, "dw")
        Self.close(actual.bias, expected.bias, "db")
    }

    @Test func onlyThreeByThreeStrideOnePaddingOneWithChannelsToSpare() {
        func shape(channels: Int = 16, kernel: Int = 3, stride: Int = 1, padding: Int = 1, groups: Int = 1) -> Conv2DShape {
            Conv2DShape(batch: 1, inChannels: channels, height: 8, width: 8, outChannels: channels, kernelHeight: kernel,
                        kernelWidth: kernel, stride: stride, padding: padding, groups: groups)
        }
        #expect(Winograd.applies(to: shape()))
        #expect(!Winograd.applies(to: shape(channels: 8)))
        #expect(!Winograd.applies(to: shape(kernel: 1, padding: 0)))
        #expect(!Winograd.applies(to: shape(stride: 2)))
        #expect(!Winograd.applies(to: shape(padding: 0)))
        #expect(!Winograd.applies(to: shape(groups: 16)))
    }
}

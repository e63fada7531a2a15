@testable import Learn
import Testing

struct Conv2DTests {
    static let forwardShapes: [Conv2DShape] = [
        Conv2DShape(batch: 1, inChannels: 1, height: 5, width: 5, outChannels: 1, kernelHeight: 3, kernelWidth: 3),
        Conv2DShape(batch: 3, inChannels: 3, height: 8, width: 7, outChannels: 4, kernelHeight: 3, kernelWidth: 3,
                    padding: 1),
        Conv2DShape(batch: 2, inChannels: 3, height: 9, width: 8, outChannels: 5, kernelHeight: 3, kernelWidth: 3,
                    stride: 2, padding: 1),
        Conv2DShape(batch: 2, inChannels: 4, height: 6, width: 6, outChannels: 6, kernelHeight: 1, kernelWidth: 1),
        Conv2DShape(batch: 2, inChannels: 4, height: 7, width: 7, outChannels: 3, kernelHeight: 1, kernelWidth: 1,
                    stride: 2),
        Conv2DShape(batch: 3, inChannels: 4, height: 6, width: 5, outChannels: 6, kernelHeight: 3, kernelWidth: 3,
                    padding: 1, groups: 2),
        Conv2DShape(batch: 2, inChannels: 5, height: 8, width: 8, outChannels: 5, kernelHeight: 3, kernelWidth: 3,
                    stride: 2, padding: 1, groups: 5),
        Conv2DShape(batch: 1, inChannels: 2, height: 6, width: 9, outChannels: 3, kernelHeight: 2, kernelWidth: 4,
                    stride: 3, padding: 2),
    ]

    static let gradientShapes: [Conv2DShape] = [
        Conv2DShape(batch: 2, inChannels: 2, height: 5, width: 4, outChannels: 3, kernelHeight: 3, kernelWidth: 3,
                    padding: 1),
        Conv2DShape(batch: 2, inChannels: 2, height: 5, width: 5, outChannels: 2, kernelHeight: 3, kernelWidth: 3,
                    stride: 2, padding: 1),
        Conv2DShape(batch: 2, inChannels: 3, height: 3, width: 4, outChannels: 2, kernelHeight: 1, kernelWidth: 1),
        Conv2DShape(batch: 1, inChannels: 4, height: 4, width: 4, outChannels: 2, kernelHeight: 3, kernelWidth: 2,
                    padding: 1, groups: 2),
        Conv2DShape(batch: 2, inChannels: 3, height: 5, width: 5, outChannels: 3, kernelHeight: 3, kernelWidth: 3,
                    stride: 2, padding: 1, groups: 3),
    ]

    @Test func outputSizesFollowTheFloorRule() {
        let shape = Conv2DShape(batch: 1, inChannels: 3, height: 224, width: 223, outChannels: 64,
                                kernelHeight: 7, kernelWidth: 7, stride: 2, padding: 3)
        #expect(shape.outHeight == 112 && shape.outWidth == 112)
        #expect(shape.weightShape == [64, 3, 7, 7] && shape.outputShape == [1, 64, 112, 112])
    }

    @Test func aKernelOfOnesSumsEachWindow() {
        let shape = Conv2DShape(batch: 1, inChannels: 1, height: 3, width: 3, outChannels: 1,
                                kernelHeight: 2, kernelWidth: 2, padding: 1)
        let input = Tensor(shape: [1, 1, 3, 3], storage: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let output = Conv2D.forward(input: input, weight: Tensor(repeating: 1, shape: [1, 1, 2, 2]),
                                    bias: Tensor(shape: [1], storage: [0.5]), shape: shape).output
        #expect(output.shape == [1, 1, 4, 4])
        #expect(output.storage == [1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9].map { $0 + 0.5 })
    }

    @Test(arguments: forwardShapes)
    func forwardMatchesTheDirectReference(shape: Conv2DShape) {
        let input = Tensor.normal(shape.inputShape, seed: 1)
        let weight = Tensor.normal(shape.weightShape, seed: 2)
        let bias = Tensor.normal([shape.outChannels], seed: 3)
        let output = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape).output
        let expected = Conv2D.referenceForward(input: input.storage.map(Double.init),
                                               weight: weight.storage.map(Double.init),
                                               bias: bias.storage.map(Double.init), shape: shape)
        #expect(output.shape == shape.outputShape)
        let worst = zip(output.storage, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst < 1e-4, "largest difference \(worst)")
        let unbiased = Conv2D.forward(input: input, weight: weight, bias: nil, shape: shape).output
        let expectedUnbiased = Conv2D.referenceForward(input: input.storage.map(Double.init),
                                                       weight: weight.storage.map(Double.init), bias: nil, shape: shape)
        #expect(zip(unbiased.storage, expectedUnbiased).allSatisfy { abs(Double($0) - $1) < 1e-4 })
    }

    /// Chunks of one, two and three samples (the last one short) against the whole batch at once.
    @Test(arguments: [1, 2, 3])
    func batchesSplitIntoChunksGiveTheSameResults(samplesPerChunk: Int) {
        let shape = Conv2DShape(batch: 5, inChannels: 4, height: 6, width: 5, outChannels: 6, kernelHeight: 3,
                                kernelWidth: 3, stride: 2, padding: 1, groups: 2)
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 1), Tensor.normal(shape.weightShape, seed: 2))
        let bias = Tensor.normal([shape.outChannels], seed: 3)
        let gradient = Tensor.normal(shape.outputShape, seed: 4)
        let chunk = samplesPerChunk * shape.groups * shape.patchSize * shape.outPixels
        #expect(Conv2D.Layout(shape, chunkValues: chunk).chunks.count == (shape.batch + samplesPerChunk - 1) / samplesPerChunk)
        let whole = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape).output
        let chunked = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape, chunkValues: chunk).output
        let expected = Conv2D.backward(input: input, weight: weight, gradient: gradient, shape: shape)
        let actual = Conv2D.backward(input: input, weight: weight, gradient: gradient, shape: shape, chunkValues: chunk)
        // Sums over the batch are split where the chunks are, so they may round differently.
        for (a, b) in [(whole, chunked), (expected.input!, actual.input!), (expected.weight, actual.weight),
                       (expected.bias, actual.bias)] {
            #expect(a.shape == b.shape)
            #expect(zip(a.storage, b.storage).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
        }
    }

    /// Training keeps the whole batch's im2col matrix from forward; backward from it must equal
    /// backward that lowers the input again, and a batch split into chunks keeps nothing.
    @Test(arguments: gradientShapes)
    func backwardFromKeptColumnsMatchesLoweringAgain(shape: Conv2DShape) {
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 4), Tensor.normal(shape.weightShape, seed: 5))
        let gradient = Tensor.normal(shape.outputShape, seed: 6)
        let (output, cache) = Conv2D.forward(input: input, weight: weight, bias: nil, shape: shape, keepColumns: true)
        #expect(cache != nil && output == Conv2D.forward(input: input, weight: weight, bias: nil, shape: shape).output)
        let kept = Conv2D.backward(input: input, weight: weight, gradient: gradient, shape: shape, columns: cache)
        let fresh = Conv2D.backward(input: input, weight: weight, gradient: gradient, shape: shape)
        #expect(kept.input == fresh.input && kept.weight == fresh.weight && kept.bias == fresh.bias)
        let oneSample = shape.groups * shape.patchSize * shape.outPixels
        #expect(Conv2D.forward(input: input, weight: weight, bias: nil, shape: shape, keepColumns: true,
                               chunkValues: oneSample).cache == nil || shape.batch == 1)
    }

    @Test func keptColumnsStayWithinTheirBudget() {
        let shape = Self.gradientShapes[0]
        #expect(ConvolutionCache(keeping: Conv2D.Scratch(count: 1), values: ConvolutionCache.budget + 1, shape: shape) == nil)
        #expect(ConvolutionCache(keeping: Conv2D.Scratch(count: 1), values: 1, shape: shape) != nil)
    }

    @Test(arguments: gradientShapes)
    func backwardMatchesFiniteDifferences(shape: Conv2DShape) {
        let input = Tensor.normal(shape.inputShape, seed: 4)
        let weight = Tensor.normal(shape.weightShape, seed: 5)
        let bias = Tensor.normal([shape.outChannels], seed: 6)
        let outputWeights = Tensor.normal(shape.outputShape, seed: 7).storage
        let (x, w, b) = (input.storage.map(Double.init), weight.storage.map(Double.init), bias.storage.map(Double.init))
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            FiniteDifferences.weightedSum(Conv2D.referenceForward(input: x, weight: w, bias: b, shape: shape),
                                          outputWeights)
        }
        let gradients = Conv2D.backward(input: input, weight: weight,
                                        gradient: Tensor(shape: shape.outputShape, storage: outputWeights), shape: shape)
        FiniteDifferences.expectMatches(gradients.input!, FiniteDifferences.gradient(of: x) { loss($0, w, b) }, "input")
        FiniteDifferences.expectMatches(gradients.weight, FiniteDifferences.gradient(of: w) { loss(x, $0, b) }, "weight")
        FiniteDifferences.expectMatches(gradients.bias, FiniteDifferences.gradient(of: b) { loss(x, w, $0) }, "bias")
    }
}

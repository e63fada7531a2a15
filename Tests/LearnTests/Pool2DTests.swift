import Learn
import Testing

struct Pool2DTests {
    /// One 4×4 plane holding 1...16 row by row.
    static let ramp = Tensor(shape: [1, 1, 4, 4], storage: (1...16).map(Float.init))

    @Test func maxPoolingPicksEachWindowsLargest() {
        let x = Tensor(shape: [1, 2, 4, 4], storage: [
            1, 5, 2, 0,
            3, 4, 8, 1,
            0, 2, 6, 7,
            9, 1, 3, 5,
        ] + (1...16).map { -Float($0) })
        let (y, argmax) = Pool2D.maxForward(x, kernel: 2, stride: 2, padding: 0)
        #expect(y.shape == [1, 2, 2, 2])
        #expect(y.storage == [5, 8, 9, 7, -1, -3, -9, -11])
        #expect(argmax == [1, 6, 12, 11, 0, 2, 8, 10])
    }

    @Test func maxPaddingNeverWins() {
        let x = Tensor(shape: [1, 1, 3, 3], storage: (1...9).map { -Float($0) })
        let (y, argmax) = Pool2D.maxForward(x, kernel: 3, stride: 2, padding: 1)
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.storage == [-1, -2, -4, -5])
        #expect(argmax == [0, 1, 3, 4])
    }

    @Test func maxBackwardRoutesEachGradientToItsArgmax() {
        let x = Tensor(shape: [1, 1, 3, 3], storage: [
            1, 2, 0,
            0, 9, 3,
            4, 0, 5,
        ])
        // Overlapping windows: the 9 wins all four, so it collects all four gradients.
        let (y, argmax) = Pool2D.maxForward(x, kernel: 2, stride: 1, padding: 0)
        #expect(y.storage == [9, 9, 9, 9])
        let dx = Pool2D.maxBackward(Tensor(shape: [1, 1, 2, 2], storage: [1, 2, 3, 4]), argmax: argmax,
                                    inputShape: x.shape)
        #expect(dx.storage == [0, 0, 0, 0, 10, 0, 0, 0, 0])
        let (_, stridedArgmax) = Pool2D.maxForward(Self.ramp, kernel: 2, stride: 2, padding: 0)
        let strided = Pool2D.maxBackward(Tensor(shape: [1, 1, 2, 2], storage: [1, 2, 3, 4]), argmax: stridedArgmax,
                                         inputShape: Self.ramp.shape)
        #expect(strided.storage == [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4])
    }

    @Test func maxBackwardMatchesFiniteDifferences() {
        let x = Tensor.normal([2, 2, 5, 5], seed: 1)
        let (y, argmax) = Pool2D.maxForward(x, kernel: 3, stride: 2, padding: 1)
        let outputWeights = Tensor.normal(y.shape, seed: 2).storage
        let dx = Pool2D.maxBackward(Tensor(shape: y.shape, storage: outputWeights), argmax: argmax, inputShape: x.shape)
        let numeric = FiniteDifferences.gradient(of: x) { x in
            FiniteDifferences.weightedSum(Pool2D.maxForward(x, kernel: 3, stride: 2, padding: 1).output, outputWeights)
        }
        FiniteDifferences.expectMatches(dx, numeric, "input")
    }

    @Test func averagePoolingCountsPaddingInTheDivisor() {
        let y = Pool2D.averageForward(Self.ramp, kernel: 2, stride: 2, padding: 0)
        #expect(y.storage == [3.5, 5.5, 11.5, 13.5])
        let padded = Pool2D.averageForward(Self.ramp, kernel: 3, stride: 2, padding: 1)
        // Top-left window covers 1, 2, 5, 6 and five zeros of padding: 14 / 9.
        #expect(padded.shape == [1, 1, 2, 2])
        let expected: [Float] = [14, 30, 57, 99].map { $0 / 9 }
        #expect(zip(padded.storage, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test(arguments: [(2, 2, 0), (3, 2, 1), (3, 1, 1)])
    func averageBackwardMatchesFiniteDifferences(kernel: Int, stride: Int, padding: Int) {
        let x = Tensor.normal([2, 2, 5, 4], seed: 3)
        let y = Pool2D.averageForward(x, kernel: kernel, stride: stride, padding: padding)
        let outputWeights = Tensor.normal(y.shape, seed: 4).storage
        let dx = Pool2D.averageBackward(Tensor(shape: y.shape, storage: outputWeights), inputShape: x.shape,
                                        kernel: kernel, stride: stride, padding: padding)
        let numeric = FiniteDifferences.gradient(of: x) { x in
            FiniteDifferences.weightedSum(
                Pool2D.averageForward(x, kernel: kernel, stride: stride, padding: padding), outputWeights)
        }
        FiniteDifferences.expectMatches(dx, numeric, "input")
    }

    @Test func globalAverageTakesEachPlanesMean() {
        let x = Tensor(shape: [2, 2, 2, 2], storage: [1, 2, 3, 4, 0, 0, 0, 8, -1, -1, -1, -1, 5, 6, 7, 8])
        let y = Pool2D.globalAverageForward(x)
        #expect(y.shape == [2, 2])
        #expect(y.storage == [2.5, 2, -1, 6.5])
    }

    @Test func globalAverageBackwardMatchesFiniteDifferences() {
        let x = Tensor.normal([3, 2, 3, 4], seed: 5)
        let outputWeights = Tensor.normal([3, 2], seed: 6).storage
        let dx = Pool2D.globalAverageBackward(Tensor(shape: [3, 2], storage: outputWeights), inputShape: x.shape)
        let numeric = FiniteDifferences.gradient(of: x) { x in
            FiniteDifferences.weightedSum(Pool2D.globalAverageForward(x), outputWeights)
        }
        FiniteDifferences.expectMatches(dx, numeric, "input")
    }
}

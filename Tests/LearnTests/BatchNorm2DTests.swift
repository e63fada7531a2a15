import Learn
import Testing

struct BatchNorm2DTests {
    static let shape = [4, 3, 5, 6]

    /// Per channel: the values of that channel across the batch and the plane.
    static func channelValues(_ tensor: Tensor, _ channel: Int) -> [Double] {
        let (batch, channels, plane) = (tensor.shape[0], tensor.shape[1], tensor.shape[2] * tensor.shape[3])
        return (0..<batch).flatMap { sample in
            let start = (sample * channels + channel) * plane
            return tensor.storage[start..<start + plane].map(Double.init)
        }
    }

    /// Channel c is drawn from a normal with mean c - 1 and deviation c + 1, so the channels differ.
    static func input(seed: UInt64) -> Tensor {
        var x = Tensor.normal(shape, seed: seed)
        let plane = shape[2] * shape[3]
        for index in x.storage.indices {
            let channel = Float(index / plane % shape[1])
            x.storage[index] = x.storage[index] * (channel + 1) + channel - 1
        }
        return x
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    static func variance(_ values: [Double], unbiased: Bool = false) -> Double {
        let center = mean(values)
        return values.reduce(0) { $0 + ($1 - center) * ($1 - center) } / Double(values.count - (unbiased ? 1 : 0))
    }

    @Test func trainingNormalizesEachChannel() {
        let x = Self.input(seed: 1)
        var runningMean = Tensor(zeros: [3])
        var runningVariance = Tensor(repeating: 1, shape: [3])
        let (y, _) = BatchNorm2D.forward(x, gamma: Tensor(repeating: 1, shape: [3]), beta: Tensor(zeros: [3]),
                                         runningMean: &runningMean, runningVariance: &runningVariance,
                                         momentum: 0.1, epsilon: 1e-5, training: true)
        for channel in 0..<3 {
            let values = Self.channelValues(y, channel)
            #expect(abs(Self.mean(values)) < 1e-5)
            #expect(abs(Self.variance(values) - 1) < 1e-3)
        }
    }

    @Test func trainingMovesTheRunningStatisticsByMomentum() {
        let x = Self.input(seed: 2)
        var runningMean = Tensor(shape: [3], storage: [0.5, -1, 2])
        var runningVariance = Tensor(shape: [3], storage: [1, 2, 0.5])
        let (startMean, startVariance) = (runningMean, runningVariance)
        _ = BatchNorm2D.forward(x, gamma: Tensor(repeating: 1, shape: [3]), beta: Tensor(zeros: [3]),
                                runningMean: &runningMean, runningVariance: &runningVariance,
                                momentum: 0.1, epsilon: 1e-5, training: true)
        for channel in 0..<3 {
            let values = Self.channelValues(x, channel)
            let expectedMean = 0.9 * Double(startMean.storage[channel]) + 0.1 * Self.mean(values)
            let expectedVariance = 0.9 * Double(startVariance.storage[channel])
                + 0.1 * Self.variance(values, unbiased: true)
            #expect(abs(Double(runningMean.storage[channel]) - expectedMean) < 1e-5)
            #expect(abs(Double(runningVariance.storage[channel]) - expectedVariance) < 1e-4)
        }
    }

    @Test func evalUsesTheRunningStatisticsAndLeavesThemAlone() {
        let x = Self.input(seed: 3)
        var runningMean = Tensor(shape: [3], storage: [0.5, -1, 2])
        var runningVariance = Tensor(shape: [3], storage: [4, 0.25, 1])
        let gamma = Tensor(shape: [3], storage: [2, -1, 0.5])
        let beta = Tensor(shape: [3], storage: [0.1, 0.2, 0.3])
        let (y, _) = BatchNorm2D.forward(x, gamma: gamma, beta: beta, runningMean: &runningMean,
                                         runningVariance: &runningVariance, momentum: 0.1, epsilon: 1e-5,
                                         training: false)
        #expect(runningMean.storage == [0.5, -1, 2] && runningVariance.storage == [4, 0.25, 1])
        for channel in 0..<3 {
            let expected = Self.channelValues(x, channel).map { value in
                Double(gamma.storage[channel]) * (value - Double(runningMean.storage[channel]))
                    / (Double(runningVariance.storage[channel]) + 1e-5).squareRoot() + Double(beta.storage[channel])
            }
            #expect(zip(Self.channelValues(y, channel), expected).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    @Test(arguments: [true, false])
    func backwardMatchesFiniteDifferences(training: Bool) {
        let x = Tensor.normal([2, 3, 3, 2], seed: 4)
        let gamma = Tensor(shape: [3], storage: [1.5, -0.5, 0.8])
        let beta = Tensor(shape: [3], storage: [0.1, -0.2, 0.3])
        let outputWeights = Tensor.normal(x.shape, seed: 5).storage
        func loss(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor) -> Double {
            var runningMean = Tensor(shape: [3], storage: [0.2, -0.1, 0.4])
            var runningVariance = Tensor(shape: [3], storage: [0.8, 1.2, 1.5])
            let (y, _) = BatchNorm2D.forward(x, gamma: gamma, beta: beta, runningMean: &runningMean,
                                             runningVariance: &runningVariance, momentum: 0.1, epsilon: 1e-5,
                                             training: training)
            return FiniteDifferences.weightedSum(y, outputWeights)
        }
        var runningMean = Tensor(shape: [3], storage: [0.2, -0.1, 0.4])
        var runningVariance = Tensor(shape: [3], storage: [0.8, 1.2, 1.5])
        let (_, cache) = BatchNorm2D.forward(x, gamma: gamma, beta: beta, runningMean: &runningMean,
                                             runningVariance: &runningVariance, momentum: 0.1, epsilon: 1e-5,
                                             training: training)
        let gradients = BatchNorm2D.backward(Tensor(shape: x.shape, storage: outputWeights), cache: cache)
        FiniteDifferences.expectMatches(gradients.input, FiniteDifferences.gradient(of: x) { loss($0, gamma, beta) },
                                        "input")
        FiniteDifferences.expectMatches(gradients.gamma, FiniteDifferences.gradient(of: gamma) { loss(x, $0, beta) },
                                        "gamma")
        FiniteDifferences.expectMatches(gradients.beta, FiniteDifferences.gradient(of: beta) { loss(x, gamma, $0) },
                                        "beta")
    }
}

import Learn
import Testing

struct DropoutTests {
    static let input = Tensor(shape: [8, 16], storage: (0..<128).map { Float($0 % 7) - 3 })

    @Test func evaluationIsTheIdentity() {
        let layer = Dropout(probability: 0.5, random: Random(seed: 1))
        #expect(layer.forward(Self.input, training: false) == Self.input)
        let gradient = Tensor(repeating: 2, shape: Self.input.shape)
        #expect(layer.backward(gradient) == gradient)
    }

    @Test func trainingPreservesTheMean() {
        let layer = Dropout(probability: 0.3, random: Random(seed: 2))
        let ones = Tensor(repeating: 1, shape: [100, 100])
        var sum = 0.0
        let samples = 20
        for _ in 0..<samples {
            let output = layer.forward(ones, training: true)
            #expect(output.storage.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
            sum += output.storage.reduce(0.0) { $0 + Double($1) }
        }
        #expect(abs(sum / Double(samples * ones.count) - 1) < 0.01)
    }

    @Test func theSameSeedGivesTheSameMask() {
        let a = Dropout(probability: 0.5, random: Random(seed: 3))
        let b = Dropout(probability: 0.5, random: Random(seed: 3))
        let first = a.forward(Self.input, training: true)
        #expect(first == b.forward(Self.input, training: true))
        // The stream advances, so the next batch gets a fresh mask.
        #expect(first != a.forward(Self.input, training: true))
    }

    @Test func backwardUsesTheForwardMask() {
        let layer = Dropout(probability: 0.5, random: Random(seed: 4))
        let ones = Tensor(repeating: 1, shape: [8, 16])
        let output = layer.forward(ones, training: true)
        #expect(output.storage.contains(0) && output.storage.contains(2))
        #expect(layer.backward(ones) == output)
    }

    /// Value i's verdict is the (i + 1)-th draw of `Random(seed:)`: the counter-based mask and the
    /// sequential stream agree, which is what lets a GPU thread compute its own value's verdict.
    @Test func theMaskIsTheSeedsStreamReadAtEachIndex() {
        let mask = DropoutMask(probability: 0.4, seed: 77)
        var random = Random(seed: 77)
        for index in 0..<1000 {
            let draw = random.uniform()
            #expect(mask.uniform(at: index) == draw)
            #expect(mask.scale(at: index) == (draw < 0.4 ? 0 : 1 / Float(0.6)))
        }
    }
}

import Learn
import Testing

struct TensorTests {
    @Test func stridesAreRowMajor() {
        let tensor = Tensor(zeros: [2, 3, 4, 5])
        #expect(tensor.strides == [60, 20, 5, 1])
        #expect(tensor.count == 120 && tensor.rank == 4)
    }

    @Test func subscriptsAddressTheRowMajorOffset() {
        var tensor = Tensor(zeros: [2, 3])
        tensor[[1, 2]] = 7
        #expect(tensor.storage == [0, 0, 0, 0, 0, 7])
        #expect(tensor.reshaped([3, 2])[[2, 1]] == 7)
    }

    @Test func theSameSeedGivesTheSameStream() {
        var a = Random(seed: 42)
        var b = Random(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var c = Random(seed: 1)
        let values = (0..<10_000).map { _ in c.uniform() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Float(values.count)
        #expect(abs(mean - 0.5) < 0.02)
    }
}

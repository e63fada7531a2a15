import Learn
import Testing

struct UpsampleTests {
    @Test func nearestCopiesEachValueOverItsSquare() {
        let input = Tensor(shape: [1, 1, 2, 2], storage: [1, 2, 3, 4])
        let output = CPUBackend.shared.upsampleNearest(input, factor: 2)
        #expect(output.shape == [1, 1, 4, 4])
        #expect(output.storage == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    /// The backward pass is the forward's adjoint: ⟨up(x), y⟩ = ⟨x, up*(y)⟩ for any x and y.
    @Test(arguments: [2, 3]) func backwardIsTheAdjoint(factor: Int) {
        let x = LayerGradientTests.uniform([2, 3, 3, 5], seed: 1)
        let y = LayerGradientTests.uniform([2, 3, 3 * factor, 5 * factor], seed: 2)
        let up = CPUBackend.shared.upsampleNearest(x, factor: factor)
        let down = CPUBackend.shared.upsampleNearestBackward(y, factor: factor)
        #expect(down.shape == x.shape)
        let left = zip(up.storage, y.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x.storage, down.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) < 1e-4)
    }
}

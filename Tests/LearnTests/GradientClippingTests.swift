import Learn
import Testing

struct GradientClippingTests {
    /// Gradients [3, 4] and [12]: one vector of norm √(9 + 16 + 144) = 13.
    static func parameters() -> [Parameter] {
        let a = Parameter(name: "weight", value: Tensor(zeros: [2]))
        let b = Parameter(name: "bias", value: Tensor(zeros: [1]))
        a.gradient.storage = [3, 4]
        b.gradient.storage = [12]
        return [a, b]
    }

    @Test func scalesAllGradientsByOneFactor() {
        let parameters = Self.parameters()
        #expect(GradientClipping.clipNorm(parameters, maxNorm: 6.5) == 13)
        // scale = 6.5 / (13 + 1e-6) ≈ 0.5
        let scale: Float = 6.5 / (13 + 1e-6)
        #expect(parameters[0].gradient.storage == [3 * scale, 4 * scale])
        #expect(parameters[1].gradient.storage == [12 * scale])
        let after = parameters.flatMap(\.gradient.storage).reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(after - 6.5) < 1e-5 && after < 6.5)
    }

    @Test func leavesSmallGradientsAlone() {
        let parameters = Self.parameters()
        #expect(GradientClipping.clipNorm(parameters, maxNorm: 20) == 13)
        #expect(parameters[0].gradient.storage == [3, 4])
        #expect(parameters[1].gradient.storage == [12])
    }

    @Test func reportsANonFiniteNormWithoutScaling() {
        let parameters = Self.parameters()
        parameters[1].gradient.storage = [.infinity]
        #expect(GradientClipping.clipNorm(parameters, maxNorm: 1) == .infinity)
        #expect(parameters[0].gradient.storage == [3, 4])
    }
}
